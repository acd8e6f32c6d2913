import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runBin, runCli } from '../../helpers/cli.js';
import type { OidcFixture } from '../../helpers/oidc-provider.js';
import { BASIC, cc, ccBasic, PKJWT, POST, SCOPE, useClientCredentialsServer } from './cc-fixture.js';

/**
 * The client-credentials token cache: hits make no request, the key covers every request parameter, failures
 * are not cached, parallel runs share one token — and the CI usage through the built binary.
 * Shared setup: ./cc-fixture.ts.
 */

const fx = useClientCredentialsServer();
const { env, tokenPosts } = fx;
let as: OidcFixture;
let keyPath: string;
beforeAll(() => {
  ({ as, keyPath } = fx);
});

describe('token cache', () => {
  const argv = () => ccBasic(as);

  it('a cache hit makes no request at all; --no-cache makes one; a near-expiry entry renews', async () => {
    const e = env();
    const t0 = Date.now();
    let now = t0;
    const overrides = { clock: { now: () => now } };

    const first = await runCli(argv(), { env: e, overrides });
    expect(first.code, first.stderr).toBe(0);
    expect(tokenPosts()).toBe(1);
    const cacheFile = join(e.APIKIT_CONFIG_DIR!, 'token-cache.json');
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(cacheFile, 'utf8')).not.toContain(BASIC.secret);

    as.requests.reset();
    now = t0 + 200_000; // 100 s left > --min-ttl 60 s
    const hit = await runCli(argv(), { env: e, overrides });
    expect(hit.code, hit.stderr).toBe(0);
    expect(hit.stdout).toBe(first.stdout);
    expect(as.requests.count()).toBe(0); // not even discovery

    const json = await runCli([...argv(), '--format', 'json'], { env: e, overrides });
    expect(as.requests.count()).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ expires_in: 100, access_token: first.stdout.trim() });

    const bypass = await runCli([...argv(), '--no-cache'], { env: e, overrides });
    expect(bypass.code, bypass.stderr).toBe(0);
    expect(tokenPosts()).toBe(1);
    expect(bypass.stdout).not.toBe(first.stdout);

    as.requests.reset();
    const wantsMore = await runCli([...argv(), '--min-ttl', '2m'], { env: e, overrides });
    expect(tokenPosts()).toBe(1); // 100 s left ≤ 2 m
    expect(wantsMore.stdout).not.toBe(first.stdout);

    as.requests.reset();
    now = t0 + 10 * 60_000; // everything cached so far has expired
    const renewed = await runCli(argv(), { env: e, overrides });
    expect(renewed.code, renewed.stderr).toBe(0);
    expect(tokenPosts()).toBe(1);
    expect(renewed.stdout).not.toBe(first.stdout);
    expect(renewed.stdout).not.toBe(wantsMore.stdout);
    expect((await as.introspect(renewed.stdout.trim())).active).toBe(true);
  });

  it('the key includes scope, resource, audience, auth method and client: a different one is a miss', async () => {
    const e = env();
    const a = await runCli(argv(), { env: e });
    expect(tokenPosts()).toBe(1);
    const b = await runCli([...argv().slice(0, -1), 'read:reports write:reports'], { env: e });
    expect(tokenPosts()).toBe(2);
    expect(b.stdout).not.toBe(a.stdout);
    // Scopes are a set: the same scopes in another order hit.
    const c = await runCli([...argv().slice(0, -1), 'write:reports read:reports'], { env: e });
    expect(tokenPosts()).toBe(2);
    expect(c.stdout).toBe(b.stdout);
    await runCli([...argv(), '--auth-method', 'client_secret_basic'], { env: e });
    expect(tokenPosts()).toBe(3);
    const pk = await runCli(
      cc('--issuer', as.issuer, '--client-id', PKJWT.id, '--private-key', keyPath, '--scope', SCOPE),
      { env: e },
    );
    expect(pk.code, pk.stderr).toBe(0);
    expect(tokenPosts()).toBe(4);
  });

  it('a wrong secret is not cached, and a cached token is not served for another client', async () => {
    const e = env({ WRONG: 'definitely-wrong-secret' });
    expect(
      (
        await runCli(cc('--issuer', as.issuer, '--client-id', BASIC.id, '--client-secret-env', 'WRONG'), {
          env: e,
        })
      ).code,
    ).toBe(4);
    expect(
      (
        await runCli(cc('--issuer', as.issuer, '--client-id', BASIC.id, '--client-secret-env', 'WRONG'), {
          env: e,
        })
      ).code,
    ).toBe(4);
    expect(tokenPosts()).toBe(2);
    // A token cached for cc-basic is not handed to cc-post asking for the same scope.
    const basic = await runCli(argv(), { env: e });
    expect(basic.code, basic.stderr).toBe(0);
    const post = await runCli(
      cc(
        '--issuer',
        as.issuer,
        '--client-id',
        POST.id,
        '--client-secret-env',
        'POST_SECRET',
        '--scope',
        SCOPE,
      ),
      { env: e },
    );
    expect(post.code, post.stderr).toBe(0);
    expect(tokenPosts()).toBe(4);
    expect(post.stdout).not.toBe(basic.stdout);
    expect((await as.introspect(post.stdout.trim())).client_id).toBe(POST.id);
  });

  it('parallel runs with the same key wait for one another: one request, one token', async () => {
    const e = env();
    const results = await Promise.all(Array.from({ length: 5 }, () => runCli(argv(), { env: e })));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(new Set(results.map((r) => r.stdout)).size).toBe(1);
    expect(tokenPosts()).toBe(1);
  });

  it('a damaged cache file is ignored and rewritten', async () => {
    const e = env();
    const first = await runCli(argv(), { env: e });
    writeFileSync(join(e.APIKIT_CONFIG_DIR!, 'token-cache.json'), '{not json');
    const second = await runCli(argv(), { env: e });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).not.toBe(first.stdout);
    expect(JSON.parse(readFileSync(join(e.APIKIT_CONFIG_DIR!, 'token-cache.json'), 'utf8')).version).toBe(1);
  });
});

describe('through the built binary (npm run build first)', () => {
  it('CI usage: TOKEN=$(apikit token client-credentials ...) gets exactly the token; a cache hit asks nothing', async () => {
    const e = env();
    const argv = ccBasic(as);
    const res = await runBin(argv, { env: e });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/^\S+\n$/);
    expect((await as.introspect(res.stdout.trim())).active).toBe(true);
    as.requests.reset();
    const again = await runBin(argv, { env: e });
    expect(again.stdout).toBe(res.stdout);
    expect(as.requests.count()).toBe(0);
  });

  it('wrong secret → exit 4; secret on argv → exit 2 without echoing it', async () => {
    const wrong = await runBin(
      cc('--issuer', as.issuer, '--client-id', BASIC.id, '--client-secret-env', 'W', '--verbose'),
      {
        env: env({ W: 'wrong-secret-value-xyz' }),
      },
    );
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/^error: .*invalid_client \(client authentication failed\)$/m);
    expect(wrong.stderr).not.toContain('wrong-secret-value-xyz');
    expect(hasStackTrace(wrong.stderr)).toBe(false);
    const argvSecret = await runBin(
      cc('--issuer', as.issuer, '--client-id', BASIC.id, `--client-secret=${BASIC.secret}`),
      { env: env() },
    );
    expect(argvSecret.code).toBe(2);
    expect(argvSecret.stderr).not.toContain(BASIC.secret);
    expect(argvSecret.stderr).toMatch(/--client-secret-env/);
  });
});
