import type { ChildProcess } from 'node:child_process';
import { startBin } from '../../helpers/cli.js';

export interface InterruptedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** From the SIGINT to the CLI's exit. */
  waitedMs: number;
  /** Requests the server saw in all. */
  sent: number;
}

/**
 * Ctrl-C in the middle of a probe, with the built CLI (run `npm run build` first). `start` starts the test's
 * server and gets `interrupt(afterMs)`, for its request handler to call once the probe is where the test wants it
 * (waiting for an answer, or in a Retry-After wait): SIGINT follows `afterMs` later. Resolves when the CLI has
 * exited. The test closes the server (`start` hands it over, so an afterEach can close it whatever happens).
 */
export async function interruptProbe<S extends { url: string; seen: readonly unknown[] }>(
  start: (interrupt: (afterMs: number) => void) => Promise<S>,
  argv: (server: S) => string[],
): Promise<InterruptedRun> {
  // The server starts first (it needs `interrupt`); the child it signals is spawned once the server listens.
  const cli: { child?: ChildProcess } = {};
  let interruptedAt = 0;
  const server = await start((afterMs) => {
    setTimeout(() => {
      interruptedAt = Date.now();
      cli.child?.kill('SIGINT');
    }, afterMs);
  });
  const run = startBin(argv(server), { timeoutMs: 45_000 });
  cli.child = run.child;
  const r = await run.done;
  return { ...r, waitedMs: Date.now() - interruptedAt, sent: server.seen.length };
}
