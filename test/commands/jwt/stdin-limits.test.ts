import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, hasStackTrace, runCli } from '../../helpers/cli.js';
import { b64u, clock, ensureBuilt, FIXED_S, suiteKeyFiles } from './fixtures.js';

/**
 * Issue 9, item 22: over-size input is one limit (--max-size, 64 KiB by default) and one exit code (2) in decode and
 * verify, whatever the size; and Ctrl-C during a batch verify gives no verdict for the line being read.
 */
const { k, sign } = suiteKeyFiles('apikit-jwt-limits-');
const overrides = { clock };
const FIFTY_MB = 50 * 1024 * 1024;

describe('50 MB on stdin', () => {
  it.each([
    ['one line without a newline', () => Buffer.alloc(FIFTY_MB, 'a')],
    ['one line with a newline', () => Buffer.concat([Buffer.alloc(FIFTY_MB, 'e'), Buffer.from('\n')])],
  ])('%s: decode and verify both exit 2 naming the 65536-byte limit', async (_name, input) => {
    const stdin = input();
    for (const argv of [
      ['jwt', 'decode'],
      ['jwt', 'verify', '--key', k.pub.ec256],
      ['jwt', 'verify', '-', '--key', k.pub.ec256, '--json'],
    ]) {
      const r = await runCli(argv, { stdin, overrides });
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
      expect(r.stderr).toMatch(/over the 65536-byte limit/);
      expect(r.stderr).not.toMatch(/263168|invalid:/);
      expect(hasStackTrace(r.stderr)).toBe(false);
    }
  });

  it('the built binary, reading 50 MB in chunks: exit 2 at once, the verdicts before it kept', async () => {
    ensureBuilt();
    const good = await sign({ exp: Math.floor(Date.now() / 1000) + 600 });
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(process.execPath, [BIN, 'jwt', 'verify', '--key', k.pub.ec256], {
          stdio: ['pipe', 'pipe', 'pipe'],
          timeout: 30_000,
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.stdin.on('error', () => undefined); // it stops reading: the rest of the 50 MB meets a closed pipe
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
        child.stdin.write(`${good}\n`);
        child.stdin.end(Buffer.alloc(FIFTY_MB, 'a'));
      },
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^valid: ES256 .*\n$/);
    expect(r.stderr).toMatch(/^error: the token on stdin line 2 is over the 65536-byte limit$/m);
  });

  it('--max-size is the one limit for both verbs', async () => {
    const token = await sign({ exp: FIXED_S + 60, pad: 'x'.repeat(200) });
    for (const argv of [
      ['jwt', 'decode', '--max-size', '100'],
      ['jwt', 'verify', '--key', k.pub.ec256, '--max-size', '100'],
    ]) {
      const viaStdin = await runCli(argv, { stdin: `${token}\n`, overrides });
      expect(viaStdin.code).toBe(2);
      expect(viaStdin.stderr).toMatch(/is \d+ bytes, over the 100-byte limit/);
      const viaArg = await runCli([...argv, token], { overrides });
      expect(viaArg.code).toBe(2);
      expect(viaArg.stderr).toMatch(/over the 100-byte limit/);
    }
  });
});

describe('Ctrl-C during a batch verify (the built binary, SIGINT)', () => {
  beforeAll(() => ensureBuilt());

  function hs256(n: number): string {
    const input = `${b64u({ alg: 'HS256' })}.${b64u({ n, exp: Math.floor(Date.now() / 1000) + 600 })}`;
    return `${input}.${createHmac('sha256', 'secret').update(input).digest('base64url')}`;
  }

  it('no verdict for the half-read line: the full lines are answered, then "interrupted", exit 130', async () => {
    const half = hs256(4).slice(0, 40);
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        // The weak secret makes verify warn before it reads stdin: the moment it is reading.
        const child = spawn(process.execPath, [BIN, 'jwt', 'verify', '--secret-env', 'S'], {
          env: { PATH: process.env.PATH, S: 'secret' },
          stdio: ['pipe', 'pipe', 'pipe'],
          timeout: 20_000,
        });
        let stdout = '';
        let stderr = '';
        let sent = false;
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => {
          stderr += c.toString();
          if (!sent && /\[weak_secret\]/.test(stderr)) {
            sent = true;
            // Give it time to read the lines, then Ctrl-C — which also ends the program writing to it.
            setTimeout(() => {
              child.kill('SIGINT');
              setTimeout(() => child.stdin.end(), 200);
            }, 400);
          }
        });
        child.stdin.on('error', () => undefined);
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
        child.stdin.write(`${hs256(1)}\n${hs256(2)}\n${hs256(3)}\n${half}`);
      },
    );
    expect(r.code).toBe(130);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^valid: HS256 /),
      expect.stringMatching(/^valid: HS256 /),
      expect.stringMatching(/^valid: HS256 /),
    ]);
    expect(r.stderr).toMatch(/^interrupted$/m);
    expect(r.stderr).not.toMatch(/tokens:/);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});
