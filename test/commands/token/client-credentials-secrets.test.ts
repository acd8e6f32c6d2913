import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import type { OidcFixture } from '../../helpers/oidc-provider.js';
import { BASIC, cc, CSJWT, PKJWT, POST, useClientCredentialsServer } from './cc-fixture.js';

/**
 * The client secret, the private key and every client assertion stay out of stdout, stderr, the --verbose
 * trace and everything apikit stores.
 * Shared setup: ./cc-fixture.ts.
 */

const fx = useClientCredentialsServer();
const { assertions, env } = fx;
let as: OidcFixture;
let keyPem: string;
let keyPath: string;
beforeAll(() => {
  ({ as, keyPem, keyPath } = fx);
});

describe('no secret or assertion in stdout, stderr or the --verbose trace (real server)', () => {
  const forms = (s: string) => [s, encodeURIComponent(s), new URLSearchParams({ v: s }).toString().slice(2)];
  it.each([
    [
      'client_secret_basic',
      () => cc('--issuer', as.issuer, '--client-id', BASIC.id, '--client-secret-env', 'BASIC_SECRET'),
      BASIC,
    ],
    [
      'client_secret_post',
      () =>
        cc(
          '--issuer',
          as.issuer,
          '--client-id',
          POST.id,
          '--client-secret-env',
          'POST_SECRET',
          '--auth-method',
          'client_secret_post',
        ),
      POST,
    ],
    [
      'client_secret_jwt',
      () =>
        cc(
          '--issuer',
          as.issuer,
          '--client-id',
          CSJWT.id,
          '--client-secret-env',
          'CSJWT_SECRET',
          '--auth-method',
          'client_secret_jwt',
        ),
      CSJWT,
    ],
    [
      'private_key_jwt',
      () => cc('--issuer', as.issuer, '--client-id', PKJWT.id, '--private-key', keyPath),
      undefined,
    ],
  ])('%s', async (_n, argv, client) => {
    assertions.length = 0;
    const e = env();
    const outputs: string[] = [];
    for (const format of ['bare', 'json']) {
      const res = await runCli(['--verbose', ...argv(), '--format', format, '--no-cache'], { env: e });
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toContain('> POST');
      const all = res.stdout + res.stderr;
      outputs.push(all);
      if (client) {
        for (const f of forms(client.secret)) expect(all).not.toContain(f);
        const basic = Buffer.from(
          `${encodeURIComponent(client.id)}:${new URLSearchParams({ v: client.secret }).toString().slice(2)}`,
        ).toString('base64');
        expect(all).not.toContain(basic);
      }
      expect(all).not.toContain('PRIVATE KEY');
    }
    if (client !== BASIC && client !== POST) {
      expect(assertions.length).toBe(2);
      for (const a of assertions) {
        // The whole assertion, its signed part and its signature: in none of the outputs.
        expect(a).toMatch(/^eyJ/);
        const [head, payload, sig] = a.split('.');
        for (const out of outputs) {
          expect(out).toContain('client_assertion=[REDACTED]');
          expect(out).not.toContain(`${head}.${payload}`);
          expect(out).not.toContain(sig!);
        }
      }
    }
    // Nothing stored contains the secret or the key either.
    const dir = e.APIKIT_CONFIG_DIR!;
    let stored = '';
    try {
      for (const f of readdirSync(dir))
        if (statSync(join(dir, f)).isFile()) stored += readFileSync(join(dir, f), 'utf8');
    } catch {
      // no config dir: nothing stored
    }
    if (client) expect(stored).not.toContain(client.secret);
    expect(stored).not.toContain(keyPem.split('\n')[1]!);
  });

  it('the captured assertions are absent from the output', async () => {
    assertions.length = 0;
    const res = await runCli(
      [
        '--verbose',
        ...cc('--issuer', as.issuer, '--client-id', PKJWT.id, '--private-key', keyPath, '--no-cache'),
      ],
      {
        env: env(),
      },
    );
    expect(res.code, res.stderr).toBe(0);
    expect(assertions).toHaveLength(1);
    const [head, payload, sig] = assertions[0]!.split('.');
    const all = res.stdout + res.stderr;
    expect(all).toContain('client_assertion=[REDACTED]');
    expect(all).not.toContain(assertions[0]!);
    expect(all).not.toContain(`${head}.${payload}`);
    expect(all).not.toContain(sig!);
  });
});
