import { createHash, createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import type { OidcFixture } from '../../helpers/oidc-provider.js';
import { BASIC, cc, PKJWT, SCOPE, useClientCredentialsServer } from './cc-fixture.js';

/**
 * What the client-credentials cache is keyed by, counted at the real authorization server (oidc-provider): the
 * credential (a wrong or rotated secret, another key) and every request parameter, --param included.
 * Shared setup: ./cc-fixture.ts.
 */
const fx = useClientCredentialsServer();
const { env, tokenPosts } = fx;
let as: OidcFixture;
let keyPath: string;
beforeAll(() => {
  ({ as, keyPath } = fx);
});

const withSecret = (variable: string, ...extra: string[]) =>
  cc(
    '--issuer',
    as.issuer,
    '--client-id',
    BASIC.id,
    '--client-secret-env',
    variable,
    '--scope',
    SCOPE,
    ...extra,
  );

describe('the cache is keyed by the credential', () => {
  it('good secret, then a wrong one reaches the server (exit 4), then the good one hits the cache', async () => {
    const e = env({ WRONG: 'wrong-secret-0123456789-abcdefghij' });
    const good = await runCli(withSecret('BASIC_SECRET'), { env: e });
    expect(good.code, good.stderr).toBe(0);
    expect(tokenPosts()).toBe(1);

    as.requests.reset();
    const wrong = await runCli(withSecret('WRONG'), { env: e });
    expect(wrong.code, wrong.stderr).toBe(4);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toMatch(/invalid_client/);
    expect(tokenPosts()).toBe(1); // the server was asked, and said no

    as.requests.reset();
    const again = await runCli(withSecret('BASIC_SECRET'), { env: e });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(good.stdout);
    expect(as.requests.count()).toBe(0); // a cache hit: no request at all
  });

  it('the fingerprint is an HMAC under a per-install key (0600); neither it nor the secret nor its hash is stored', async () => {
    const e = env();
    expect((await runCli(withSecret('BASIC_SECRET'), { env: e })).code).toBe(0);
    const dir = e.APIKIT_CONFIG_DIR!;
    const keyFile = join(dir, 'token-cache.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64url');
    expect(key).toHaveLength(32);
    const cache = readFileSync(join(dir, 'token-cache.json'), 'utf8');
    for (const derived of [
      BASIC.secret,
      createHmac('sha256', key).update(BASIC.secret).digest('base64url'),
      createHash('sha256').update(BASIC.secret).digest('hex'),
      createHash('sha256').update(BASIC.secret).digest('base64url'),
    ])
      expect(cache).not.toContain(derived);
    // The key is made once and reused.
    expect((await runCli(withSecret('BASIC_SECRET', '--scope', 'write:reports'), { env: e })).code).toBe(0);
    expect(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64url')).toEqual(key);
  });

  it('a damaged per-install key is replaced (every cached token becomes a miss); an unreadable one is exit 2', async () => {
    const e = env();
    const first = await runCli(withSecret('BASIC_SECRET'), { env: e });
    const keyFile = join(e.APIKIT_CONFIG_DIR!, 'token-cache.key');
    writeFileSync(keyFile, 'not a key\n');
    as.requests.reset();
    const second = await runCli(withSecret('BASIC_SECRET'), { env: e });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).not.toBe(first.stdout);
    expect(tokenPosts()).toBe(1);
    expect(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64url')).toHaveLength(32);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    const other = env();
    mkdirSync(join(other.APIKIT_CONFIG_DIR!, 'token-cache.key'), { recursive: true });
    const res = await runCli(withSecret('BASIC_SECRET'), { env: other });
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toMatch(/^error: cannot read the token cache key ".*token-cache\.key"/);
  });

  it('parallel first runs agree on one per-install key: one request, one token', async () => {
    const e = env();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => runCli(withSecret('BASIC_SECRET'), { env: e })),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(new Set(results.map((r) => r.stdout)).size).toBe(1);
    expect(tokenPosts()).toBe(1);
  });

  it('another private key for the same client is a miss (and refused by the server); the right key hits', async () => {
    const e = env();
    const dir = e.APIKIT_CONFIG_DIR!;
    const other = join(dir, '..', `other-${Date.now()}`);
    expect((await runCli(['keys', 'generate', '--alg', 'ES256', '--out', other])).code).toBe(0);
    const withKey = (path: string) =>
      cc('--issuer', as.issuer, '--client-id', PKJWT.id, '--private-key', path, '--scope', SCOPE);
    const good = await runCli(withKey(keyPath), { env: e });
    expect(good.code, good.stderr).toBe(0);
    as.requests.reset();
    const wrong = await runCli(withKey(`${other}.key.pem`), { env: e });
    expect(wrong.code, wrong.stderr).toBe(4);
    expect(tokenPosts()).toBe(1);
    as.requests.reset();
    const again = await runCli(withKey(keyPath), { env: e });
    expect(again.stdout).toBe(good.stdout);
    expect(as.requests.count()).toBe(0);
  });
});

describe('the cache is keyed by --param', () => {
  it('two runs that differ only in --param get two tokens; the same params in another order hit', async () => {
    const e = env();
    const a = await runCli(withSecret('BASIC_SECRET', '--param', 'tenant=a'), { env: e });
    expect(a.code, a.stderr).toBe(0);
    const b = await runCli(withSecret('BASIC_SECRET', '--param', 'tenant=b'), { env: e });
    expect(b.code, b.stderr).toBe(0);
    const none = await runCli(withSecret('BASIC_SECRET'), { env: e });
    expect(none.code, none.stderr).toBe(0);
    expect(tokenPosts()).toBe(3);
    expect(new Set([a.stdout, b.stdout, none.stdout]).size).toBe(3);

    as.requests.reset();
    const two = await runCli(withSecret('BASIC_SECRET', '--param', 'tenant=a', '--param', 'region=eu'), {
      env: e,
    });
    const swapped = await runCli(withSecret('BASIC_SECRET', '--param', 'region=eu', '--param', 'tenant=a'), {
      env: e,
    });
    expect(tokenPosts()).toBe(1);
    expect(swapped.stdout).toBe(two.stdout);
    const hit = await runCli(withSecret('BASIC_SECRET', '--param', 'tenant=a'), { env: e });
    expect(hit.stdout).toBe(a.stdout);
    expect(tokenPosts()).toBe(1);
  });
});
