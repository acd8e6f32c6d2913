import { sign as cryptoSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { b64u, clock, FIXED_S, suiteKeyFiles } from './fixtures.js';

/**
 * NumericDates (RFC 7519 §2) at their edges, with a frozen clock: a number too large for a double (1e400 parses
 * as Infinity) is no time at all (issue 9, item 10), and a future "iat" meets --leeway (a missing test, issue 9).
 */
const { k, sign } = suiteKeyFiles('apikit-jwt-times-');
const overrides = { clock };

/** ES256 over exact payload TEXT: JSON.stringify could never write 1e400. */
function rawToken(payloadText: string): string {
  const input = `${b64u('{"alg":"ES256"}')}.${b64u(payloadText)}`;
  const sig = cryptoSign('sha256', Buffer.from(input), {
    key: k.objects.ec256.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${sig.toString('base64url')}`;
}

describe('jwt verify: every NumericDate must be a finite number → claim_invalid', () => {
  const later = FIXED_S + 600;
  it.each([
    ['exp 1e400', '{"exp":1e400}', 'exp'],
    ['exp -1e400', '{"exp":-1e400}', 'exp'],
    ['nbf 1e400', `{"nbf":1e400,"exp":${later}}`, 'nbf'],
    ['nbf -1e400', `{"nbf":-1e400,"exp":${later}}`, 'nbf'],
    ['iat 1e400', `{"iat":1e400,"exp":${later}}`, 'iat'],
    ['iat -1e400', `{"iat":-1e400,"exp":${later}}`, 'iat'],
  ])('%s', async (_name, payload, claim) => {
    const token = rawToken(payload);
    for (const extra of [[], ['--max-age', '1h'], ['--leeway', '30s']]) {
      const r = await runCli(['jwt', 'verify', token, '--key', k.pub.ec256, '--json', ...extra], {
        overrides,
      });
      expect(r.code).toBe(1);
      const doc = JSON.parse(r.stdout);
      expect({ code: doc.code, valid: doc.valid }).toEqual({ code: 'claim_invalid', valid: false });
      expect(doc.reason).toBe(
        `"${claim}" is not a finite number (a NumericDate is a count of seconds, RFC 7519 §2)`,
      );
    }
    const human = await runCli(['jwt', 'verify', token, '--key', k.pub.ec256], { overrides });
    expect(human.stdout).toMatch(/^invalid: ".*" is not a finite number/);
    expect(human.stdout + human.stderr).not.toMatch(/Infinity/);
  });

  it('a forged signature is still reported as a bad signature first', async () => {
    const [h, p] = rawToken('{"exp":1e400}').split('.');
    const other = await sign({ exp: FIXED_S + 60 });
    const r = await runCli(
      ['jwt', 'verify', `${h}.${p}.${other.split('.')[2]}`, '--key', k.pub.ec256, '--json'],
      {
        overrides,
      },
    );
    expect(JSON.parse(r.stdout).code).toBe('signature_invalid');
  });
});

describe('jwt decode: a non-finite time is named, never printed as Infinity', () => {
  it.each([false, true])('tty=%s', async (tty) => {
    const token = rawToken(`{"exp":1e400,"iat":-1e400,"nbf":${FIXED_S}}`);
    const r = await runCli(['jwt', 'decode', token], { overrides, tty });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/Infinity/);
    expect(r.stdout).toMatch(/exp +overflow +.*not a finite number/);
    expect(r.stderr).toMatch(/"exp" is a number too large to be finite.*\[time_not_numeric\]/);
    const j = await runCli(['jwt', 'decode', token, '--json'], { overrides });
    const times = JSON.parse(j.stdout).times;
    expect(times.find((t: { claim: string }) => t.claim === 'exp')).toEqual({ claim: 'exp', value: null });
  });
});

describe('jwt verify: a future "iat" and --leeway (frozen clock)', () => {
  it.each([
    [10, ['--leeway', '30s'], 'valid'],
    [30, ['--leeway', '30s'], 'valid'],
    [60, ['--leeway', '30s'], 'iat_future'],
    [10, [], 'iat_future'],
    [60, ['--leeway', '30s', '--max-age', '1h'], 'iat_future'],
  ])('iat %is ahead with %j → %s', async (ahead, args, code) => {
    const token = await sign({ iat: FIXED_S + ahead, exp: FIXED_S + 600 });
    const r = await runCli(['jwt', 'verify', token, '--key', k.pub.ec256, '--json', ...args], { overrides });
    const doc = JSON.parse(r.stdout);
    expect(doc.code).toBe(code);
    expect(r.code).toBe(code === 'valid' ? 0 : 1);
    if (code === 'iat_future')
      expect(doc.reason).toBe(`issued ${ahead === 60 ? '1m' : `${ahead}s`} in the future ("iat")`);
  });
});
