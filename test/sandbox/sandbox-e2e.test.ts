import { readFileSync } from 'node:fs';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEVERITIES, type Severity } from '../../src/lib/findings.js';
import { API_POLICIES } from '../../src/sandbox/api/index.js';
import { Browser } from '../helpers/browser.js';
import { hasStackTrace, runCli, tempDir, type RunResult } from '../helpers/cli.js';
import { startCli } from '../commands/login/harness.js';
import { startSandboxBin, type SandboxProcess } from './harness.js';

/**
 * The whole tour through apikit's own commands against `apikit sandbox` (the built CLI, a child process): login
 * with PKCE completed over HTTP on the sandbox's real sign-in page → token → request GET /v1/posts (200) → a scope
 * the token lacks (403 insufficient_scope) → no token (401 problem+json) → the API key (200) → the API key in the
 * query (refused) → client credentials with client_secret_basic, client_secret_post and private_key_jwt → probe
 * ratelimit finds the configured token bucket → probe cors nothing above low on /v1, the reflected origin on /lab
 * → audit A or better on /v1, below C on /lab → probe versions: v0 deprecated, v1 live, v-1 retired.
 * The user's config directory is not the sandbox's: the sandbox never touches the user's profiles.
 */
let sb: SandboxProcess;
const sandboxDir = tempDir('apikit-e2e-sandbox-');
const userDir = tempDir('apikit-e2e-user-');
let apiKey: string;
let posts: string;

beforeAll(async () => {
  sb = await startSandboxBin(sandboxDir.dir, ['--quiet']);
  apiKey = readFileSync(sb.info.api_key_file, 'utf8').trim();
  posts = `${sb.info.api_url}/v1/posts`;
}, 60_000);
afterAll(async () => {
  await sb?.stop('SIGKILL');
  sandboxDir.cleanup();
  userDir.cleanup();
});

const env = (extra: Record<string, string> = {}) => ({ APIKIT_CONFIG_DIR: userDir.dir, ...extra });
const apikit = (argv: string[], extra: Record<string, string> = {}): Promise<RunResult> =>
  runCli(argv, { env: env(extra) });
