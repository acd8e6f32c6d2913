import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../../helpers/cli.js';
import {
  es256Jwk,
  metadata,
  startHostile,
  weakRsaJwk,
  type HostileServer,
  type Routes,
} from '../../fixtures/doctor/hostile.js';

/**
 * `apikit doctor` against servers that answer what no authorization server should: the item that names the
 * problem fails, nothing is fetched from a document that cannot be trusted, every answer is bounded, and nothing
 * a server sends reaches the terminal unsanitised. Unreachable is exit 3; every other answer is a checklist.
 */
const open: HostileServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function serve(routes: Routes, options?: { sendDate?: boolean }): Promise<HostileServer> {
  const s = await startHostile(routes, options);
  open.push(s);
  return s;
}

interface Checked {
  code: number;
  stderr: string;
  checks: Record<
    string,
    { status: string; evidence: string[]; advice: string | null; details?: Record<string, unknown> }
  >;
}

async function doctor(issuer: string, ...args: string[]): Promise<Checked> {
  const r = await runCli(['doctor', '--issuer', issuer, ...args, '--json']);
  const json = JSON.parse(r.stdout) as { checks: Array<{ id: string } & Checked['checks'][string]> };
  return { code: r.code, stderr: r.stderr, checks: Object.fromEntries(json.checks.map((c) => [c.id, c])) };
}

/** A sound server: OIDC discovery (no RFC 8414 document), a JWKS, an authorization endpoint redirecting back. */
function sound(
  extra: (issuer: string) => Record<string, unknown> = () => ({}),
  more: ReturnType<Routes> = {},
): Routes {
  return (issuer) => ({
    '/.well-known/openid-configuration': { body: metadata(issuer, extra(issuer)) },
    '/authorize': (req) => {
      const url = new URL(req.url ?? '/', issuer);
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('error', 'login_required');
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      back.searchParams.set('iss', issuer);
      return { status: 302, headers: { location: back.href } };
    },
    ...more,
  });
}

