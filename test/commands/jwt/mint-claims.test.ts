import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../../helpers/cli.js';
import { clock, FIXED_S, suiteKeyFiles } from './fixtures.js';

/**
 * `jwt mint`: explicit claims against defaults and flags (issue 9, item 6), and times no NumericDate can hold
 * (item 23). An explicit claim wins over a default (exp in 15m, iat now); a --claim and a flag that disagree are
 * a usage error naming both; --claims is a document to start from, which the flags override (README).
 */
const { k } = suiteKeyFiles('apikit-jwt-mint-claims-');
const overrides = { clock };

async function mint(args: string[]) {
  const r = await runCli(['jwt', 'mint', '--key', k.priv.ec256, ...args], { overrides });
  expect(hasStackTrace(r.stderr)).toBe(false);
  return { ...r, payload: r.code === 0 ? decodeJwt(r.stdout.trim()) : undefined };
}

describe('jwt mint: an explicit claim wins over a default', () => {
  it.each([
    [['--claim', 'exp=123'], { exp: 123, iat: FIXED_S }],
    [['--claim', 'iat=5'], { exp: FIXED_S + 900, iat: 5 }],
    [['--claims', '{"exp":123,"iat":5}'], { exp: 123, iat: 5 }],
    [['--claims', '{"exp":123}', '--claim', 'iat=7'], { exp: 123, iat: 7 }],
    // Agreeing is not contradicting.
    [['--claim', 'sub="a"', '--sub', 'a'], { sub: 'a', exp: FIXED_S + 900, iat: FIXED_S }],
    [['--exp', '2h', '--claim', `exp=${FIXED_S + 7200}`], { exp: FIXED_S + 7200, iat: FIXED_S }],
    // --claims is a starting point: the flags override it (README).
    [
      ['--claims', '{"sub":"x","exp":1}', '--sub', 'y', '--exp', '1h'],
      { sub: 'y', exp: FIXED_S + 3600, iat: FIXED_S },
    ],
    [['--claims', '{"exp":123}', '--no-exp'], { iat: FIXED_S }],
  ])('%j → %j', async (args, want) => {
    const r = await mint(args);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.payload).toEqual(want);
  });
});

describe('jwt mint: a --claim that contradicts a flag → exit 2 naming both', () => {
  it.each([
    [['--exp', '5m', '--claim', 'exp=123'], /--claim exp=123 contradicts --exp 5m/],
    [['--no-exp', '--claim', 'exp=123'], /--claim exp=123 contradicts --no-exp/],
    [
      ['--iat', '2026-01-15T11:00:00Z', '--claim', 'iat=5'],
      /--claim iat=5 contradicts --iat 2026-01-15T11:00:00Z/,
    ],
    [['--no-iat', '--claim', 'iat=5'], /--claim iat=5 contradicts --no-iat/],
    [['--nbf', '10m', '--claim', 'nbf=5'], /--claim nbf=5 contradicts --nbf 10m/],
    [['--sub', 'alice', '--claim', 'sub=bob'], /--claim sub="bob" contradicts --sub alice/],
    [
      ['--iss', 'https://a', '--claim', 'iss=https://b'],
      /--claim iss="https:\/\/b" contradicts --iss https:\/\/a/,
    ],
    [['--aud', 'a', '--aud', 'b', '--claim', 'aud="a"'], /--claim aud="a" contradicts --aud a --aud b/],
    [['--scope', 'read', '--claim', 'scope=write'], /--claim scope="write" contradicts --scope read/],
    [['--jti', 'x', '--claim', 'jti=y'], /--claim jti="y" contradicts --jti x/],
    [['--claim', 'role=a', '--claim', 'role=b'], /--claim role="a" and --claim role="b": give "role" once/],
  ])('%j', async (args, message) => {
    const r = await mint(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
  });
});

describe('jwt mint: a time no NumericDate can hold → exit 2 (issue 9, item 23)', () => {
  it.each([
    [['--exp', '99999999999d'], /--exp: "99999999999d" is after 5138-11-16T09:46:40Z/],
    [['--exp', '4000000w'], /--exp: "4000000w" is after/],
    [['--nbf', '-99999d'], /--nbf: "-99999d" is before 1970/],
    [['--iat', '-1000000d'], /--iat: "-1000000d" is before 1970/],
  ])('%j', async (args, message) => {
    const r = await mint(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/milliseconds/);
  });

  it('the far but sensible still works: --exp 1000w, --iat in 1970', async () => {
    expect((await mint(['--exp', '1000w'])).payload?.exp).toBe(FIXED_S + 1000 * 7 * 86400);
    expect((await mint(['--iat', '1970-01-02'])).payload?.iat).toBe(86400);
  });
});
