import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startCli, type RunOptions } from '../../helpers/cli.js';

/**
 * A node:http server on 127.0.0.1 (port 0) for `apikit request` tests: it records every request it gets (method,
 * path, headers, body — counted here, at the server) and answers from a table of routes.
 */
export interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type Route = (req: IncomingMessage, res: ServerResponse, body: Buffer, seen: Seen) => void;

export interface RecordingServer {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

export async function startRecordingServer(routes: Record<string, Route>): Promise<RecordingServer> {
  const seen: Seen[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const one: Seen = { method: req.method ?? '', path, headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(one);
      const route = routes[path];
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no route');
        return;
      }
      open.add(res);
      res.on('close', () => open.delete(res));
      route(req, res, one.body, one);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        // A route that never answers (the timeout test) is ended here, so close() does not wait for it.
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawRun {
  code: number;
  /** stdout as the bytes written (a binary body must arrive intact). */
  stdout: Buffer;
  stderr: string;
}

/** apikit in-process like runCli (test/helpers/cli.ts), keeping stdout as bytes. */
export async function runRaw(argv: string[], options: RunOptions = {}): Promise<RawRun> {
  const live = startCli(argv, options);
  const { code, stderr } = await live.done;
  return { code, stdout: live.stdoutBytes(), stderr };
}

/** JSON answer helper. */
export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
}
