import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_POLICIES } from '../../src/sandbox/api/index.js';
import { tempDir } from '../helpers/cli.js';
import { requireRedisServer } from '../fixtures/ratelimit/require.js';
import { startRedis, stopRedis, type Redis } from '../helpers/redis-server.js';
import { startSandboxBin, type SandboxProcess } from './harness.js';

/**
 * `apikit sandbox --redis URL`: two sandbox processes (the built CLI, one config directory, so one API key)
 * sharing one real redis-server accept together about one bucket's burst, not two. Without Redis each process
 * has a bucket of its own: the same experiment then lets about two bursts through, which shows the test can tell.
 */
const gate = requireRedisServer();
const policy = API_POLICIES.default;

let redis: Redis | undefined;
const cleanups: Array<() => void> = [];
const running: SandboxProcess[] = [];

beforeAll(async () => {
  if (!gate.skip) redis = await startRedis();
}, 30_000);
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop('SIGKILL')));
  await stopRedis(redis);
  for (const c of cleanups) c();
});

async function twoSandboxes(extra: string[]): Promise<[SandboxProcess, SandboxProcess]> {
  const t = tempDir('apikit-sandbox-redis-');
  cleanups.push(t.cleanup);
  // One after the other: the first writes the API key, the second reads it.
  const a = await startSandboxBin(t.dir, [...extra, '--quiet']);
  running.push(a);
  const b = await startSandboxBin(t.dir, [...extra, '--quiet']);
  running.push(b);
  return [a, b];
}

/**
 * 3 × capacity GETs with the API key, alternating between the two APIs, 10 at a time: how many were let through,
 * and how long the experiment took (the bucket refills meanwhile, which the bound allows for).
 */
async function burst(
  a: SandboxProcess,
  b: SandboxProcess,
): Promise<{ allowed: number; other: number[]; seconds: number }> {
  const key = readFileSync(a.info.api_key_file, 'utf8').trim();
  const total = policy.capacity * 3;
  const statuses: number[] = [];
  const started = performance.now();
  for (let i = 0; i < total; i += 10) {
    const batch = Array.from({ length: Math.min(10, total - i) }, (_, j) => {
      const api = (i + j) % 2 === 0 ? a : b;
      return fetch(`${api.info.api_url}/v1/posts`, {
        headers: { 'X-API-Key': key },
        signal: AbortSignal.timeout(10_000),
      }).then(async (res) => {
        await res.arrayBuffer();
        return res.status;
      });
    });
    statuses.push(...(await Promise.all(batch)));
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    allowed: statuses.filter((s) => s === 200).length,
    other: statuses.filter((s) => s !== 200 && s !== 429),
    seconds,
  };
}

describe.skipIf(gate.skip)(
  `apikit sandbox --redis: two processes, one limit ${gate.skip ? `(${gate.reason})` : ''}`,
  () => {
    it('two sandbox APIs sharing one Redis let about one burst through together (±10%), not two', async () => {
      const [a, b] = await twoSandboxes(['--redis', redis!.url]);
      expect(a.info.rate_limiter).toBe('redis');
      expect(b.info.api_key_file).toBe(a.info.api_key_file);
      const { allowed, other, seconds } = await burst(a, b);
      expect(other).toEqual([]);
      const refilled = Math.ceil(seconds * policy.refillPerSecond);
      expect(allowed).toBeGreaterThanOrEqual(Math.floor(policy.capacity * 0.9));
      expect(allowed).toBeLessThanOrEqual(Math.ceil((policy.capacity + refilled) * 1.1));
      expect(allowed).toBeLessThan(policy.capacity * 1.5);
    });

    it('the control: without --redis the same two processes have a bucket each and let about two bursts through', async () => {
      const [a, b] = await twoSandboxes([]);
      expect(a.info.rate_limiter).toBe('memory');
      const { allowed, other } = await burst(a, b);
      expect(other).toEqual([]);
      expect(allowed).toBeGreaterThanOrEqual(Math.floor(policy.capacity * 2 * 0.9));
    });
  },
);
