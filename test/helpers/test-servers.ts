import { afterEach } from 'vitest';

interface Closable {
  close(): Promise<void>;
}

/** Starts a server for the test calling it; `closeNow` closes one before the test ends (a refused connection). */
export interface TestServers<A extends unknown[], S extends Closable> {
  (...args: A): Promise<S>;
  closeNow(server: S): Promise<void>;
}

/**
 * Servers started inside a test, each closed after that test (an afterEach of the enclosing describe or file) —
 * the per-test counterpart of suiteServers (suite-servers.ts). `const server = testServers(startCorsServer)`, then
 * `await server({ cors })` in a test.
 */
export function testServers<A extends unknown[], S extends Closable>(
  start: (...args: A) => Promise<S>,
): TestServers<A, S> {
  const open: S[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  const started = async (...args: A): Promise<S> => {
    const s = await start(...args);
    open.push(s);
    return s;
  };
  return Object.assign(started, {
    async closeNow(server: S): Promise<void> {
      await server.close();
      open.splice(open.indexOf(server), 1);
    },
  });
}
