import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { clock, FIXED_S, suiteKeyFiles } from './fixtures.js';

/**
 * Issue 9, item 24: RS256 is the most interoperable JWS algorithm and not broken. That it is PKCS#1 v1.5 is an
 * informational lint: a note in `jwt decode`, an entry in every JSON `warnings[]`, never a warning on each mint
 * or verify.
 */
const { k, sign } = suiteKeyFiles('apikit-jwt-info-lint-');
const overrides = { clock };

describe.each(['RS256', 'RS384', 'RS512'])('%s', (alg) => {
  it('mint: nothing on stderr, with or without --json', async () => {
    for (const json of [[], ['--json']]) {
      const r = await runCli(['jwt', 'mint', '--key', k.priv.rsa, '--alg', alg, ...json], { overrides });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
    }
  });

  it('decode: a note, not a warning; in warnings[] with --json', async () => {
    const token = await sign({ exp: FIXED_S + 60 }, { alg }, k.objects.rsa.privateKey);
    const r = await runCli(['jwt', 'decode', token], { overrides });
    expect(r.stderr).toMatch(new RegExp(`^note: ${alg} uses RSA PKCS#1 v1.5.*\\[alg_rsa_pkcs1\\]$`, 'm'));
    expect(r.stderr).not.toMatch(/warning:/);
    const j = await runCli(['jwt', 'decode', token, '--json'], { overrides });
    expect(JSON.parse(j.stdout).warnings.map((w: { id: string }) => w.id)).toEqual(['alg_rsa_pkcs1']);
  });

  it('verify: no warning for people; in warnings[] with --json', async () => {
    const token = await sign({ exp: FIXED_S + 60 }, { alg }, k.objects.rsa.privateKey);
    const r = await runCli(['jwt', 'verify', token, '--key', k.pub.rsa], { overrides });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const batch = await runCli(['jwt', 'verify', '--key', k.pub.rsa], {
      overrides,
      stdin: `${token}\n${token}\n`,
    });
    expect(batch.stderr).toBe('2 tokens: 2 valid, 0 invalid\n');
    const j = await runCli(['jwt', 'verify', token, '--key', k.pub.rsa, '--json'], { overrides });
    expect(JSON.parse(j.stdout).warnings.map((w: { id: string }) => w.id)).toEqual(['alg_rsa_pkcs1']);
    expect(j.stderr).toBe('');
  });
});
