#!/usr/bin/env node
// The `tokenclock` command. The engine is TypeScript; tsx compiles it on the fly.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
