import { afterAll, beforeAll } from 'vitest';

interface Closable {
  close(): Promise<void>;
}

type Started<S> = { [K in keyof S]: S[K] extends () => Promise<infer T> ? T : never };

/**
 * Servers for the enclosing describe (or file): all started at once before its tests, each one closed after them
 * — also when another failed to start. The record is filled in by beforeAll: read it in tests and hooks, not
 * while the tests are being collected.
 */
export function suiteServers<S extends Record<string, () => Promise<Closable>>>(starts: S): Started<S> {
  const started = {} as Record<string, Closable>;
  beforeAll(async () => {
    const results = await Promise.allSettled(
      Object.entries(starts).map(async ([name, start]) => {
        started[name] = await start();
      }),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  });
  afterAll(async () => {
    await Promise.all(Object.values(started).map((s) => s.close()));
  });
  return started as Started<S>;
}
