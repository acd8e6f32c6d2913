import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import {
  NATIVE_CLIENT_ID,
  startDoctorProvider,
  WEB_ONLY_CLIENT_ID,
  type DoctorProvider,
  type Misconfig,
} from '../../fixtures/doctor/provider.js';

/**
 * `apikit doctor` against real oidc-provider instances: configured well (every item passes, exit 0), and
 * misconfigured one way each — the item that names the problem fails or warns, with its evidence and advice.
 */
interface Doctor {
  code: number;
  json: {
    issuer: string;
    clientId: string | null;
    verdict: string;
    summary: Record<string, number>;
    checks: Array<{
      id: string;
      status: string;
      evidence: string[];
      advice: string | null;
      details?: Record<string, unknown>;
    }>;
  };
  stderr: string;
}

async function doctor(issuer: string, ...args: string[]): Promise<Doctor> {
  const r = await runCli(['doctor', '--issuer', issuer, ...args, '--json']);
  return { code: r.code, json: JSON.parse(r.stdout) as Doctor['json'], stderr: r.stderr };
}

const statusOf = (d: Doctor, id: string): string | undefined =>
  d.json.checks.find((c) => c.id === id)?.status;
const check = (d: Doctor, id: string) => d.json.checks.find((c) => c.id === id)!;

const servers: Partial<Record<string, DoctorProvider>> = {};
const CONFIGS: Record<string, Misconfig> = {
  good: {},
  plain: { pkcePlainOnly: true },
  noIss: { noIss: true },
  skew45: { dateOffsetSeconds: 45 },
  skew600: { dateOffsetSeconds: -600 },
};
beforeAll(async () => {
  await Promise.all(
    Object.entries(CONFIGS).map(
      async ([name, config]) => (servers[name] = await startDoctorProvider(config)),
    ),
  );
});
afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s?.close()));
});

