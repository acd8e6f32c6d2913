import { readFileSync, writeFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getProfile, saveProfile, type Profile, type ProfileTokens } from '../../../src/profiles/profile.js';
import { openConfigStore } from '../../../src/config/store.js';
import { createContext, type Context, type Env } from '../../../src/context.js';
import { createIO } from '../../../src/io/io.js';
import { renewClientCredentialsProfile } from '../../../src/profiles/client-credentials.js';
import { hasStackTrace, runCli, tempDir } from '../../helpers/cli.js';
import { startOidcProvider, type OidcFixture, confidentialClient } from '../../helpers/oidc-provider.js';

/**
 * `--save-profile NAME` stores where the credential comes from (never the credential), and
 * renewClientCredentialsProfile — what `apikit token --profile NAME` calls — renews from the same source.
 */
const BASIC = { id: 'cc-basic', secret: 'b4sic:s3cret%41-with:colons%%-0123456789' };
const POST = { id: 'cc-post', secret: 'p0st:s3cret%2F-value-abcdefghijklmnopqrs' };
const PKJWT = { id: 'cc-pkjwt' };
const SCOPE = 'read:reports';

const tmp = tempDir('apikit-ccp-');
let as: OidcFixture;
let keyPath: string;
const assertions: string[] = [];
let n = 0;

beforeAll(async () => {
  const prefix = join(tmp.dir, 'svc');
  const gen = await runCli(['keys', 'generate', '--alg', 'ES256', '--out', prefix]);
  expect(gen.code, gen.stderr).toBe(0);
  keyPath = `${prefix}.key.pem`;
  const jwks = JSON.parse(readFileSync(`${prefix}.jwks.json`, 'utf8')) as unknown;
  as = await startOidcProvider({
    clients: [
      confidentialClient(BASIC.id, 'client_secret_basic', { client_secret: BASIC.secret }),
      confidentialClient(POST.id, 'client_secret_post', { client_secret: POST.secret }),
      confidentialClient(PKJWT.id, 'private_key_jwt', { jwks }),
    ],
  });
  as.provider.on('grant.success', (ctx: unknown) => {
    const a = (ctx as { oidc?: { params?: Record<string, unknown> } }).oidc?.params?.client_assertion;
    if (typeof a === 'string') assertions.push(a);
  });
});

afterAll(async () => {
  await as?.close();
  tmp.cleanup();
});

beforeEach(() => as.requests.reset());

function configDir(): string {
  return join(tmp.dir, `config-${++n}`);
}

/** A Context like the one `apikit token --profile` gets. */
function contextFor(dir: string, env: Env): { ctx: Context; stderr: () => string } {
  const out = new PassThrough();
  const err = new PassThrough();
  let text = '';
  err.on('data', (c: Buffer) => (text += c.toString()));
  const io = createIO({ stdin: Readable.from([]), stdout: out, stderr: err }, env);
  return { ctx: createContext(io, env, { configDir: dir }), stderr: () => text };
}

function cc(...args: string[]): string[] {
  return ['token', 'client-credentials', ...args];
}

/** Renews a saved profile in-process, as `apikit token --profile` does. */
async function renew(dir: string, env: Env, profile: Profile): Promise<ProfileTokens> {
  const { ctx } = contextFor(dir, env);
  try {
    return await renewClientCredentialsProfile(ctx, profile);
  } finally {
    await ctx.dispose();
  }
}

async function saved(dir: string, name: string): Promise<Profile> {
  const profile = getProfile(openConfigStore(dir), name);
  expect(profile).toBeDefined();
  return profile!;
}

