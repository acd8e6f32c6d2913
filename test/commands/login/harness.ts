import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, expect } from 'vitest';
import { main } from '../../../src/cli.js';
import type { ContextOverrides, Env } from '../../../src/context.js';
import { createIO } from '../../../src/io/io.js';
import { tempDir, type RunResult } from '../../helpers/cli.js';
import { Browser } from '../../helpers/browser.js';
import type { OidcFixture } from '../../helpers/oidc-provider.js';

/**
 * Runs apikit in-process like test/helpers/cli.ts runCli, but live: the test sees stderr as it is written (to
 * pick up the authorization URL), may write to stdin later (--manual), and the "browser" drives the login
 * while the command waits. `tty` makes stdin and stdout terminals (so the browser may be opened).
 */
export interface LiveRun {
  stderr(): string;
  stdout(): string;
  /** Writes to the command's stdin (for --manual). */
  type(text: string): void;
  /** Resolves with the first line on stderr matching `re` (bounded by `timeoutMs`). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The authorization URL apikit printed on stderr. */
  authorizationUrl(): Promise<string>;
  /** URLs passed to ctx.openUrl (the browser apikit would open). */
  opened: string[];
  done: Promise<RunResult>;
}

export function startCli(
  argv: string[],
  options: { env?: Env; tty?: boolean; overrides?: ContextOverrides; onOpen?: (url: string) => void } = {},
): LiveRun {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => {
    err += c.toString('utf8');
    for (const w of waiters.splice(0)) w();
  });
  const tty = options.tty ?? false;
  const env: Env = { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env };
  const io = createIO(
    { stdin, stdout, stderr, stdinIsTTY: tty, stdoutIsTTY: tty, stderrIsTTY: tty, columns: 100 },
    env,
  );
  const opened: string[] = [];
  const overrides: ContextOverrides = {
    openUrl: async (url) => {
      opened.push(url);
      options.onOpen?.(url);
    },
    ...options.overrides,
  };
  let finished = false;
  const done = main(argv, io, env, overrides).then((code) => {
    finished = true;
    for (const w of waiters.splice(0)) w();
    return { code, stdout: out, stderr: err };
  });
  const run: LiveRun = {
    stderr: () => err,
    stdout: () => out,
    type: (text) => void stdin.write(text),
    opened,
    done,
    async waitFor(re, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = err.match(re);
        if (m) return m;
        if (finished) throw new Error(`command ended before ${re} appeared on stderr:\n${err}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for ${re} on stderr:\n${err}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
    async authorizationUrl() {
      return (await run.waitFor(/^ {2}(http\S+)$/m))[1]!;
    },
  };
  return run;
}

export function loginArgs(as: OidcFixture, ...extra: string[]): string[] {
  return ['login', '--issuer', as.issuer, '--client-id', 'apikit-cli', ...extra];
}

/** Logs in through the real provider with a scripted browser; returns the run result and the browser. */
export async function login(
  as: OidcFixture,
  configDir: string,
  extra: string[] = [],
  browser = new Browser(),
): Promise<{
  result: RunResult;
  browser: Browser;
  callbackUrl: string;
  page: { status: number; headers: Headers; body: string };
}> {
  const run = startCli([...loginArgs(as, '--no-browser'), ...extra], {
    env: { APIKIT_CONFIG_DIR: configDir },
  });
  const url = await run.authorizationUrl();
  const callbackUrl = await browser.authorize(url);
  const page = await browser.request(callbackUrl);
  const result = await run.done;
  return { result, browser, callbackUrl, page };
}

export function configPath(dir: string): string {
  return join(dir, 'config.json');
}

export function readConfig(dir: string): {
  profiles?: Record<string, Record<string, unknown> & { tokens?: Record<string, unknown> }>;
} {
  if (!existsSync(configPath(dir))) return {};
  return JSON.parse(readFileSync(configPath(dir), 'utf8')) as ReturnType<typeof readConfig>;
}

/** Every secret that must never be printed: what the provider saw plus everything stored in the config. */
export function secretsOf(as: OidcFixture, dir: string, extra: string[] = []): string[] {
  const stored: string[] = [];
  for (const p of Object.values(readConfig(dir).profiles ?? {})) {
    for (const f of ['accessToken', 'refreshToken', 'idToken']) {
      const v = p.tokens?.[f];
      if (typeof v === 'string') stored.push(v);
    }
  }
  return [...new Set([...as.secrets(), ...stored, ...extra])].filter((s) => s.length >= 8);
}

/** The checks after every case: 0600 file in a 0700 dir (when it exists) and no secret in any output. */
export function assertHygiene(dir: string, outputs: string[], secrets: string[]): void {
  if (existsSync(configPath(dir))) {
    expect(statSync(configPath(dir)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    JSON.parse(readFileSync(configPath(dir), 'utf8'));
  }
  for (const text of outputs) {
    for (const secret of secrets) {
      if (text.includes(secret))
        throw new Error(`secret ${secret.slice(0, 6)}… leaked into output:\n${text.slice(0, 2000)}`);
    }
  }
}

/** Nothing stored for `profile` (after a failure). */
export function assertNothingStored(dir: string, profile = 'default'): void {
  expect(readConfig(dir).profiles?.[profile]).toBeUndefined();
}

/** Makes a stored access token look like it expires in `inMs` (it is still valid at the server). */
export function makeExpiring(dir: string, profile: string, inMs: number): void {
  const path = configPath(dir);
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  doc.profiles[profile].tokens.expiresAt = Date.now() + inMs;
  writeFileSync(path, JSON.stringify(doc, null, '\t'));
}

/** A maker of fresh config directories for one test file; all of them are removed after the file's tests. */
export function configDirs(prefix: string): () => string {
  const dirs: Array<() => void> = [];
  afterAll(() => {
    for (const cleanup of dirs) cleanup();
  });
  return () => {
    const t = tempDir(prefix);
    dirs.push(t.cleanup);
    return t.dir;
  };
}