describe('apikit doctor against oidc-provider configured well', () => {
  it('passes every item, exit 0, the JSON checklist in order', async () => {
    const d = await doctor(servers.good!.issuer, '--client-id', NATIVE_CLIENT_ID);
    expect(d.code, d.stderr).toBe(0);
    expect(d.json.checks.map((c) => c.id)).toEqual([
      'discovery',
      'issuer',
      'endpoints',
      'pkce',
      'iss-parameter',
      'loopback-redirect',
      'token-auth-methods',
      'jwks',
      'refresh-tokens',
      'revocation',
      'device-authorization',
      'clock-skew',
    ]);
    expect(d.json.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(d.json).toMatchObject({
      issuer: servers.good!.issuer,
      clientId: NATIVE_CLIENT_ID,
      verdict: 'pass',
    });
    expect(d.json.summary).toEqual({ pass: 12, warn: 0, fail: 0, skip: 0 });
    expect(check(d, 'jwks').details).toMatchObject({ algorithms: ['RS256', 'ES256'] });
    // The loopback check came back to the redirect URI (prompt=none → login_required), with the issuer as iss.
    expect(check(d, 'loopback-redirect').details).toMatchObject({ probe: 'callback', accepted: true });
    expect(check(d, 'iss-parameter').evidence.join('\n')).toContain(`iss="${servers.good!.issuer}"`);
    expect(check(d, 'clock-skew').details).toMatchObject({ skewSeconds: expect.any(Number) });
    expect(Math.abs(check(d, 'clock-skew').details!.skewSeconds as number)).toBeLessThanOrEqual(2);
  });

  it('asks for the port given with --port, and sends no control request when the answer is clear', async () => {
    const s = servers.good!;
    s.requests.length = 0;
    const d = await doctor(s.issuer, '--client-id', NATIVE_CLIENT_ID, '--port', '8400');
    expect(check(d, 'loopback-redirect').details).toMatchObject({
      redirectUri: 'http://127.0.0.1:8400/callback',
    });
    expect(s.requests.filter((r) => r.startsWith('GET /auth'))).toHaveLength(1);
    // Two discovery documents, the JWKS, one authorization request: nothing else.
    expect(s.requests).toHaveLength(4);
  });

  it('skips the loopback check without --client-id, and still exits 0', async () => {
    const d = await doctor(servers.good!.issuer);
    expect(d.code).toBe(0);
    expect(check(d, 'loopback-redirect')).toMatchObject({
      status: 'skip',
      evidence: ['not checked: give --client-id to check it'],
    });
    expect(d.json.clientId).toBeNull();
    expect(d.json.summary.skip).toBe(1);
  });
});

describe('apikit doctor against oidc-provider misconfigured', () => {
  it('a client without loopback redirect URIs: loopback-redirect fails (invalid_redirect_uri), exit 1', async () => {
    const d = await doctor(servers.good!.issuer, '--client-id', WEB_ONLY_CLIENT_ID);
    expect(d.code).toBe(1);
    const c = check(d, 'loopback-redirect');
    expect(c.status).toBe('fail');
    expect(c.details).toMatchObject({ probe: 'refused', accepted: false });
    expect(c.evidence[0]).toMatch(/HTTP 400 with error=invalid_redirect_uri/);
    expect(c.advice).toContain('http://127.0.0.1/callback');
    expect(d.json.verdict).toBe('fail');
  });

  it('an unknown client: refused too', async () => {
    const d = await doctor(servers.good!.issuer, '--client-id', 'nobody-registered-this');
    expect(d.code).toBe(1);
    expect(check(d, 'loopback-redirect').evidence[0]).toMatch(/HTTP 400 with error=invalid_client/);
  });

  it('PKCE plain only: pkce fails, exit 1', async () => {
    const d = await doctor(servers.plain!.issuer, '--client-id', NATIVE_CLIENT_ID);
    expect(d.code).toBe(1);
    expect(check(d, 'pkce')).toMatchObject({ status: 'fail', details: { methods: ['plain'] } });
    expect(check(d, 'pkce').advice).toMatch(/S256/);
    expect(d.json.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['pkce']);
  });

  it('no RFC 9207 iss (not advertised, not sent): iss-parameter warns, exit 0', async () => {
    const d = await doctor(servers.noIss!.issuer, '--client-id', NATIVE_CLIENT_ID);
    expect(d.code).toBe(0);
    const c = check(d, 'iss-parameter');
    expect(c.status).toBe('warn');
    expect(c.evidence).toContain('"authorization_response_iss_parameter_supported" is absent');
    expect(c.evidence).toContain('the authorization response sent to the loopback redirect had no iss');
    expect(d.json.verdict).toBe('warn');
  });

  it.each([
    ['skew45', 'warn', 0, 45],
    ['skew600', 'fail', 1, -600],
  ] as const)('a server whose Date lies (%s): clock-skew %s, exit %d', async (name, status, code, offset) => {
    const d = await doctor(servers[name]!.issuer);
    expect(d.code).toBe(code);
    const c = check(d, 'clock-skew');
    expect(c.status).toBe(status);
    // Date is to the second and the request takes a moment: within 2 s of the lie.
    expect(Math.abs((c.details!.skewSeconds as number) - offset)).toBeLessThanOrEqual(2);
    expect(c.evidence.join('\n')).toMatch(offset > 0 ? /ahead of/ : /behind/);
    expect(statusOf(d, 'discovery')).toBe('pass');
  });
});

describe('apikit doctor: the human checklist', () => {
  it('prints each item with its evidence and advice on stdout, nothing on stderr', async () => {
    const r = await runCli(['doctor', '--issuer', servers.plain!.issuer, '--client-id', NATIVE_CLIENT_ID]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^apikit doctor: http:\/\/127\.0\.0\.1:\d+ \(client apikit-cli\)$/m);
    expect(r.stdout).toMatch(/^ {2}fail {2}pkce +PKCE with S256/m);
    expect(r.stdout).toMatch(/^ +advice: enable PKCE with S256/m);
    expect(r.stdout).toMatch(/^FAIL: 1 failed, 0 warnings, 11 passed$/m);
    expect(r.stdout).not.toContain('\u001b[');
  });
});
