import { describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../../helpers/cli.js';
import { b64u, clock, FIXED_S, suiteKeyFiles } from './fixtures.js';

/**
 * Issue 9, item 20: a flag that takes one value, given twice, and flags that contradict each other (or name two
 * key sources) are exit 2 naming both — commander alone would keep the last one without a word. Repeatable flags
 * still repeat. And `jwt mint --from-json` refuses what `--header` refuses.
 */
const { k, sign } = suiteKeyFiles('apikit-jwt-flags-');
const overrides = { clock };

async function expectUsageError(argv: string[], message: RegExp, stdin?: string) {
  const r = await runCli(argv, { overrides, stdin, env: { S: k.secrets.hs256 } });
  expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(message);
  expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
  expect(hasStackTrace(r.stderr)).toBe(false);
}

describe('jwt mint', () => {
  const mint = () => ['jwt', 'mint', '--key', k.priv.ec256];
  it.each([
    [['--exp', '5m', '--no-exp'], /--exp 5m and --no-exp cannot be used together: give "exp" one way/],
    [['--no-exp', '--exp', '5m'], /--exp 5m and --no-exp cannot be used together/],
    [
      ['--iat', '2026-01-15T11:00:00Z', '--no-iat'],
      /--iat 2026-01-15T11:00:00Z and --no-iat cannot be used together/,
    ],
    [
      ['--alg', 'ES256', '--alg', 'RS256'],
      /--alg ES256 and --alg RS256: --alg takes one value; give it once/,
    ],
    [['--sub', 'a', '--sub', 'b'], /--sub a and --sub b: --sub takes one value/],
    [['--exp', '5m', '--exp', '10m'], /--exp 5m and --exp 10m: --exp takes one value/],
    [['--kid', 'a', '--kid', 'a'], /--kid a and --kid a: --kid takes one value/],
    [['--jti', 'a', '--jti', 'b'], /--jti a and --jti b/],
    [['--secret-env', 'S'], /--key .* and --secret-env S cannot be used together: give the key one way/],
    [['--secret-file', 'secret.txt'], /--key .* and --secret-file secret.txt cannot be used together/],
  ])('%j', (args, message) => expectUsageError([...mint(), ...args], message));

  it('--secret-env and --secret-file together', () =>
    expectUsageError(
      ['jwt', 'mint', '--secret-env', 'S', '--secret-file', k.hs256],
      /--secret-env S and --secret-file .* cannot be used together/,
    ));

  it('repeatable flags still repeat', async () => {
    const r = await runCli([...mint(), '--aud', 'a', '--aud', 'b', '--claim', 'x=1', '--claim', 'y=2'], {
      overrides,
    });
    expect(r.code).toBe(0);
  });
});

describe('jwt mint --from-json refuses what --header refuses', () => {
  const doc = (header: Record<string, unknown>) => JSON.stringify({ header, payload: { sub: 'a' } });
  it.each([
    [{ alg: 'none' }, /--from-json: the header says alg "none"/],
    [{ alg: 'NONE', typ: 'JWT' }, /--from-json: the header says alg "none"/],
    [{ alg: 'ES256', crit: ['exp'] }, /--from-json: the header has "crit"/],
    [{ alg: 'ES256', b64: false }, /--from-json: the header has "b64"/],
  ])('%j', (header, message) =>
    expectUsageError(['jwt', 'mint', '--key', k.priv.ec256, '--from-json', '-'], message, doc(header)),
  );

  it('an ordinary header still re-signs', async () => {
    const r = await runCli(['jwt', 'mint', '--key', k.priv.ec256, '--from-json', '-'], {
      overrides,
      stdin: doc({ alg: 'HS256', typ: 'JWT', cty: 'x' }),
    });
    expect(r.code).toBe(0);
  });
});

describe('jwt verify', () => {
  it.each([
    [['--key', 'P', '--jwks', 'F'], /--key P and --jwks F cannot be used together: give the keys one way/],
    [['--key', 'P', '--secret-file', 'S'], /--key P and --secret-file S cannot be used together/],
    [['--key', 'P', '--secret-env', 'S'], /--key P and --secret-env S cannot be used together/],
    [
      ['--jwks', 'F', '--issuer', 'https://as.example'],
      /--jwks F and --issuer https:\/\/as.example cannot be used/,
    ],
    [['--secret-env', 'A', '--secret-file', 'f'], /one way/],
    [['--jwks', 'a', '--jwks', 'b'], /--jwks a and --jwks b: --jwks takes one value/],
    [['--key', 'P', '--iss', 'a', '--iss', 'b'], /--iss a and --iss b: --iss takes one value/],
    [['--key', 'P', '--leeway', '1s', '--leeway', '2s'], /--leeway 1s and --leeway 2s/],
    [['--key', 'P', '--max-size', '10', '--max-size', '20'], /--max-size 10 and --max-size 20/],
    [
      ['--key', 'P', '--passphrase-env', 'A', '--passphrase-env', 'B'],
      /--passphrase-env A and --passphrase-env B/,
    ],
  ])('%j', async (args, message) =>
    expectUsageError(['jwt', 'verify', await sign({ exp: FIXED_S + 60 }), ...args], message),
  );

  it('repeatable flags still repeat: --key, --aud, --alg', async () => {
    const token = await sign({ aud: 'b', exp: FIXED_S + 60 });
    const r = await runCli(
      [
        'jwt',
        'verify',
        token,
        '--key',
        k.pub.rsa,
        '--key',
        k.pub.ec256,
        '--aud',
        'a',
        '--aud',
        'b',
        '--alg',
        'ES256',
        '--alg',
        'RS256',
      ],
      { overrides },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('jwt decode and crack', () => {
  const token = `${b64u({ alg: 'HS256' })}.${b64u({})}.c2ln`;
  it('decode --max-size twice', () =>
    expectUsageError(
      ['jwt', 'decode', token, '--max-size', '1', '--max-size', '99999'],
      /--max-size 1 and --max-size 99999/,
    ));
  it('crack --wordlist twice', () =>
    expectUsageError(
      ['jwt', 'crack', token, '--wordlist', 'a', '--wordlist', 'b'],
      /--wordlist a and --wordlist b/,
    ));
});
