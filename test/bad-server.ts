// A server that misbehaves on purpose, on 127.0.0.1: it hands each request's head to the test,
// which writes whatever bytes it likes to the raw socket (wrong validators, lying sizes, a stall,
// a redirect loop, a reply that is not HTTP). The well-behaved Hub stand-in is test/hub-server.ts.
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>; // names lower-cased
}

export interface BadServer {
  url: string; // e.g. http://127.0.0.1:40123
  requests: RawRequest[];
  /** Answers every request; write to `socket` (and end it, or don't: a stall). */
  handler: (req: RawRequest, socket: Socket) => void;
  close(): Promise<void>;
}

/** An HTTP response head, for handlers that do answer in HTTP. */
export function head(status: string, headers: Record<string, string | number>): string {
  return `HTTP/1.1 ${status}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

export async function startBadServer(): Promise<BadServer> {
  const sockets = new Set<Socket>();
  const bad: BadServer = { url: '', requests: [], handler: (_req, s) => s.destroy(), close: async () => {} };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const [first, ...lines] = text.slice(0, end).split('\r\n');
      const [method, path] = first.split(' ');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const req = { method, path, headers };
      bad.requests.push(req);
      bad.handler(req, socket);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  bad.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  bad.close = () =>
    new Promise<void>((ok) => {
      for (const s of sockets) s.destroy();
      server.close(() => ok());
    });
  return bad;
}