describe('--save-profile then renew', () => {
  it('client_secret_basic from an env var: the profile names the variable, never the value', async () => {
    const dir = configDir();
    const res = await runCli(
      cc(
        '--issuer',
        as.issuer,
        '--client-id',
        BASIC.id,
        '--client-secret-env',
        'CI_SECRET',
        '--scope',
        SCOPE,
        '--save-profile',
        'ci',
      ),
      { env: { CI_SECRET: BASIC.secret, APIKIT_CONFIG_DIR: dir } },
    );
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain('saved profile "ci"');
    const first = res.stdout.trim();
    const profile = await saved(dir, 'ci');
    expect(profile).toMatchObject({
      name: 'ci',
      grant: 'client_credentials',
      issuer: as.issuer,
      tokenEndpoint: `${as.issuer}/token`,
      clientId: BASIC.id,
      clientAuth: { method: 'client_secret_basic', secretEnv: 'CI_SECRET' },
      scope: SCOPE,
      tokens: { accessToken: first, tokenType: 'Bearer', scope: SCOPE },
    });
    const file = readFileSync(join(dir, 'config.json'), 'utf8');
    expect(file).not.toContain(BASIC.secret);
    expect(file).not.toContain(encodeURIComponent(BASIC.secret));

    as.requests.reset();
    const tokens = await renew(dir, { CI_SECRET: BASIC.secret }, profile);
    expect(as.requests.exact('/token', 'POST')).toBe(1);
    expect(tokens.accessToken).not.toBe(first);
    expect(tokens).toMatchObject({ tokenType: 'Bearer', scope: SCOPE });
    expect(tokens.expiresAt! - tokens.obtainedAt).toBe(300_000);
    expect(await as.introspect(tokens.accessToken)).toMatchObject({
      active: true,
      scope: SCOPE,
      client_id: BASIC.id,
    });
  });

  it('end to end: `apikit token --profile NAME` serves the saved token, then renews it from the same env var', async () => {
    const dir = configDir();
    const t0 = Date.now();
    let now = t0;
    const overrides = { clock: { now: () => now } };
    const e = { CI_SECRET: BASIC.secret, APIKIT_CONFIG_DIR: dir };
    const saveRes = await runCli(
      cc(
        '--issuer',
        as.issuer,
        '--client-id',
        BASIC.id,
        '--client-secret-env',
        'CI_SECRET',
        '--scope',
        SCOPE,
        '--save-profile',
        'ci',
      ),
      { env: e, overrides },
    );
    expect(saveRes.code, saveRes.stderr).toBe(0);
    const first = saveRes.stdout;

    as.requests.reset();
    const stored = await runCli(['token', '--profile', 'ci'], { env: e, overrides });
    expect(stored.code, stored.stderr).toBe(0);
    expect(stored.stdout).toBe(first);
    expect(as.requests.count()).toBe(0);

    now = t0 + 250_000; // 50 s left < the default --min-ttl of 60 s
    const renewed = await runCli(['token', '--profile', 'ci'], { env: e, overrides });
    expect(renewed.code, renewed.stderr).toBe(0);
    expect(as.requests.exact('/token', 'POST')).toBe(1);
    expect(renewed.stdout).not.toBe(first);
    expect(await as.introspect(renewed.stdout.trim())).toMatchObject({
      active: true,
      scope: SCOPE,
      client_id: BASIC.id,
    });
    expect((await saved(dir, 'ci')).tokens?.accessToken).toBe(renewed.stdout.trim());
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).not.toContain(BASIC.secret);

    // Without the variable, renewal fails clearly (and says which variable).
    now = t0 + 600_000;
    const gone = await runCli(['token', '--profile', 'ci'], { env: { APIKIT_CONFIG_DIR: dir }, overrides });
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/CI_SECRET is not set/);
  });

  it('renewal fails clearly when the variable is gone (exit 2) or the secret changed (exit 4)', async () => {
    const dir = configDir();
    const res = await runCli(
      cc(
        '--issuer',
        as.issuer,
        '--client-id',
        BASIC.id,
        '--client-secret-env',
        'CI_SECRET',
        '--save-profile',
        'ci',
      ),
      { env: { CI_SECRET: BASIC.secret, APIKIT_CONFIG_DIR: dir } },
    );
    expect(res.code, res.stderr).toBe(0);
    const profile = await saved(dir, 'ci');
    const gone = contextFor(dir, {});
    await expect(renewClientCredentialsProfile(gone.ctx, profile)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/environment variable CI_SECRET is not set/),
    });
    const wrong = contextFor(dir, { CI_SECRET: 'rotated-and-wrong' });
    await expect(renewClientCredentialsProfile(wrong.ctx, profile)).rejects.toMatchObject({
      exitCode: 4,
      message: expect.stringMatching(/invalid_client/),
    });
    await gone.ctx.dispose();
    await wrong.ctx.dispose();
  });

  it('client_secret_post from a file: the profile keeps the absolute path', async () => {
    const dir = configDir();
    const secretFile = join(tmp.dir, 'post-secret.txt');
    writeFileSync(secretFile, POST.secret + '\n', { mode: 0o600 });
    const res = await runCli(
      cc(
        '--token-endpoint',
        `${as.issuer}/token`,
        '--client-id',
        POST.id,
        '--client-secret-file',
        secretFile,
        '--auth-method',
        'client_secret_post',
        '--scope',
        SCOPE,
        '--save-profile',
        'post',
      ),
      { env: { APIKIT_CONFIG_DIR: dir } },
    );
    expect(res.code, res.stderr).toBe(0);
    const profile = await saved(dir, 'post');
    expect(profile.clientAuth).toEqual({ method: 'client_secret_post', secretFile });
    expect(profile.issuer).toBeUndefined();
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).not.toContain(POST.secret);
    const tokens = await renew(dir, {}, profile);
    expect(await as.introspect(tokens.accessToken)).toMatchObject({
      active: true,
      client_id: POST.id,
      scope: SCOPE,
    });
  });

  it('private_key_jwt: the profile keeps the key path (not the key); renewal signs a fresh assertion for the issuer', async () => {
    const dir = configDir();
    const res = await runCli(
      cc(
        '--issuer',
        as.issuer,
        '--client-id',
        PKJWT.id,
        '--private-key',
        keyPath,
        '--scope',
        SCOPE,
        '--save-profile',
        'bot',
      ),
      { env: { APIKIT_CONFIG_DIR: dir } },
    );
    expect(res.code, res.stderr).toBe(0);
    const profile = await saved(dir, 'bot');
    expect(profile.clientAuth).toEqual({ method: 'private_key_jwt', privateKeyFile: keyPath });
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).not.toContain('PRIVATE KEY');
    assertions.length = 0;
    const tokens = await renew(dir, {}, profile);
    expect(await as.introspect(tokens.accessToken)).toMatchObject({
      active: true,
      client_id: PKJWT.id,
      scope: SCOPE,
    });
    expect(assertions).toHaveLength(1);
    const payload = JSON.parse(Buffer.from(assertions[0]!.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(payload).toMatchObject({ iss: PKJWT.id, sub: PKJWT.id, aud: as.issuer });
  });

  it('a secret from stdin cannot be saved: exit 2 before any request', async () => {
    const dir = configDir();
    const res = await runCli(
      cc('--issuer', as.issuer, '--client-id', BASIC.id, '--client-secret-stdin', '--save-profile', 'ci'),
      { env: { APIKIT_CONFIG_DIR: dir }, stdin: BASIC.secret },
    );
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(
      /^error: a client secret read from stdin cannot be saved in a profile\nhint: use --client-secret-env VAR/,
    );
    expect(hasStackTrace(res.stderr)).toBe(false);
    expect(as.requests.count()).toBe(0);
  });

  it('does not replace a login profile of another grant', async () => {
    const dir = configDir();
    const store = openConfigStore(dir);
    await saveProfile(store, {
      name: 'me',
      grant: 'authorization_code',
      issuer: as.issuer,
      tokenEndpoint: `${as.issuer}/token`,
      clientId: 'apikit-cli',
      createdAt: 1,
      updatedAt: 1,
    });
    const res = await runCli(
      cc('--issuer', as.issuer, '--client-id', BASIC.id, '--client-secret-env', 'S', '--save-profile', 'me'),
      { env: { S: BASIC.secret, APIKIT_CONFIG_DIR: dir } },
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(
      /profile "me" is a login profile \(grant authorization_code\); not replacing it/,
    );
    expect(as.requests.count()).toBe(0);
    expect(getProfile(openConfigStore(dir), 'me')?.grant).toBe('authorization_code');
  });

  it('an invalid profile name is refused', async () => {
    const res = await runCli(
      cc(
        '--issuer',
        as.issuer,
        '--client-id',
        BASIC.id,
        '--client-secret-env',
        'S',
        '--save-profile',
        '../evil',
      ),
      { env: { S: BASIC.secret, APIKIT_CONFIG_DIR: configDir() } },
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/invalid profile name/);
  });

  it('renewClientCredentialsProfile refuses a profile of another grant', async () => {
    const { ctx } = contextFor(configDir(), {});
    await expect(
      renewClientCredentialsProfile(ctx, {
        name: 'me',
        grant: 'authorization_code',
        tokenEndpoint: `${as.issuer}/token`,
        clientId: 'apikit-cli',
        createdAt: 1,
        updatedAt: 1,
      }),
    ).rejects.toMatchObject({ code: 'ERR_PROFILE_GRANT', exitCode: 2 });
  });
});
