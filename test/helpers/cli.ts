import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { main } from '../../src/cli.js';
import type { ContextOverrides, Env } from '../../src/context.js';
import { createIO } from '../../src/io/io.js';

export interface RunOptions {
  stdin?: string | Buffer;
  /** Pretend every stream is a terminal (colour, tables, progress). */
  tty?: boolean;
  env?: Env;
  overrides?: ContextOverrides;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A run of apikit still going: its streams, what they have carried so far, and its end. */
export interface LiveCli {
  stdout: PassThrough;
  stderr: PassThrough;
  stdoutSoFar(): string;
  /** stdout as the bytes written (a binary body must arrive intact). */
  stdoutBytes(): Buffer;
  stderrSoFar(): string;
  done: Promise<RunResult>;
}

/**
 * Starts apikit in-process with injected streams and env, and returns at once: a test can read stderr while the
 * command runs (test/commands/probe/live-cli.ts) or just await `done` (runCli).
 */
export function startCli(argv: string[], options: RunOptions = {}): LiveCli {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  const bytes: Buffer[] = [];
  stdout.on('data', (c: Buffer | string) => {
    const chunk = Buffer.from(c);
    bytes.push(chunk);
    out += chunk.toString('utf8');
  });
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const stdin = Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]);
  const tty = options.tty ?? false;
  const env: Env = { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env };
  const io = createIO(
    { stdin, stdout, stderr, stdinIsTTY: false, stdoutIsTTY: tty, stderrIsTTY: tty, columns: 100 },
    env,
  );
  const done = main(argv, io, env, options.overrides).then((code) => ({ code, stdout: out, stderr: err }));
  return {
    stdout,
    stderr,
    stdoutSoFar: () => out,
    stdoutBytes: () => Buffer.concat(bytes),
    stderrSoFar: () => err,
    done,
  };
}

/** Runs apikit in-process with injected streams and env — the way tests exercise commands. */
export function runCli(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  return startCli(argv, options).done;
}

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'apikit.js');

/** The built CLI as a child process, still running: the child (to signal it), and its end with its output. */
export interface LiveBin {
  child: ChildProcessWithoutNullStreams;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts the built CLI as a user would (node bin/apikit.js), stdin left open; returns at once. */
export function startBin(
  argv: string[],
  options: { env?: Env; cwd?: string; timeoutMs?: number } = {},
): LiveBin {
  const child = spawn(process.execPath, [BIN, ...argv], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: options.timeoutMs ?? 30_000,
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('error', reject);
    // A child may end without reading all of its stdin (`--version` never reads it; a batch stops at a bad line):
    // what the test had still to write is then refused, EPIPE, which says nothing about the child's answer.
    child.stdin.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') reject(e);
    });
    child.on('close', (code) => resolve({ code, stdout: out, stderr: err }));
  });
  return { child, done };
}

/** Runs the built CLI as a user would: a child process of node bin/apikit.js. */
export async function runBin(
  argv: string[],
  options: { stdin?: string | Buffer; env?: Env; cwd?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  const { child, done } = startBin(argv, options);
  child.stdin.end(options.stdin ?? '');
  const r = await done;
  return { ...r, code: r.code ?? -1 };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'apikit-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** True when no stack trace leaked into the text. */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+\(.+:\d+:\d+\)/.test(text) || /^\s+at [\w.<>]+ \(/m.test(text);
}

/** Whether a Debian binary is on PATH; tests that need it skip locally without it, but never under CI=true. */
export function requireBinary(name: string, check: () => boolean): { skip: boolean; reason: string } {
  const present = check();
  if (!present && process.env.CI === 'true') {
    throw new Error(`${name} is required under CI=true: .ci/run must install it`);
  }
  return { skip: !present, reason: `${name} is not installed (apt-get install ${name})` };
}
