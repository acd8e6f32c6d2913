import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Redactor } from '../../../src/io/redact.js';
import { runCli } from '../../helpers/cli.js';
import { b64u, clock, FIXED_S, suiteKeyFiles, write } from './fixtures.js';

/**
 * Issue 9, item 7 (jwt): the weak- and short-secret warnings are part of the --json answer too, and apikit never
 * puts a secret into a message in the first place — checked with the redactor switched off, so that nothing it
 * would have hidden can pass for apikit's own restraint.
 */
const { k } = suiteKeyFiles('apikit-jwt-secret-warnings-');
const overrides = { clock };

function hs256(secret: string, payload: object = { sub: 'me', exp: FIXED_S + 60 }): string {
  const input = `${b64u({ alg: 'HS256', typ: 'JWT' })}.${b64u(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

const ids = (warnings: { id: string }[]) => warnings.map((w) => w.id);

describe('jwt verify --json: the secret warnings are in warnings[]', () => {
  it.each([
    ['secret', ['weak_secret', 'short_secret']],
    ['a-string-secret-at-least-256-bits-long', ['weak_secret']],
    ['not-weak-but-short-20b', ['short_secret']],
    ['Zq3vK9pLmN2xR7tY5wB8cD1eF4gH6jK0-strong', []],
  ])('%j → %j', async (secret, want) => {
    const token = hs256(secret);
    const one = await runCli(['jwt', 'verify', token, '--secret-env', 'S', '--json'], {
      overrides,
      env: { S: secret },
    });
    expect(one.code).toBe(0);
    expect(ids(JSON.parse(one.stdout).warnings)).toEqual(want);
    for (const id of want) expect(one.stderr).toContain(`[${id}]`);
    // A batch: every JSON line is a whole answer, with the run's warnings in it.
    const batch = await runCli(['jwt', 'verify', '--secret-env', 'S', '--json'], {
      overrides,
      env: { S: secret },
      stdin: `${token}\n${token}\n`,
    });
    const lines = batch.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => ids(l.warnings))).toEqual([want, want]);
  });

  it('a secret file given with --key warns the same way', async () => {
    const file = write(k.dir, 'weak-key.secret', 'a-string-secret-at-least-256-bits-long\n');
    const r = await runCli(
      ['jwt', 'verify', hs256('a-string-secret-at-least-256-bits-long'), '--key', file, '--json'],
      {
        overrides,
      },
    );
    expect(ids(JSON.parse(r.stdout).warnings)).toEqual(['weak_secret']);
  });
});

describe('no message carries the secret (redactor off)', () => {
  afterEach(() => vi.restoreAllMocks());
  const identity = (text: string) => text;
  const redactorOff = () => {
    for (const method of ['message', 'redact'] as const)
      if (typeof (Redactor.prototype as unknown as Record<string, unknown>)[method] === 'function')
        vi.spyOn(Redactor.prototype, method as 'redact').mockImplementation(identity);
  };

  it.each([
    [
      'mint: a short secret',
      ['jwt', 'mint', '--secret-env', 'S'],
      'Zq9!kW',
      2,
      /the HMAC secret is 6 bytes; HS256 needs at least 32/,
    ],
    [
      'mint: a short weak secret',
      ['jwt', 'mint', '--secret-env', 'S'],
      'changeme',
      2,
      /the HMAC secret is 8 bytes/,
    ],
    [
      'mint: a weak long secret',
      ['jwt', 'mint', '--secret-env', 'S'],
      'a-string-secret-at-least-256-bits-long',
      0,
      /\[weak_secret\]/,
    ],
    ['mint: --secret-file, short', ['jwt', 'mint', '--secret-file', '@file'], 'Zq9!kW', 2, /is 6 bytes/],
    [
      'verify: weak and short',
      ['jwt', 'verify', '@token', '--secret-env', 'S'],
      'changeme',
      0,
      /\[short_secret\]/,
    ],
    [
      'verify: the wrong secret',
      ['jwt', 'verify', '@other', '--secret-env', 'S'],
      'Qw7-kP2-short',
      1,
      /^invalid: signature/m,
    ],
    [
      'verify --json: the wrong secret',
      ['jwt', 'verify', '@other', '--secret-env', 'S', '--json'],
      'Qw7-kP2-short',
      1,
      /"signature_invalid"/,
    ],
    [
      'verify: a secret that is not text',
      ['jwt', 'verify', '@token', '--secret-env', 'S'],
      'Qw7\uFFFDkP2-binary',
      2,
      /is binary/,
    ],
  ])('%s', async (_name, argv, secret, code, message) => {
    redactorOff();
    const file = write(k.dir, 'msg.secret', `${secret}\n`);
    const args = argv.map((a) =>
      a === '@file'
        ? file
        : a === '@token'
          ? hs256(secret)
          : a === '@other'
            ? hs256('the-other-secret-entirely-0123456789')
            : a,
    );
    const r = await runCli(args, { overrides, env: { S: secret } });
    expect(r.code).toBe(code);
    expect(r.stdout + r.stderr).toMatch(message);
    expect(r.stderr).not.toContain(secret);
    // A token signed with it is the answer on stdout for mint; nothing else may hold the secret.
    expect(r.stdout).not.toContain(secret);
  });
});
