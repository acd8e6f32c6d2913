import { startCli, type RunOptions, type RunResult } from '../../helpers/cli.js';

/**
 * runCli (test/helpers/cli.ts) — its options but stdin, its streams and result — with stderr readable while the
 * command runs, so that a server can note what had been printed when its first request arrived ("the budget on
 * stderr before the first request").
 */
export interface LiveRun {
  stderrSoFar(): string;
  done: Promise<RunResult>;
}

export function runCliLive(argv: string[], options: Omit<RunOptions, 'stdin'> = {}): LiveRun {
  const { stderrSoFar, done } = startCli(argv, options);
  return { stderrSoFar, done };
}