describe('apikit doctor: hostile discovery documents', () => {
  it('a sound server with only the OIDC document passes discovery and everything else', async () => {
    const jwk = await es256Jwk();
    const s = await serve(sound(undefined, { '/jwks': { body: { keys: [jwk] } } }));
    const d = await doctor(s.issuer, '--client-id', 'cli');
    expect(d.code, d.stderr).toBe(0);
    expect(d.checks.discovery!.evidence[0]).toMatch(/^RFC 8414 .*: HTTP 404$/);
    expect(Object.values(d.checks).every((c) => c.status === 'pass')).toBe(true);
  });

  it('wrong issuer: issuer fails, and neither the JWKS nor the authorization endpoint is contacted', async () => {
    const s = await serve(sound(() => ({ issuer: 'https://other.example.test' })));
    const d = await doctor(s.issuer, '--client-id', 'cli');
    expect(d.code).toBe(1);
    expect(d.checks.issuer!.status).toBe('fail');
    expect(d.checks.issuer!.evidence[0]).toBe(
      `the document names issuer "https://other.example.test", not "${s.issuer}"`,
    );
    expect(d.checks.jwks!.status).toBe('skip');
    expect(d.checks['loopback-redirect']!.status).toBe('skip');
    expect(s.requests).toEqual([
      'GET /.well-known/oauth-authorization-server',
      'GET /.well-known/openid-configuration',
    ]);
  });

  it('an issuer that differs by a trailing slash: the advice says to give it exactly', async () => {
    const s = await serve(sound((issuer) => ({ issuer: `${issuer}/` })));
    const d = await doctor(s.issuer);
    expect(d.checks.issuer!.status).toBe('fail');
    expect(d.checks.issuer!.advice).toContain('the trailing slash counts');
  });

  it('http endpoints off loopback: endpoints and jwks fail, and nothing is sent to them', async () => {
    const s = await serve(
      sound(() => ({
        authorization_endpoint: 'http://auth.example.test/authorize',
        token_endpoint: 'http://auth.example.test/token',
        jwks_uri: 'http://auth.example.test/jwks',
        revocation_endpoint: 'ftp://auth.example.test/revoke',
      })),
    );
    const d = await doctor(s.issuer, '--client-id', 'cli');
    expect(d.code).toBe(1);
    expect(d.checks.endpoints!.status).toBe('fail');
    expect(d.checks.endpoints!.evidence).toEqual([
      '"authorization_endpoint" "http://auth.example.test/authorize" is plain http (not loopback)',
      '"token_endpoint" "http://auth.example.test/token" is plain http (not loopback)',
      '"jwks_uri" "http://auth.example.test/jwks" is plain http (not loopback)',
      '"revocation_endpoint" "ftp://auth.example.test/revoke" is not an https URL',
    ]);
    expect(d.checks.jwks!.status).toBe('fail');
    expect(d.checks.revocation!.status).toBe('fail');
    expect(d.checks['loopback-redirect']).toMatchObject({
      status: 'skip',
      evidence: ['not checked: no usable authorization_endpoint'],
    });
    expect(s.requests).toHaveLength(2);
  });

  it('a plain-http issuer off loopback: discovery fails, nothing is fetched at all', async () => {
    const d = await doctor('http://auth.example.test', '--client-id', 'cli');
    expect(d.code).toBe(1);
    expect(d.checks.discovery!.status).toBe('fail');
    expect(d.checks.discovery!.evidence[0]).toContain('plain http on a host that is not loopback');
    expect(d.checks['clock-skew']!.status).toBe('skip');
  });

  it.each([
    ['malformed JSON', '{"issuer": "x", ', /HTTP 200, but the body is not JSON/],
    ['a JSON array', '[1, 2, 3]', /HTTP 200, but the JSON is not an object/],
    [
      'a huge document (2 MiB, over the 512 KiB cap)',
      JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }),
      /refused: response from .* is larger than 524288 bytes/,
    ],
  ])(
    '%s: discovery fails with that evidence, exit 1 (the server did answer)',
    async (_name, body, evidence) => {
      const s = await serve(() => ({
        '/.well-known/oauth-authorization-server': { body, headers: { 'content-type': 'application/json' } },
        '/.well-known/openid-configuration': { body, headers: { 'content-type': 'application/json' } },
      }));
      const d = await doctor(s.issuer, '--client-id', 'cli');
      expect(d.code, d.stderr).toBe(1);
      expect(d.checks.discovery!.status).toBe('fail');
      expect(d.checks.discovery!.evidence[0]).toMatch(evidence);
      expect(d.checks.discovery!.advice).toMatch(/publish the metadata as a JSON object/);
      for (const id of ['issuer', 'endpoints', 'pkce', 'jwks', 'loopback-redirect'])
        expect(d.checks[id]!.status).toBe('skip');
    },
  );

  it('--max-body lowers the cap: a 4 KiB document over --max-body 1000 is refused', async () => {
    const s = await serve(sound((issuer) => ({ pad: 'x'.repeat(4096), issuer })));
    const d = await doctor(s.issuer, '--max-body', '1000');
    expect(d.checks.discovery!.evidence[1]).toMatch(/larger than 1000 bytes/);
    expect(d.checks.discovery!.status).toBe('fail');
  });

  it('a redirect for discovery is not followed', async () => {
    const s = await serve((issuer) => ({
      '/.well-known/oauth-authorization-server': {
        status: 302,
        headers: { location: `${issuer}/elsewhere` },
      },
      '/.well-known/openid-configuration': { status: 404 },
      '/elsewhere': { body: metadata(issuer) },
    }));
    const d = await doctor(s.issuer);
    expect(d.checks.discovery!.evidence[0]).toMatch(/HTTP 302, a redirect \(not followed for metadata\)$/);
    expect(s.requests).not.toContain('GET /elsewhere');
    expect(d.code).toBe(1);
  });

  it('the two documents disagree: discovery warns', async () => {
    const s = await serve((issuer) => ({
      '/.well-known/oauth-authorization-server': { body: metadata(issuer) },
      '/.well-known/openid-configuration': {
        body: metadata(issuer, { token_endpoint: `${issuer}/other-token` }),
      },
    }));
    const d = await doctor(s.issuer);
    expect(d.checks.discovery!.status).toBe('warn');
    expect(d.checks.discovery!.evidence).toContain('the two documents disagree on token_endpoint');
  });

  it('escape sequences in a document never reach the terminal', async () => {
    const evil = '\u001b]8;;https://evil.test\u0007click\u001b[2J\u202e';
    const s = await serve(sound(() => ({ code_challenge_methods_supported: [evil], issuer: evil })));
    const r = await runCli(['doctor', '--issuer', s.issuer], { tty: true });
    expect(r.code).toBe(1);
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/\u001b\]|\u001b\[2J|\u0007|\u202e/);
    expect(r.stdout).toContain('?]8;;https://evil.test?click?[2J?');
  });

  it('an unreachable issuer is exit 3 with one line, and the JSON error document', async () => {
    const port = await closedPort();
    const r = await runCli(['doctor', '--issuer', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      new RegExp(
        `issuer http://127\\.0\\.0\\.1:${port} is unreachable: GET 127\\.0\\.0\\.1:${port}: connection refused`,
      ),
    );
    expect(hasStackTrace(r.stderr)).toBe(false);
    const j = await runCli(['doctor', '--issuer', `http://127.0.0.1:${port}`, '--json']);
    expect(j.code).toBe(3);
    expect(JSON.parse(j.stdout)).toMatchObject({ error: { code: 'ERR_DOCTOR_UNREACHABLE', exit_code: 3 } });
  });

  it.each([
    [['--issuer', 'not a url'], /--issuer "not a url" is not an http\(s\) URL/],
    [['--issuer', 'ftp://x.example'], /not an http\(s\) URL/],
    [['--issuer', 'https://x.example', '--port', '70000'], /--port "70000" is not a port number/],
    [['--issuer', 'https://x.example', '--max-body', 'lots'], /--max-body "lots"/],
    [[], /required option '--issuer <url>'/],
  ])('bad flags %j: exit 2, one line', async (argv, message) => {
    const r = await runCli(['doctor', ...argv]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe('apikit doctor: hostile JWKS and clocks', () => {
  it.each([
    [
      'private key material',
      async () => [await es256Jwk({ private: true })],
      /private key material \("d"\) in a public JWKS/,
    ],
    [
      'a symmetric key',
      async () => [{ kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA', kid: 'h' }],
      /a symmetric \(oct\) key/,
    ],
    ['a 1024-bit RSA key only', async () => [await weakRsaJwk()], /an RSA key of 1024 bits \(under 2048\)/],
    [
      'an encryption key only',
      async () => [{ ...(await es256Jwk()), use: 'enc' }],
      /"use": "enc", not a signing key/,
    ],
    [
      'a malformed key',
      async () => [{ kty: 'EC', crv: 'P-256', x: 'AA' }],
      /keys\[0\] \(kty EC\) is missing "y"/,
    ],
  ])('%s: jwks fails, naming the key', async (_name, keys, evidence) => {
    const set = await keys();
    const s = await serve(sound(undefined, { '/jwks': { body: { keys: set } } }));
    const d = await doctor(s.issuer);
    expect(d.code).toBe(1);
    expect(d.checks.jwks!.status).toBe('fail');
    expect(d.checks.jwks!.evidence.join('\n')).toMatch(evidence);
  });

  it.each([
    ['not JSON', { body: 'nope', headers: { 'content-type': 'text/plain' } }, /not JSON/],
    ['no keys array', { body: { keys: 'x' } }, /has no "keys" array/],
    ['HTTP 500', { status: 500, body: 'oops' }, /HTTP 500/],
    ['too large', { body: { keys: [], pad: 'x'.repeat(600 * 1024) } }, /larger than 524288 bytes/],
  ])('a JWKS that is %s: jwks fails, exit 1', async (_name, route, evidence) => {
    const s = await serve(sound(undefined, { '/jwks': route }));
    const d = await doctor(s.issuer);
    expect(d.checks.jwks!.status).toBe('fail');
    expect(d.checks.jwks!.evidence[0]).toMatch(evidence);
  });

  it('a usable key beside an unusable one, and no key for an advertised ID-token algorithm: jwks warns', async () => {
    const s = await serve(
      sound(() => ({ id_token_signing_alg_values_supported: ['ES256', 'RS256'] }), {
        '/jwks': { body: { keys: [await es256Jwk(), await weakRsaJwk()] } },
      }),
    );
    const d = await doctor(s.issuer);
    expect(d.code).toBe(0);
    expect(d.checks.jwks!.status).toBe('warn');
    expect(d.checks.jwks!.evidence).toContain('no key for ID-token algorithm "RS256"');
    expect(d.checks.jwks!.details).toMatchObject({ algorithms: ['ES256'] });
  });

  it('no Date header: clock-skew warns', async () => {
    const s = await serve(sound(undefined, { '/jwks': { body: { keys: [await es256Jwk()] } } }), {
      sendDate: false,
    });
    const d = await doctor(s.issuer);
    expect(d.checks['clock-skew']).toMatchObject({ status: 'warn', details: { skewSeconds: null } });
  });

  it('a Date header that is not a date: clock-skew warns', async () => {
    const s = await serve(
      (issuer) => ({
        '/.well-known/oauth-authorization-server': {
          body: metadata(issuer),
          headers: { date: 'yesterday-ish' },
        },
      }),
      { sendDate: false },
    );
    const d = await doctor(s.issuer);
    expect(d.checks['clock-skew']!.evidence[0]).toMatch(
      /the Date header "yesterday-ish" is not an HTTP date/,
    );
  });

  it('credential -H lines go only to the issuer origin, not to a JWKS elsewhere', async () => {
    const keys = await serve(() => ({ '/jwks': { body: { keys: [] } } }));
    const s = await serve(sound(() => ({ jwks_uri: `${keys.issuer}/jwks` })));
    await runCli([
      'doctor',
      '--issuer',
      s.issuer,
      '-H',
      'Authorization: Bearer sekrit-token-value',
      '-H',
      'X-Tenant: acme',
    ]);
    expect(s.headers[0]).toMatchObject({ authorization: 'Bearer sekrit-token-value', 'x-tenant': 'acme' });
    expect(keys.requests).toEqual(['GET /jwks']);
    expect(keys.headers[0]!.authorization).toBeUndefined();
    expect(keys.headers[0]!['x-tenant']).toBe('acme');
  });
});

describe('apikit doctor: authorization endpoints that do not answer plainly', () => {
  const page = { status: 200, body: '<!doctype html><form>sign in</form>' };
  it.each([
    [
      'a sign-in page for the loopback redirect, an error page for the unregistered one',
      (req: { url?: string }) =>
        req.url?.includes('%2Fcallback') ? page : { status: 400, body: '{"error":"invalid_request"}' },
      'pass',
      'refused',
    ],
    [
      'a redirect to its sign-in page for the loopback redirect, an error page for the unregistered one',
      (req: { url?: string }) =>
        req.url?.includes('%2Fcallback')
          ? { status: 302, headers: { location: '/login?flow=1' } }
          : { status: 400 },
      'pass',
      'refused',
    ],
    ['the same sign-in page whatever it is asked', () => page, 'warn', 'onward'],
    [
      'a redirect elsewhere carrying an error',
      () => ({
        status: 302,
        headers: { location: '/error?error=invalid_request&error_description=bad+redirect_uri' },
      }),
      'fail',
      undefined,
    ],
  ] as const)('%s: loopback-redirect %s', async (_name, authorize, status, control) => {
    const s = await serve(
      sound(undefined, { '/jwks': { body: { keys: [await es256Jwk()] } }, '/authorize': authorize }),
    );
    const d = await doctor(s.issuer, '--client-id', 'cli');
    const c = d.checks['loopback-redirect']!;
    expect(c.status, c.evidence.join('\n')).toBe(status);
    expect(c.details?.control).toBe(control);
    // One request, or two when the first answer proves nothing: never more.
    expect(s.requests.filter((r) => r === 'GET /authorize')).toHaveLength(control === undefined ? 1 : 2);
  });

  it('a response to the redirect URI without the state that was sent: fails', async () => {
    const s = await serve(
      sound(undefined, {
        '/jwks': { body: { keys: [await es256Jwk()] } },
        '/authorize': (req) => {
          const back = new URL(new URL(req.url ?? '/', 'http://x').searchParams.get('redirect_uri')!);
          back.searchParams.set('code', 'abc');
          return { status: 302, headers: { location: back.href } };
        },
      }),
    );
    const d = await doctor(s.issuer, '--client-id', 'cli');
    expect(d.checks['loopback-redirect']!.status).toBe('fail');
    // Advertised RFC 9207 but the response had no iss.
    expect(d.checks['iss-parameter']!.status).toBe('fail');
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
