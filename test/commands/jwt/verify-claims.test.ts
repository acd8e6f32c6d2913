import { describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../../helpers/cli.js';
import { clock, FIXED_S, suiteKeyFiles } from './fixtures.js';

/** `jwt verify`: the claim checks (frozen clock), one verdict per case, and the shape of the JSON verdict. */

const { k, sign } = suiteKeyFiles('apikit-jwt-verify-');
const overrides = { clock };

const verifyJson = async (token: string, args: string[] = [], env = {}) => {
  const r = await runCli(['jwt', 'verify', token, '--key', k.pub.ec256, '--json', ...args], {
    overrides,
    env,
  });
  expect(hasStackTrace(r.stderr)).toBe(false);
  return { ...r, doc: r.stdout ? JSON.parse(r.stdout) : undefined };
};

describe('jwt verify: claims table (frozen clock)', () => {
  const now = FIXED_S;
  it.each([
    [
      'valid',
      { sub: 'a', exp: now + 60 },
      {},
      [],
      'valid',
      /ES256 signature by .*ec256.pub.pem \(P-256\); sub "a"; expires in 1m/,
    ],
    ['expired', { exp: now - 252 }, {}, [], 'expired', /^expired 4m12s ago$/],
    ['expired, within leeway', { exp: now - 20 }, {}, ['--leeway', '30s'], 'valid', /within leeway/],
    ['expired, beyond leeway', { exp: now - 40 }, {}, ['--leeway', '30s'], 'expired', /expired 40s ago/],
    [
      'nbf in the future',
      { nbf: now + 300, exp: now + 600 },
      {},
      [],
      'not_yet_valid',
      /not valid for another 5m/,
    ],
    [
      'nbf future, within leeway',
      { nbf: now + 10, exp: now + 600 },
      {},
      ['--leeway', '30s'],
      'valid',
      /valid|ES256/,
    ],
    [
      'iat in the future',
      { iat: now + 120, exp: now + 600 },
      {},
      [],
      'iat_future',
      /issued 2m in the future/,
    ],
    [
      'iat future, with --max-age',
      { iat: now + 120, exp: now + 600 },
      {},
      ['--max-age', '1h'],
      'iat_future',
      /in the future/,
    ],
    ['string exp', { exp: String(now + 60) }, {}, [], 'claim_invalid', /"exp" is "\d+", not a number/],
    [
      'string iat',
      { iat: 'yesterday', exp: now + 60 },
      {},
      [],
      'claim_invalid',
      /"iat" is "yesterday", not a number/,
    ],
    ['no exp (valid, warned)', { sub: 'x' }, {}, [], 'valid', /ES256/],
    ['aud string matches', { aud: 'api', exp: now + 60 }, {}, ['--aud', 'api'], 'valid', /ES256/],
    ['aud array contains', { aud: ['other', 'api'], exp: now + 60 }, {}, ['--aud', 'api'], 'valid', /ES256/],
    ['one of several --aud', { aud: 'b', exp: now + 60 }, {}, ['--aud', 'a', '--aud', 'b'], 'valid', /ES256/],
    [
      'aud mismatch',
      { aud: 'other', exp: now + 60 },
      {},
      ['--aud', 'api'],
      'aud_mismatch',
      /aud is "other", expected "api"/,
    ],
    [
      'aud array mismatch',
      { aud: ['x', 'y'], exp: now + 60 },
      {},
      ['--aud', 'api'],
      'aud_mismatch',
      /aud is \["x","y"\]/,
    ],
    ['aud missing', { exp: now + 60 }, {}, ['--aud', 'api'], 'aud_mismatch', /aud is absent/],
    [
      'iss matches',
      { iss: 'https://a.example', exp: now + 60 },
      {},
      ['--iss', 'https://a.example'],
      'valid',
      /ES256/,
    ],
    [
      'iss mismatch',
      { iss: 'https://evil.example', exp: now + 60 },
      {},
      ['--iss', 'https://a.example'],
      'iss_mismatch',
      /iss is "https:\/\/evil.example", expected "https:\/\/a.example"/,
    ],
    ['sub mismatch', { sub: 'bob', exp: now + 60 }, {}, ['--sub', 'alice'], 'sub_mismatch', /sub is "bob"/],
    ['typ matches (at+jwt)', { exp: now + 60 }, { typ: 'at+jwt' }, ['--typ', 'at+jwt'], 'valid', /ES256/],
    [
      'typ matches (application/at+jwt)',
      { exp: now + 60 },
      { typ: 'application/at+jwt' },
      ['--typ', 'at+jwt'],
      'valid',
      /ES256/,
    ],
    [
      'typ mismatch',
      { exp: now + 60 },
      { typ: 'JWT' },
      ['--typ', 'at+jwt'],
      'typ_mismatch',
      /typ is not "at\+jwt"/,
    ],
    ['typ missing', { exp: now + 60 }, {}, ['--typ', 'at+jwt'], 'typ_mismatch', /typ/],
    [
      'scope present (scope)',
      { scope: 'read write', exp: now + 60 },
      {},
      ['--require-scope', 'write'],
      'valid',
      /ES256/,
    ],
    [
      'scope present (scp array)',
      { scp: ['read', 'write'], exp: now + 60 },
      {},
      ['--require-scope', 'read', '--require-scope', 'write'],
      'valid',
      /ES256/,
    ],
    [
      'scope missing',
      { scope: 'read', exp: now + 60 },
      {},
      ['--require-scope', 'write'],
      'scope_missing',
      /scope "write" missing/,
    ],
    [
      'scope prefix is not the scope',
      { scope: 'writer', exp: now + 60 },
      {},
      ['--require-scope', 'write'],
      'scope_missing',
      /scope "write" missing/,
    ],
    [
      'no scope claim',
      { exp: now + 60 },
      {},
      ['--require-scope', 'read'],
      'scope_missing',
      /no "scope" or "scp"/,
    ],
    ['require-claim present', { tid: 't1', exp: now + 60 }, {}, ['--require-claim', 'tid'], 'valid', /ES256/],
    [
      'require-claim missing',
      { exp: now + 60 },
      {},
      ['--require-claim', 'tid'],
      'claim_missing',
      /required claim "tid" is missing/,
    ],
    [
      'require-claim typed value',
      { admin: true, exp: now + 60 },
      {},
      ['--require-claim', 'admin=true'],
      'valid',
      /ES256/,
    ],
    [
      'require-claim wrong value',
      { admin: 'true', exp: now + 60 },
      {},
      ['--require-claim', 'admin=true'],
      'claim_mismatch',
      /claim "admin" is "true", expected true/,
    ],
    [
      'require-claim value in array',
      { roles: ['a', 'ops'], exp: now + 60 },
      {},
      ['--require-claim', 'roles=ops'],
      'valid',
      /ES256/,
    ],
    [
      'max-age exceeded',
      { iat: now - 7200, exp: now + 60 },
      {},
      ['--max-age', '1h'],
      'too_old',
      /issued 2h ago, over --max-age 1h/,
    ],
    [
      'max-age without iat',
      { exp: now + 60 },
      {},
      ['--max-age', '1h'],
      'claim_missing',
      /required claim "iat" is missing/,
    ],
  ])('%s → %s', async (_name, payload, header, args, code, reason) => {
    const r = await verifyJson(await sign(payload, header), args);
    expect(r.doc.code).toBe(code);
    expect(r.doc.valid).toBe(code === 'valid');
    expect(r.code).toBe(code === 'valid' ? 0 : 1);
    expect(r.doc.reason).toMatch(reason);
  });

  it('the JSON verdict has exactly the documented fields', async () => {
    const r = await verifyJson(await sign({ sub: 'a', exp: FIXED_S + 60 }, { kid: 'x' }));
    expect(Object.keys(r.doc)).toEqual(['valid', 'code', 'reason', 'header', 'payload', 'key', 'warnings']);
    expect(r.doc.header).toEqual({ alg: 'ES256', kid: 'x' });
    expect(r.doc.payload).toEqual({ sub: 'a', exp: FIXED_S + 60 });
    expect(r.doc.key).toMatch(/ec256.pub.pem \(P-256\)/);
  });

  it('a token with aud and no --aud: valid, warned, and the verdict says so', async () => {
    const token = await sign({ aud: 'api', exp: FIXED_S + 60 });
    const r = await verifyJson(token);
    expect(r.code).toBe(0);
    expect(r.doc.warnings).toContainEqual({
      id: 'aud_not_checked',
      message: expect.stringContaining('audience not checked'),
    });
    expect(r.doc.reason).toMatch(/audience NOT checked/);
    expect(r.stderr).toMatch(/\[aud_not_checked\]/);
    const human = await runCli(['jwt', 'verify', token, '--key', k.pub.ec256], { overrides });
    expect(human.stdout).toMatch(/^valid: .*audience NOT checked\n$/);
  });
});
