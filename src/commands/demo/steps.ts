import { join } from 'node:path';
import { shellQuote } from '../../lib/text/shell-quote.js';
import { signInAsTestUser } from '../../sandbox/sign-in.js';
import type { Tour } from './tour.js';

/**
 * The tour: each step a few real command lines against the sandbox, each with what it must show. Every step
 * gets what it needs itself (a token, a key), so `--step NAME` runs it alone.
 */
export interface DemoStep {
  name: string;
  title: string;
  run(tour: Tour): Promise<void>;
}

const q = shellQuote;
const line = (argv: string[]): string => `apikit ${argv.map(q).join(' ')}`;
/** `VAR=$(apikit …)`: the command a user types to keep its output. */
const keepLine = (name: string, argv: string[]): string => `${name}=$(${line(argv)})`;

/** A JWT alone on a line: what `token` prints. */
const JWT_LINE = /^ey[\w-]+\.[\w-]+\.[\w-]+$/m;

/** Runs a command that prints a token, as `NAME=$(apikit …)`: the token is kept in $NAME, never shown. */
async function keepToken(t: Tour, name: string, argv: string[], shows: string): Promise<void> {
  await t.run({
    display: keepLine(name, argv),
    argv,
    keep: name,
    expect: { code: 0, output: [JWT_LINE] },
    shows,
  });
}

/** `apikit token client-credentials` at the sandbox's issuer for one client, its credential flags and a scope. */
function clientCredentials(t: Tour, clientId: string, credential: string[], scope: string): string[] {
  return [
    'token',
    'client-credentials',
    '--issuer',
    t.sandbox.info.issuer,
    '--client-id',
    clientId,
    ...credential,
    '--scope',
    scope,
  ];
}

/** A client-credentials token of the sandbox's service client (client_secret_basic), kept in $SERVICE_TOKEN. */
async function serviceToken(t: Tour): Promise<void> {
  if (t.vars.SERVICE_TOKEN !== undefined) return;
  const service = t.sandbox.info.clients.confidential;
  const argv = clientCredentials(
    t,
    service.client_id,
    ['--client-secret-file', service.secret_file],
    'read:posts',
  );
  await keepToken(
    t,
    'SERVICE_TOKEN',
    argv,
    'client_secret_basic: the secret is read from its 0600 file, never from argv; the token is a JWT for the API',
  );
}

/** A fresh API key, made with `apikit apikey generate`; the API is given only its hash. Kept in $API_KEY. */
async function apiKey(t: Tour): Promise<void> {
  if (t.vars.API_KEY !== undefined) return;
  const argv = ['apikey', 'generate', '--prefix', 'ak_demo', '--json'];
  const made = await t.run({
    display: line(argv),
    argv,
    expect: { code: 0, output: [/"hash": "sha256:[0-9a-f]{64}"/] },
    shows:
      'a key with 178 random bits and a checksum; the server stores only its SHA-256 (the sandbox API now knows it)',
  });
  const doc = JSON.parse(made.stdout) as { key: string; hash: string };
  t.sandbox.registerApiKey({ id: 'demo-key', hash: doc.hash, scopes: ['read:posts'] });
  t.vars.API_KEY = doc.key;
}

