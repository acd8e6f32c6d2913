import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { clock, FIXED_S, suiteKeyFiles } from './fixtures.js';

/** `jwt verify` with tokens on stdin: one verdict per line, in order, streamed. */

const { k, sign } = suiteKeyFiles('apikit-jwt-verify-');
const overrides = { clock };

describe('jwt verify: batch mode', () => {
  it('one JSON line per token, in order, with line numbers; exit 1 when any is invalid', async () => {
    const good = await sign({ n: 1, exp: FIXED_S + 60 });
    const expired = await sign({ n: 2, exp: FIXED_S - 60 });
    const input = `${good}\n\n${expired}\nnot-a-token\nBearer ${good}\n`;
    const r = await runCli(['jwt', 'verify', '--key', k.pub.ec256, '--json'], { stdin: input, overrides });
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.line, l.code])).toEqual([
      [1, 'valid'],
      [3, 'expired'],
      [4, 'malformed'],
      [5, 'valid'],
    ]);
    expect(r.stderr).toMatch(/4 tokens: 2 valid, 2 invalid/);
  });

  it('all valid → exit 0; human lines', async () => {
    const tokens = await Promise.all([1, 2, 3].map((n) => sign({ n, exp: FIXED_S + 60 })));
    const r = await runCli(['jwt', 'verify', '-', '--key', k.pub.ec256], {
      stdin: tokens.join('\r\n'),
      overrides,
    });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(3);
    expect(r.stdout).toMatch(/^(valid: ES256 .*\n){3}$/);
  });

  it('keeps order across the concurrency window (200 tokens)', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 200 }, (_, n) => sign({ n, exp: n % 7 === 0 ? FIXED_S - 5 : FIXED_S + 60 })),
    );
    const r = await runCli(['jwt', 'verify', '--key', k.pub.ec256, '--json'], {
      stdin: tokens.join('\n'),
      overrides,
    });
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.payload.n)).toEqual(Array.from({ length: 200 }, (_, n) => n));
    expect(lines.filter((l) => !l.valid).map((l) => l.payload.n)).toEqual(
      Array.from({ length: 200 }, (_, n) => n).filter((n) => n % 7 === 0),
    );
  });

  it('tokens and key both on stdin → exit 2, nothing read as a key', async () => {
    const token = await sign({ exp: FIXED_S + 60 });
    for (const args of [
      ['--key', '-'],
      ['-', '--jwks', '-'],
    ]) {
      const r = await runCli(['jwt', 'verify', ...args], { stdin: `${token}\n`, overrides });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/tokens are read from stdin, so the key cannot be/);
    }
    // With the token as an argument, stdin is free for the key.
    const pem = (await import('node:fs')).readFileSync(k.pub.ec256);
    const ok = await runCli(['jwt', 'verify', token, '--key', '-'], { stdin: pem, overrides });
    expect(ok.code).toBe(0);
  });

  it('empty stdin → exit 2', async () => {
    const r = await runCli(['jwt', 'verify', '--key', k.pub.ec256], { stdin: '\n\n', overrides });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no token on stdin/);
  });
});
