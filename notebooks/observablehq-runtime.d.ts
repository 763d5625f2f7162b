// Minimal types for @observablehq/runtime 6, which ships none: only what the notebooks use.
declare module '@observablehq/runtime' {
  /** Told when a variable starts computing, gets a value or fails. */
  export interface Observer<T = unknown> {
    pending?(): void;
    fulfilled?(value: T, name: string | null): void;
    rejected?(error: unknown, name: string | null): void;
    _node?: Element; // the runtime's `visibility` builtin watches this element
  }

  /** A cell: named or anonymous, with named inputs; its definition may return a promise or a generator. */
  export interface Variable {
    define(name: string | null, inputs: string[], definition: (...inputs: any[]) => unknown): Variable; // eslint-disable-line @typescript-eslint/no-explicit-any
    define(inputs: string[], definition: (...inputs: any[]) => unknown): Variable; // eslint-disable-line @typescript-eslint/no-explicit-any
    define(name: string, value: unknown): Variable;
    import(name: string, alias: string, from: Module): Variable;
    delete(): Variable;
  }

  /** A namespace of variables. */
  export interface Module {
    variable(observer?: Observer | boolean): Variable;
    define(name: string | null, inputs: string[], definition: (...inputs: any[]) => unknown): Variable; // eslint-disable-line @typescript-eslint/no-explicit-any
    redefine(name: string, inputs: string[], definition: (...inputs: any[]) => unknown): Variable; // eslint-disable-line @typescript-eslint/no-explicit-any
    redefine(name: string, value: unknown): Variable;
    value(name: string): Promise<unknown>;
    builtin(name: string, value: unknown): void;
  }

  /** Computes variables when their inputs change, on animation frames (setImmediate in Node). */
  export class Runtime {
    constructor(builtins?: Record<string, unknown>, global?: (name: string) => unknown);
    module(): Module;
    dispose(): void;
  }

  export class RuntimeError extends Error {
    constructor(message: string, input?: string);
  }
}
