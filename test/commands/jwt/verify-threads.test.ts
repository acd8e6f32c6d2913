import { createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBin, startBin } from '../../helpers/cli.js';
import { b64u, ensureBuilt } from './fixtures.js';

/**
 * Issue 15: a large `jwt verify` batch is spread over worker threads (src/commands/jwt/verify-pool.ts). Through
 * the built binary (the worker script is a bundle entry): the same bytes on stdout and stderr and the same exit
 * code as with every check on the main thread (APIKIT_VERIFY_THREADS=0), in input order; a line over the limit
 * and Ctrl-C end the batch as before; small batches never start a worker.
 */
beforeAll(() => ensureBuilt());

const SECRET = 'a-long-enough-hmac-secret-for-these-tests-0123456789';
const env = { S: SECRET };
const argv = ['jwt', 'verify', '--secret-env', 'S', '--debug'];

function hs256(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256' }): string {
  const input = `${b64u(header)}.${b64u(claims)}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}

/**
 * Verdicts of every kind, none of them depending on the clock (the binary runs on the real one): valid, aud not
 * checked (a warning kind that first appears late), a bad signature, malformed, alg not allowed, blank lines,
 * "Bearer " and CRLF.
 */
function lines(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 97 === 5) out.push('');
    else if (i % 89 === 7) out.push('not-a-token');
    else if (i % 83 === 11) out.push(hs256({ n: i }).slice(0, -3) + 'AAA');
    else if (i % 79 === 13) out.push(hs256({ n: i }, { alg: 'RS256' }));
    else if (i === 3001) out.push(hs256({ n: i, aud: 'late' }));
    else if (i % 71 === 17) out.push(`Bearer ${hs256({ n: i, sub: `user-${i}` })}\r`);
    else out.push(hs256({ n: i, sub: `user-${i}` }));
  }
  return out;
}

/**
 * Enough lines that the main thread, which goes on verifying while the workers load, is not done before they are
 * ready, also on a loaded machine: ~0.7 s of main-thread HS256 checks past SMALL_BATCH (issue 15 made each check
 * cheaper, which made 5000 lines too few under CI's load).
 */
const MANY = 12_000;

describe('jwt verify: a large batch on worker threads', () => {
  it.each([[false], [true]])(
    `${MANY} lines (--json %s): the same output and exit code as on the main thread, in order`,
    async (json) => {
      const stdin = lines(MANY).join('\n') + '\n';
      const args = json ? [...argv, '--json'] : argv;
      const threaded = await runBin(args, { stdin, env, timeoutMs: 60_000 });
      const single = await runBin(args, {
        stdin,
        env: { ...env, APIKIT_VERIFY_THREADS: '0' },
        timeoutMs: 60_000,
      });
      expect(threaded.stderr).toMatch(/^debug: verifying on \d+ worker threads from line \d+$/m);
      expect(single.stderr).not.toMatch(/worker threads/);
      expect(threaded.code).toBe(1);
      expect(threaded.code).toBe(single.code);
      expect(threaded.stdout).toBe(single.stdout);
      expect(threaded.stderr.replace(/^debug: .*\n/m, '')).toBe(single.stderr);
      expect(threaded.stderr).toMatch(/^warning: line 3002: the token has aud "late"/m);
      if (json) {
        const got = threaded.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { line: number; payload: { n: number } | null });
        const want = lines(MANY)
          .map((text, i) => ({ text, line: i + 1 }))
          .filter((l) => l.text.trim() !== '');
        expect(got.map((v) => v.line)).toEqual(want.map((l) => l.line));
      }
    },
    120_000,
  );

  it('a line over --max-size deep in the batch: exit 2 naming it, the verdicts before it kept', async () => {
    const all = lines(MANY);
    const big = MANY - 1500;
    all[big - 1] = hs256({ n: big - 1, pad: 'x'.repeat(70_000) });
    const stdin = all.join('\n') + '\n';
    const threaded = await runBin(argv, { stdin, env, timeoutMs: 60_000 });
    const single = await runBin(argv, {
      stdin,
      env: { ...env, APIKIT_VERIFY_THREADS: '0' },
      timeoutMs: 60_000,
    });
    expect(threaded.stderr).toMatch(/worker threads/);
    expect(threaded.code).toBe(2);
    // Two wordings, both the main thread's too: with the size when the whole line was read before the check, without
    // it when the line was refused while still arriving (which one depends on how the pipe delivers the chunks).
    expect(threaded.stderr).toMatch(
      new RegExp(
        `^error: the token on stdin line ${big} is (?:\\d+ bytes, )?over the 65536-byte limit$`,
        'm',
      ),
    );
    expect(threaded.stdout).toBe(single.stdout);
    expect(threaded.stdout.split('\n').filter(Boolean)).toHaveLength(
      all.slice(0, big - 1).filter((l) => l.trim() !== '').length,
    );
  }, 120_000);

  it('Ctrl-C while the workers verify: every full line answered, in order, then "interrupted", exit 130', async () => {
    const sent = lines(MANY).filter((l) => l.trim() !== '');
    const bin = startBin(['jwt', 'verify', '--secret-env', 'S', '--json', '--debug'], {
      env,
      timeoutMs: 60_000,
    });
    let stdout = '';
    let stderr = '';
    bin.child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    bin.child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    bin.child.stdin.on('error', () => undefined);
    // stdin stays open after the last full line and a half one: the batch is waiting for more when Ctrl-C comes.
    bin.child.stdin.write(sent.join('\n') + '\n' + sent[0]!.slice(0, 30));
    // Once the workers have their first block, give it time to read the rest (the writer holds output back
    // until 64 KiB or the end, so stdout cannot tell), then Ctrl-C.
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (/worker threads/.test(stderr)) setTimeout(resolve, 1500);
        else setTimeout(check, 50);
      };
      check();
    });
    bin.child.kill('SIGINT');
    const r = await bin.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^interrupted$/m);
    const got = r.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { payload: { n: number } | null }).payload?.n);
    // The lines read in full before Ctrl-C, in order (the in-flight blocks included), and the half line never.
    expect(got.length).toBeGreaterThan(2048);
    const n = (line: string): number | undefined => {
      const part = line.replace(/^Bearer /, '').split('.')[1];
      return part === undefined
        ? undefined
        : (JSON.parse(Buffer.from(part, 'base64url').toString()) as { n: number }).n;
    };
    expect(got).toEqual(sent.slice(0, got.length).map(n));
  }, 120_000);

  it('a small batch stays on the main thread', async () => {
    const stdin = lines(300).join('\n') + '\n';
    const r = await runBin(argv, { stdin, env });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/worker threads/);
  });

  it('APIKIT_VERIFY_THREADS that is not a number of threads → exit 2, nothing verified', async () => {
    const r = await runBin(argv, {
      stdin: `${hs256({ n: 1 })}\n`,
      env: { ...env, APIKIT_VERIFY_THREADS: 'many' },
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/APIKIT_VERIFY_THREADS "many" is not a number of threads/);
  });
});