const json = <T>(r: RunResult): T => {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`no JSON on stdout (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
};
interface Finding {
  id: string;
  severity: Severity;
}
const above = (findings: Finding[], s: Severity) =>
  findings.filter((f) => SEVERITIES.indexOf(f.severity) > SEVERITIES.indexOf(s));

/** `apikit token client-credentials` against the sandbox: the client's id, its credential flags, the scope. */
async function clientCredentials(clientId: string, credential: string[], scope: string): Promise<string> {
  const t = await apikit([
    'token',
    'client-credentials',
    '--issuer',
    sb.info.issuer,
    '--client-id',
    clientId,
    ...credential,
    '--resource',
    sb.info.resource,
    '--scope',
    scope,
    '--no-cache',
  ]);
  expect(t.code, t.stderr).toBe(0);
  return t.stdout.trim();
}

describe('the sandbox tour, through apikit’s own commands', () => {
  let userToken: string;

  it('login (PKCE) on the sandbox’s sign-in page, then token: a JWT for the API with the scope asked for', async () => {
    const run = startCli(
      [
        'login',
        '--issuer',
        sb.info.issuer,
        '--client-id',
        sb.info.clients.public.client_id,
        '--resource',
        sb.info.resource,
        '--scope',
        'openid offline_access read:posts',
        '--profile',
        'sandbox',
        '--no-browser',
      ],
      { env: env() },
    );
    const browser = new Browser();
    const callback = await browser.authorize(await run.authorizationUrl(), { credentials: sb.info.user });
    const page = await browser.request(callback);
    expect(page.status).toBe(200);
    const login = await run.done;
    expect(login.code).toBe(0);
    expect(browser.prompts).toContain('login');

    const token = await apikit(['token', '--profile', 'sandbox']);
    expect(token.code).toBe(0);
    userToken = token.stdout.trim();
    const claims = decodeJwt(userToken);
    expect(claims.iss).toBe(sb.info.issuer);
    expect(claims.aud).toBe(sb.info.resource);
    expect(String(claims.scope).split(' ')).toContain('read:posts');
    expect(String(claims.scope).split(' ')).not.toContain('delete:posts');
  });

  it('request GET /v1/posts with the profile: 200 and the posts on stdout', async () => {
    const r = await apikit(['request', 'GET', posts, '--profile', 'sandbox', '--json']);
    expect(r.code).toBe(0);
    const doc = json<{ status: number; body: unknown }>(r);
    expect(doc.status).toBe(200);
    expect(JSON.stringify(doc.body)).toContain('title');
  });

  it('a scope the token lacks: 403 with error="insufficient_scope", exit 1', async () => {
    const r = await apikit(['request', 'DELETE', `${posts}/1`, '--profile', 'sandbox']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/403/);
    expect(r.stderr).toMatch(/insufficient_scope/);
    expect(r.stderr).not.toContain(userToken);
  });

  it('no credential: 401 problem+json, its title on stderr, exit 1', async () => {
    const r = await apikit(['request', 'GET', posts, '--json']);
    expect(r.code).toBe(1);
    const doc = json<{
      status: number;
      headers: Record<string, string>;
      body: { title: string; status: number };
    }>(r);
    expect(doc.status).toBe(401);
    expect(doc.body.status).toBe(401);
    expect(Object.entries(doc.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1]).toMatch(
      /^application\/problem\+json/,
    );
    expect(Object.keys(doc.headers).map((k) => k.toLowerCase())).toContain('www-authenticate');
  });

  it('the API key in X-API-Key: 200; in the query string: refused with the reason, never echoed', async () => {
    const ok = await apikit(['request', 'GET', posts, '--api-key-env', 'K'], { K: apiKey });
    expect(ok.code).toBe(0);
    const refused = await apikit(['request', 'GET', `${posts}?api_key=${apiKey}`, '--json']);
    expect(refused.code).toBe(1);
    const doc = json<{ status: number; body: { detail: string } }>(refused);
    expect(doc.status).toBe(400);
    expect(doc.body.detail).toMatch(/query/i);
    expect(JSON.stringify(doc.body)).not.toContain(apiKey);
  });

  it.each([
    ['client_secret_basic', ['--client-secret-file', 'SECRET']],
    ['client_secret_post', ['--client-secret-file', 'SECRET', '--auth-method', 'client_secret_post']],
    ['private_key_jwt', ['--private-key', 'KEY']],
  ])('client credentials (%s): a token the API accepts for POST /v1/posts', async (method, flags) => {
    const signer = method === 'private_key_jwt';
    const client = signer ? sb.info.clients.private_key_jwt : sb.info.clients.confidential;
    const resolved = flags.map((f) =>
      f === 'SECRET'
        ? sb.info.clients.confidential.secret_file
        : f === 'KEY'
          ? sb.info.clients.private_key_jwt.key_file
          : f,
    );
    const token = await clientCredentials(client.client_id, resolved, 'read:posts write:posts');
    expect(decodeJwt(token).client_id).toBe(client.client_id);
    const created = await apikit(
      [
        'request',
        'POST',
        posts,
        '--bearer-env',
        'T',
        '-d',
        JSON.stringify({ title: `by ${method}`, body: 'hi' }),
        '--json',
      ],
      { T: token },
    );
    expect(created.code, created.stderr).toBe(0);
    expect(json<{ status: number }>(created).status).toBe(201);
  });

  it(`probe ratelimit finds the token bucket: burst ${API_POLICIES.default.capacity}, ${API_POLICIES.default.refillPerSecond}/s`, async () => {
    // The signer's bucket (its client id): used once above, the API key's a few times.
    const signer = sb.info.clients.private_key_jwt;
    const token = await clientCredentials(signer.client_id, ['--private-key', signer.key_file], 'read:posts');
    // The bucket is per client: let the signer's refill first (bounded: capacity / rate seconds).
    await new Promise((r) =>
      setTimeout(r, (API_POLICIES.default.capacity / API_POLICIES.default.refillPerSecond) * 1000),
    );
    const r = await apikit(['probe', 'ratelimit', posts, '--bearer-env', 'T', '--format', 'json'], {
      T: token,
    });
    expect(r.code, r.stderr).toBe(0);
    const report = json<{
      algorithm: string;
      burst: number;
      sustained_rate_per_s: number;
      mismatches: unknown[];
    }>(r);
    expect(report.algorithm).toBe('token-bucket');
    expect(report.burst).toBe(API_POLICIES.default.capacity);
    expect(report.sustained_rate_per_s).toBeGreaterThan(API_POLICIES.default.refillPerSecond * 0.8);
    expect(report.sustained_rate_per_s).toBeLessThan(API_POLICIES.default.refillPerSecond * 1.2);
    expect(report.mismatches).toEqual([]);
  }, 90_000);

  it('probe cors: nothing above low on /v1 from an allowed origin; the reflected origin on /lab/cors', async () => {
    const v1 = await apikit([
      'probe',
      'cors',
      posts,
      '--origin',
      sb.info.cors_origins[0]!,
      '--format',
      'json',
    ]);
    expect(v1.code, v1.stderr).toBe(0);
    expect(above(json<{ findings: Finding[] }>(v1).findings, 'low')).toEqual([]);
    const lab = await apikit([
      'probe',
      'cors',
      `${sb.info.api_url}/lab/cors`,
      '--origin',
      sb.info.cors_origins[0]!,
      '--format',
      'json',
    ]);
    expect(json<{ findings: Finding[] }>(lab).findings).toContainEqual(
      expect.objectContaining({ id: 'cors.origin-reflected', severity: 'high' }),
    );
  }, 60_000);

  it('audit: /v1/posts A or better, /lab/headers below C', async () => {
    const v1 = await apikit(['audit', posts, '--api-key-env', 'K', '--format', 'json'], { K: apiKey });
    expect(v1.code, v1.stderr).toBe(0);
    expect(['A+', 'A']).toContain(json<{ grade: string }>(v1).grade);
    const lab = await apikit(['audit', `${sb.info.api_url}/lab/headers`, '--format', 'json']);
    expect(['D+', 'D', 'D-', 'F']).toContain(json<{ grade: string }>(lab).grade);
  }, 60_000);

  it('probe versions: v0 deprecated, v1 live, v-1 retired', async () => {
    // With the API key: the address's bucket (every request without a credential) was spent by probe cors.
    const r = await apikit(['probe', 'versions', posts, '--api-key-env', 'K', '--format', 'json'], {
      K: apiKey,
    });
    expect(r.code, r.stderr).toBe(0);
    const byId = Object.fromEntries(
      json<{ versions: Array<{ id: string; status: string; deprecation: unknown }> }>(r).versions.map((v) => [
        v.id,
        v,
      ]),
    );
    expect(byId.v0, JSON.stringify(byId)).toMatchObject({ status: 'live' });
    expect(byId.v0!.deprecation).not.toBeNull();
    expect(byId.v1).toMatchObject({ status: 'live', deprecation: null });
    expect(byId['v-1']).toMatchObject({ status: 'retired' });
  }, 60_000);

  it('nothing leaked: no stack trace in the sandbox’s output, and the user’s profiles are the user’s', async () => {
    expect(hasStackTrace(sb.stderr())).toBe(false);
    const profiles = await apikit(['profiles', 'list', '--json']);
    expect(profiles.stdout).toContain('sandbox');
    expect(readFileSync(sb.info.api_key_file, 'utf8')).toContain(apiKey);
  });
});
