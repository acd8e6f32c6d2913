import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import {
  onFreePort,
  PortTakenError,
  REDIS_SERVER,
  spawnDaemon,
  waitUntilReady,
  type Daemon,
} from '../fixtures/ratelimit/support.js';

/**
 * A redis-server of the test's own: a free port on 127.0.0.1, no persistence, its own directory; ready once a
 * client on that port sees this very process (not one that won the race for the port). `extra` adds flags
 * (e.g. --requirepass). stopRedis ends it and removes the directory.
 */
export interface Redis {
  daemon: Daemon;
  port: number;
  url: string;
  dir: string;
}

export async function startRedis(extra: string[] = []): Promise<Redis> {
  const dir = mkdtempSync(join(tmpdir(), 'apikit-limiter-redis-'));
  try {
    return await onFreePort(async (port) => {
      const daemon = spawnDaemon(REDIS_SERVER, [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--daemonize',
        'no',
        ...extra,
      ]);
      try {
        await waitUntilReady(daemon, 'redis-server', async () => {
          const probe = createClient({
            socket: { host: '127.0.0.1', port, reconnectStrategy: false },
            ...(extra.includes('--requirepass')
              ? { password: extra[extra.indexOf('--requirepass') + 1] }
              : {}),
          });
          probe.on('error', () => {});
          await probe.connect();
          try {
            // The server on that port must be ours, not one that won the race for it.
            const info = await probe.info('server');
            return new RegExp(`^process_id:${daemon.child.pid}\\r?$`, 'm').test(info);
          } finally {
            probe.destroy();
          }
        });
      } catch (err) {
        await daemon.stop();
        if (/Address already in use/i.test(daemon.output())) throw new PortTakenError(`port ${port} taken`);
        throw err;
      }
      return { daemon, port, url: `redis://127.0.0.1:${port}`, dir };
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export async function stopRedis(redis: Redis | undefined): Promise<void> {
  if (redis === undefined) return;
  await redis.daemon.stop();
  rmSync(redis.dir, { recursive: true, force: true });
}
