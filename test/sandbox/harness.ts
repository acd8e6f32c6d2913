import { startBin, type LiveBin } from '../helpers/cli.js';
import type { SandboxInfo } from '../../src/sandbox/index.js';

/**
 * `apikit sandbox --json` as a user runs it: the built CLI as a child process, on free ports, with its own config
 * directory. Resolves once the one JSON document is on stdout (everything listens by then); stop() sends SIGTERM
 * (or `signal`) and resolves with the exit code and what the process wrote.
 */
export interface SandboxProcess {
  info: SandboxInfo;
  bin: LiveBin;
  stdout(): string;
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export async function startSandboxBin(
  configDir: string,
  extra: string[] = [],
  options: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<SandboxProcess> {
  const bin = startBin(['sandbox', '--port', '0', '--issuer-port', '0', '--json', ...extra], {
    env: { APIKIT_CONFIG_DIR: configDir, ...options.env },
    timeoutMs: options.timeoutMs ?? 120_000,
  });
  let out = '';
  let err = '';
  bin.child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  bin.child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  let exited = false;
  void bin.done.then(() => (exited = true));
  const deadline = Date.now() + 30_000;
  let info: SandboxInfo | undefined;
  while (info === undefined) {
    try {
      info = JSON.parse(out) as SandboxInfo;
    } catch {
      if (exited) throw new Error(`apikit sandbox ended before it was ready:\n${err}`);
      if (Date.now() > deadline) {
        bin.child.kill('SIGKILL');
        throw new Error(`apikit sandbox was not ready in 30 s:\n${err}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    info,
    bin,
    stdout: () => out,
    stderr: () => err,
    async stop(signal = 'SIGTERM') {
      if (!exited) bin.child.kill(signal);
      return bin.done;
    },
  };
}
