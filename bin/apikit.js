#!/usr/bin/env node
// The only place that ends the process: it sets process.exitCode and lets piped output drain.
// dist/bundle/ is src/ bundled by scripts/bundle.js (start-up time; see there).
import { versionOutput } from '../dist/bundle/version.js';

const argv = process.argv.slice(2);
const versionText = versionOutput(argv);
if (versionText !== undefined) {
  // `--version` (with or without --json) is answered without loading the program; src/cli.ts answers the same
  // for in-process callers.
  process.stdout.write(versionText);
} else {
  const { main, systemEnv, systemIO } = await import('../dist/bundle/apikit.js');
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    controller.abort();
  });
  process.stdout.on('error', (err) => {
    // `apikit ... | head` closes the pipe early; that is not an error worth a stack trace.
    if (err.code === 'EPIPE') process.exitCode ??= 0;
  });
  process.exitCode = await main(argv, systemIO(), systemEnv(), { signal: controller.signal });
}