export const STEPS: readonly DemoStep[] = [
  {
    name: 'jwt',
    title: 'keys and JWTs: generate a key, mint, decode, verify — and catch a tampered and an alg:none token',
    async run(t) {
      const prefix = join(t.dir, 'demo');
      const gen = ['keys', 'generate', '--alg', 'ES256', '--out', prefix];
      await t.run({
        display: line(gen),
        argv: gen,
        expect: { code: 0 },
        shows:
          'an ES256 key pair: the private key 0600, the public key and a JWKS with its thumbprint as kid',
      });
      const mint = [
        'jwt',
        'mint',
        '--key',
        `${prefix}.key.pem`,
        '--sub',
        'alice',
        '--aud',
        'demo-api',
        '--exp',
        '5m',
      ];
      await t.run({
        display: keepLine('TOKEN', mint),
        argv: mint,
        keep: 'TOKEN',
        expect: { code: 0, output: [JWT_LINE] },
        shows: 'a signed JWT, printed bare so that $(…) keeps it',
      });
      const token = t.vars.TOKEN!;
      await t.run({
        display: 'apikit jwt decode "$TOKEN"',
        argv: ['jwt', 'decode', token],
        expect: { code: 0, output: [/alice/, /ES256/] },
        shows: 'header and claims, without verifying anything (decode never says "valid")',
      });
      const verify = (tok: string) => [
        'jwt',
        'verify',
        tok,
        '--key',
        `${prefix}.pub.pem`,
        '--aud',
        'demo-api',
      ];
      await t.run({
        display: `apikit jwt verify "$TOKEN" --key ${q(`${prefix}.pub.pem`)} --aud demo-api`,
        argv: verify(token),
        expect: { code: 0, output: [/valid/i] },
        shows: 'valid: the signature, the audience and the expiry check out (exit 0)',
      });
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'mallory' })).toString('base64url');
      t.vars.TAMPERED = `${header}.${forged}.${signature}`;
      await t.run({
        display: `apikit jwt verify "$TAMPERED" --key ${q(`${prefix}.pub.pem`)} --aud demo-api   # sub changed to mallory`,
        argv: verify(t.vars.TAMPERED),
        expect: { code: 1, output: [/signature/i] },
        shows: 'invalid: the claims were changed after signing, so the signature no longer matches (exit 1)',
      });
      const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      t.vars.UNSIGNED = `${none}.${payload}.`;
      await t.run({
        display: `apikit jwt verify "$UNSIGNED" --key ${q(`${prefix}.pub.pem`)} --aud demo-api   # alg: none`,
        argv: verify(t.vars.UNSIGNED),
        expect: { code: 1, output: [/none/i] },
        shows: 'refused: an unsigned token is never accepted, whatever it claims (exit 1)',
      });
    },
  },
  {
    name: 'client-credentials',
    title: 'client credentials: a service token with a client secret, then with a signed assertion',
    async run(t) {
      await serviceToken(t);
      const signer = t.sandbox.info.clients.private_key_jwt;
      const argv = clientCredentials(
        t,
        signer.client_id,
        ['--private-key', signer.key_file],
        'read:posts write:posts',
      );
      await keepToken(
        t,
        'SIGNER_TOKEN',
        argv,
        'private_key_jwt (RFC 7523): the client proves itself with a JWT signed by its key; no shared secret',
      );
    },
  },
  {
    name: 'request',
    title: 'request: the authenticated call — 200 with the token, 401 without, 403 with too little scope',
    async run(t) {
      await serviceToken(t);
      const posts = `${t.sandbox.info.api_url}/v1/posts`;
      await t.run({
        display: `apikit request GET ${posts} --bearer-env SERVICE_TOKEN`,
        argv: ['request', 'GET', posts, '--bearer-env', 'SERVICE_TOKEN'],
        expect: { code: 0, output: [/HTTP 200/, /"posts"/] },
        shows: '200: status and headers on stderr (credentials redacted), the body on stdout',
      });
      await t.run({
        display: `apikit request GET ${posts}`,
        argv: ['request', 'GET', posts],
        expect: { code: 1, output: [/HTTP 401/, /www-authenticate: Bearer/i] },
        shows: '401 without a token: an RFC 9457 problem and a WWW-Authenticate challenge (exit 1)',
      });
      await t.run({
        display: `apikit request DELETE ${posts}/1 --bearer-env SERVICE_TOKEN`,
        argv: ['request', 'DELETE', `${posts}/1`, '--bearer-env', 'SERVICE_TOKEN'],
        expect: { code: 1, output: [/HTTP 403/, /insufficient_scope/] },
        shows: '403 insufficient_scope: the token is valid but lacks delete:posts (RFC 6750 §3)',
      });
    },
  },
  {
    name: 'apikey',
    title: 'API keys: generate one the way GitHub does, then call the API with X-API-Key',
    async run(t) {
      await apiKey(t);
      const posts = `${t.sandbox.info.api_url}/v1/posts`;
      await t.run({
        display: `apikit request GET ${posts} --api-key-env API_KEY`,
        argv: ['request', 'GET', posts, '--api-key-env', 'API_KEY'],
        expect: { code: 0, output: [/HTTP 200/] },
        shows: '200 with X-API-Key: the API found the key by its hash',
      });
    },
  },
  {
    name: 'ratelimit',
    title: 'probe ratelimit: the token bucket behind /v1, and the lab’s lying Retry-After',
    async run(t) {
      const info = t.sandbox.info;
      const signer = info.clients.private_key_jwt;
      // A client of its own (the signer's bucket): the probe measures from a full bucket.
      const argv = clientCredentials(t, signer.client_id, ['--private-key', signer.key_file], 'read:posts');
      await keepToken(t, 'SIGNER_TOKEN', argv, 'a token for a client whose bucket is still full');
      const posts = `${info.api_url}/v1/posts`;
      await t.run({
        display: `apikit probe ratelimit ${posts} --bearer-env SIGNER_TOKEN`,
        argv: ['probe', 'ratelimit', posts, '--bearer-env', 'SIGNER_TOKEN'],
        expect: {
          code: 0,
          output: [/algorithm\ttoken-bucket/, /burst\t20 requests/, /sustained rate\t[45]\.\d+\/s/],
        },
        shows: 'a token bucket: burst 20, refilling at 5/s — and its RateLimit headers tell the truth',
      });
      const lab = `${info.api_url}/lab/ratelimit`;
      await t.run({
        display: `apikit probe ratelimit ${lab}`,
        argv: ['probe', 'ratelimit', lab],
        expect: { code: 0, output: [/fixed-window/, /high\s+ratelimit\.retry-after-too-short/] },
        shows: 'the lab’s fixed window says "Retry-After: 1" when the wait is longer: a high finding',
      });
    },
  },
  {
    name: 'cors',
    title: 'probe cors: an exact allow-list on /v1, a reflected origin in the lab',
    async run(t) {
      const info = t.sandbox.info;
      const origin = info.cors_origins[0] ?? 'http://localhost:3000';
      const posts = `${info.api_url}/v1/posts`;
      await t.run({
        display: `apikit probe cors ${posts} --origin ${origin} --fail-on medium`,
        argv: ['probe', 'cors', posts, '--origin', origin, '--fail-on', 'medium'],
        expect: { code: 0, output: [/findings\tnone/, /0 untrusted readable/] },
        shows: 'only the trusted origin may read, compared exactly: no finding',
      });
      const lab = `${info.api_url}/lab/cors`;
      await t.run({
        display: `apikit probe cors ${lab} --origin ${origin} --fail-on high`,
        argv: ['probe', 'cors', lab, '--origin', origin, '--fail-on', 'high'],
        expect: { code: 1, output: [/high\s+cors\.origin-reflected/] },
        shows: 'any page may read it with the victim’s credentials: cors.origin-reflected, high, exit 1',
      });
    },
  },
  {
    name: 'audit',
    title: 'audit and probe versions: headers graded, versions found',
    async run(t) {
      await apiKey(t);
      const info = t.sandbox.info;
      const posts = `${info.api_url}/v1/posts`;
      await t.run({
        display: `apikit audit ${posts} --api-key-env API_KEY --fail-under A`,
        argv: ['audit', posts, '--api-key-env', 'API_KEY', '--fail-under', 'A'],
        expect: { code: 0, output: [/grade\tA\+?\b/] },
        shows: 'A or better: the OWASP header set, no-store for an authenticated answer, nothing leaked',
      });
      const lab = `${info.api_url}/lab/headers`;
      await t.run({
        display: `apikit audit ${lab} --fail-under C`,
        argv: ['audit', lab, '--fail-under', 'C'],
        expect: { code: 1, output: [/grade\t[DF]/, /audit\.nosniff\.missing/] },
        shows: 'below C: the missing headers and the leaky ones, each with its advice (exit 1)',
      });
      await t.run({
        display: `apikit probe versions ${posts} --api-key-env API_KEY`,
        argv: ['probe', 'versions', posts, '--api-key-env', 'API_KEY'],
        expect: { code: 0, output: [/\bv0\b.*deprecated/i, /\bv-1\b.*retired/i, /\bv1\b.*live/i] },
        shows: 'v1 live; v0 deprecated with its sunset date and successor; v-1 retired (410)',
      });
    },
  },
  {
    name: 'login',
    title: 'login: Authorization Code + PKCE as the test user, then token and logout',
    async run(t) {
      const info = t.sandbox.info;
      const argv = [
        'login',
        '--issuer',
        info.issuer,
        '--client-id',
        info.clients.public.client_id,
        '--scope',
        'openid offline_access read:posts',
        '--profile',
        'demo',
        '--no-browser',
      ];
      // The demo is the browser: it takes the URL login prints and signs in over HTTP as the test user.
      let signedIn: Promise<unknown> | undefined;
      const http = await t.ctx.http({ timeoutMs: 10_000 });
      await t.run({
        display: `${line(argv)}   # the demo signs in as ${info.user.username} over HTTP`,
        argv,
        expect: { code: 0, output: [/Logged in as alice/] },
        shows:
          'PKCE S256, a loopback callback on a free port, the issuer checked by RFC 9207 iss; tokens stored 0600',
        options: {
          onStderr: (soFar) => {
            const url = /^ {2}(http\S+)$/m.exec(soFar)?.[1];
            if (url !== undefined && signedIn === undefined) {
              signedIn = signInAsTestUser(http, url, info.user).catch(() => undefined);
            }
          },
        },
      });
      await signedIn;
      await t.run({
        display: 'apikit token --profile demo',
        argv: ['token', '--profile', 'demo'],
        keep: 'USER_TOKEN',
        expect: { code: 0, output: [JWT_LINE] },
        shows: 'the profile’s access token, refreshed when it is about to expire',
      });
      await t.run({
        display: 'apikit logout --profile demo',
        argv: ['logout', '--profile', 'demo'],
        expect: { code: 0 },
        shows: 'the refresh token revoked at the issuer (RFC 7009) and the tokens forgotten',
      });
    },
  },
];
