// A stand-in for the Hugging Face Hub on 127.0.0.1, for tests that cannot reach the internet:
// it serves a folder in the Hub's URL scheme (`/<org>/<name>/resolve/main/<file>`) with what the
// real Hub sends that matters to us: CORS, Content-Length, ETag, Range requests (206 with
// Content-Range), HEAD. A test can make it cut connections after some bytes, stall them (send
// nothing more, keeping them open), or refuse Ranges.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';

export interface HubServer {
  url: string; // e.g. http://127.0.0.1:40123 (what the page calls the Hub address)
  requests: { method: string; path: string; range: string | undefined; status: number }[];
  /** Cut the connection of every body response after this many bytes of the file (undefined: never). */
  cutAfter: number | undefined;
  /** Stop sending the body after this many bytes of the file and hold the connection open, silent (undefined: never). */
  stallAfter: number | undefined;
  /** Answer Range requests with the whole file (200), as a server without range support does. */
  ignoreRanges: boolean;
  /** Answer every request with this status instead (e.g. 503). */
  failWith: number | undefined;
  /** Wait this long between 1 MiB chunks, so a test can watch progress (ms). */
  chunkDelayMs: number;
  close(): Promise<void>;
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Range, If-Range',
  'Access-Control-Expose-Headers': 'Content-Length, Content-Range, Accept-Ranges, ETag, X-Linked-Size',
};

/** Serve `root` (holding `<org>/<name>/<file>`) in the Hub's scheme. */
export async function startHubServer(root: string): Promise<HubServer> {
  const hub: HubServer = {
    url: '',
    requests: [],
    cutAfter: undefined,
    stallAfter: undefined,
    ignoreRanges: false,
    failWith: undefined,
    chunkDelayMs: 0,
    close: async () => {},
  };

  async function handle(req: IncomingMessage, res: ServerResponse, log: { status: number }): Promise<number> {
    const writeHead = res.writeHead.bind(res) as (status: number, headers?: Record<string, string>) => ServerResponse;
    res.writeHead = ((status: number, headers?: Record<string, string>) => {
      log.status = status; // known as soon as the answer starts, before its body arrives
      return writeHead(status, headers);
    }) as typeof res.writeHead;
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...CORS, 'Access-Control-Allow-Methods': 'GET, HEAD' }).end();
      return 204;
    }
    if (hub.failWith !== undefined) {
      res.writeHead(hub.failWith, CORS).end('unavailable');
      return hub.failWith;
    }
    const m = /^\/([^/]+)\/([^/]+)\/resolve\/main\/([^/?]+)$/.exec(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = m ? normalize(join(root, m[1], m[2], m[3])) : undefined;
    const info = file && file.startsWith(root + sep) ? await stat(file).catch(() => undefined) : undefined;
    if (!file || !info?.isFile()) {
      res.writeHead(404, { ...CORS, 'Content-Type': 'text/plain' }).end('Entry not found');
      return 404;
    }
    const size = info.size;
    const etag = `"${size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    let start = 0;
    let status = 200;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (range && !hub.ignoreRanges && (!ifRange || ifRange === etag)) {
      start = Number(range[1]);
      if (start >= size) {
        res.writeHead(416, { ...CORS, 'Content-Range': `bytes */${size}` }).end();
        return 416;
      }
      status = 206;
    }
    const headers: Record<string, string> = {
      ...CORS,
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(size - start),
      'Accept-Ranges': 'bytes',
      ETag: etag,
      ...(status === 206 ? { 'Content-Range': `bytes ${start}-${size - 1}/${size}` } : {}),
    };
    res.writeHead(status, headers);
    if (req.method === 'HEAD') {
      res.end();
      return status;
    }
    const cut = hub.cutAfter ?? hub.stallAfter;
    const end = cut !== undefined && cut > start ? Math.min(size, cut) : size;
    if (cut !== undefined && cut <= start) {
      res.destroy();
      return status;
    }
    const stream = createReadStream(file, { start, end: end - 1, highWaterMark: 1 << 20 });
    for await (const chunk of stream) {
      if (!res.write(chunk)) await new Promise((ok) => res.once('drain', ok));
      if (hub.chunkDelayMs) await new Promise((ok) => setTimeout(ok, hub.chunkDelayMs));
    }
    if (end < size && hub.stallAfter !== undefined) {
      await new Promise((ok) => res.once('close', ok)); // silent until the client gives up
      return status;
    }
    if (end < size) res.destroy(); // a broken connection: fewer bytes than Content-Length said
    else res.end();
    return status;
  }

  const server = createServer((req, res) => {
    // Logged when the request arrives, so a test that clears the log sees only later requests.
    const log = { method: req.method ?? '', path: req.url ?? '', range: req.headers.range, status: 0 };
    hub.requests.push(log);
    handle(req, res, log).catch(() => res.destroy());
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  hub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  hub.close = () =>
    new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    });
  return hub;
}
