import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import {
  NGINX,
  onFreePort,
  PortTakenError,
  spawnDaemon,
  waitUntilReady,
} from '../fixtures/ratelimit/support.js';

/**
 * An nginx of the test's own (Debian's /usr/sbin/nginx): its prefix, config, logs and temp paths in a temp dir, one
 * worker, on a free 127.0.0.1 port, the master kept in the foreground as our child so that close() reaches it.
 * Ready once `/__fixture` answers with a token of this start (not some other server on a reused port). The caller
 * gives what is its own: the lines of the `http` block and of its `server` block, and files under the prefix.
 */
export interface NginxOptions {
  /** Names the temp dir: `apikit-<name>-`. */
  name: string;
  workerConnections: number;
  /** Lines of the `http` block before the server; `p(name)` is a path under the prefix. */
  http: (p: (name: string) => string) => string;
  /** Lines of the `server` block after `listen` and the readiness location. */
  server: (p: (name: string) => string) => string;
  /** Files to write under the prefix before the start (folders are made). */
  files?: Record<string, string>;
}

export interface Nginx {
  base: string;
  /** The prefix: config, logs, temp paths. */
  dir: string;
  /** A path under the prefix. */
  path(name: string): string;
  /** Stops nginx and removes the prefix; once. */
  close(): Promise<void>;
}

function config(o: NginxOptions, dir: string, port: number, token: string): string {
  const p = (name: string): string => join(dir, name);
  // As root nginx switches its workers to `user` (default nobody, who cannot read a 0700 temp dir); as anyone
  // else the directive is ignored with a warning, so it is only written for root.
  const user = process.getuid?.() === 0 ? `user ${userInfo().username};` : '';
  return `${user}
worker_processes 1;
pid ${p('nginx.pid')};
lock_file ${p('nginx.lock')};
error_log ${p('error.log')} warn;
events { worker_connections ${o.workerConnections}; }
http {
  client_body_temp_path ${p('temp/body')};
  proxy_temp_path ${p('temp/proxy')};
  fastcgi_temp_path ${p('temp/fastcgi')};
  uwsgi_temp_path ${p('temp/uwsgi')};
  scgi_temp_path ${p('temp/scgi')};
${o.http(p)}
  server {
    listen 127.0.0.1:${port};
    location = /__fixture { access_log off; return 200 "${token}"; }
${o.server(p)}
  }
}
`;
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export async function startNginx(o: NginxOptions): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), `apikit-${o.name}-`));
  const path = (name: string): string => join(dir, name);
  mkdirSync(path('temp'));
  for (const [name, text] of Object.entries(o.files ?? {})) {
    mkdirSync(join(path(name), '..'), { recursive: true });
    writeFileSync(path(name), text);
  }
  const token = `apikit-${o.name}-${Math.random().toString(36).slice(2)}`;
  try {
    const { base, daemon } = await onFreePort(async (port) => {
      const conf = path('nginx.conf');
      writeFileSync(conf, config(o, dir, port, token));
      // -e: the error log before the config is read (Debian's default would be used otherwise).
      const daemon = spawnDaemon(NGINX, [
        '-p',
        dir,
        '-c',
        conf,
        '-e',
        path('error.log'),
        '-g',
        'daemon off;',
      ]);
      const base = `http://127.0.0.1:${port}`;
      try {
        await waitUntilReady(
          daemon,
          'nginx',
          async () => (await (await fetch(`${base}/__fixture`)).text()) === token,
        );
      } catch (err) {
        await daemon.stop();
        const log = readFileSafe(path('error.log')) + daemon.output();
        if (/Address already in use/.test(log)) throw new PortTakenError(`port ${port} taken`);
        throw new Error(`${(err as Error).message}\n${log}`);
      }
      return { base, daemon };
    });
    let closing: Promise<void> | undefined;
    return {
      base,
      dir,
      path,
      close: () => (closing ??= daemon.stop().then(() => rmSync(dir, { recursive: true, force: true }))),
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
