import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../../src/lib/audit/types.js';
import { compareGrade } from '../../../src/lib/findings.js';
import { hasStackTrace, runCli } from '../../helpers/cli.js';
import { requireNginx } from '../../fixtures/ratelimit/require.js';
import {
  COOKIE_SECRETS,
  startBare,
  startCookies,
  startHelmet,
  startLifecycle,
  startMalformed,
  startNginxAudit,
  TEST_TOKEN,
  type AuditServer,
  type NginxAudit,
} from '../../fixtures/audit/servers.js';

/**
 * `apikit audit` end to end in-process against real servers on 127.0.0.1 (express + helmet, bare node, malformed
 * headers, cookies, Deprecation/Sunset; nginx in nginx.test.ts): the findings each fixture must and must not get,
 * the grade order, the Observatory-equivalent score as a sum written out from Observatory's scoring table, the
 * requests counted at the server, and the exit codes of --fail-under. Plain http on loopback, so --assume-https:
 * the headers are judged as over https and transport is not (https.test.ts has the TLS fixtures).
 */
let helmet: AuditServer;
let bare: AuditServer;
let malformed: AuditServer;
let cookies: AuditServer;
let lifecycle: AuditServer;

beforeAll(async () => {
  [helmet, bare, malformed, cookies, lifecycle] = await Promise.all([
    startHelmet(),
    startBare(),
    startMalformed(),
    startCookies(),
    startLifecycle(),
  ]);
});
afterAll(async () => {
  await Promise.all([helmet, bare, malformed, cookies, lifecycle].map((s) => s?.close()));
});

export async function auditJson(url: string, ...flags: string[]): Promise<AuditReport> {
  const r = await runCli(['audit', url, '--assume-https', '--json', ...flags]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as AuditReport;
}

const ids = (report: AuditReport): string[] => report.findings.map((f) => f.id);

/** Observatory: start at 100, add each modifier; bonuses count only when the negatives leave ≥ 90. */
const nonZeroObservatory = (report: AuditReport): [string, number][] =>
  report.observatory.tests.filter((t) => t.modifier !== 0).map((t) => [t.result, t.modifier]);

interface Expectation {
  name: string;
  server: () => AuditServer;
  path?: string;
  kind: 'api' | 'html';
  grade: string;
  score: number;
  present: string[];
  absent: string[];
  /** Observatory's modifiers other than 0, from its SCORE_TABLE, and the sum they make. */
  observatory: { modifiers: [string, number][]; score: number };
}

const EXPECTED: Expectation[] = [
  {
    name: 'helmet',
    server: () => helmet,
    kind: 'api',
    // 100 - 5 (audit.csp.api-not-none: helmet's page policy is not default-src 'none')
    grade: 'A',
    score: 95,
    present: ['audit.csp.api-not-none', 'audit.framing.api-not-deny'],
    absent: [
      'audit.hsts.missing',
      'audit.nosniff.missing',
      'audit.leaks.x-powered-by',
      'audit.deprecated.x-xss-protection', // helmet sends X-XSS-Protection: 0, the one accepted value
      'audit.framing.api-missing',
      'audit.referrer.unsafe',
      'audit.content-type.json-no-charset',
    ],
    // Negatives leave 100 (≥ 90), so the bonuses count: 100 + 10 + 5 + 5 + 10 = 130.
    observatory: {
      modifiers: [
        ['coop-implemented-with-same-origin', 10],
        ['referrer-policy-private', 5],
        ['x-frame-options-implemented-via-csp', 5],
        ['corp-implemented-with-same-origin', 10],
      ],
      score: 130,
    },
  },
  {
    name: 'helmet, an HTML page (--target auto)',
    server: () => helmet,
    path: '/page',
    kind: 'html',
    grade: 'A',
    score: 95,
    present: ['audit.permissions.missing'],
    absent: [
      'audit.csp.api-not-none',
      'audit.csp.missing',
      'audit.framing.missing',
      'audit.csp.unsafe-inline',
    ],
    observatory: {
      modifiers: [
        ['coop-implemented-with-same-origin', 10],
        ['referrer-policy-private', 5],
        ['x-frame-options-implemented-via-csp', 5],
        ['corp-implemented-with-same-origin', 10],
      ],
      score: 130,
    },
  },
  {
    name: 'helmet, a 401 problem+json (audited like a 200)',
    server: () => helmet,
    path: '/v1/private',
    kind: 'api',
    grade: 'A',
    score: 95,
    present: ['audit.csp.api-not-none'],
    absent: ['audit.problem.not-problem-json', 'audit.problem.invalid'],
    observatory: {
      modifiers: [
        ['coop-implemented-with-same-origin', 10],
        ['referrer-policy-private', 5],
        ['x-frame-options-implemented-via-csp', 5],
        ['corp-implemented-with-same-origin', 10],
      ],
      score: 130,
    },
  },
  {
    name: 'bare node',
    server: () => bare,
    kind: 'api',
    // 100 - 25 (hsts) - 10 (csp) - 10 (framing) - 15 (nosniff) - 5 (x-powered-by) = 35
    grade: 'D',
    score: 35,
    present: [
      'audit.hsts.missing',
      'audit.csp.api-missing',
      'audit.framing.api-missing',
      'audit.nosniff.missing',
      'audit.leaks.x-powered-by',
      'audit.content-type.json-no-charset',
    ],
    absent: ['audit.leaks.server-version', 'audit.cookies.secure-missing', 'audit.transport.plain-http'],
    // 100 - 25 - 20 - 5 - 20 = 30 (below 90: no bonus would count, and there is none)
    observatory: {
      modifiers: [
        ['csp-not-implemented', -25],
        ['hsts-not-implemented', -20],
        ['x-content-type-options-not-implemented', -5],
        ['x-frame-options-not-implemented', -20],
      ],
      score: 30,
    },
  },
  {
    name: 'malformed headers',
    server: () => malformed,
    kind: 'api',
    // 100 - 25 (hsts malformed, as missing) - 10 (SameSite=Bogus) - 10 (ALLOWALL frames) - 5 (ALLOWALL itself)
    grade: 'C',
    score: 50,
    present: [
      'audit.hsts.malformed',
      'audit.cookies.samesite-invalid',
      'audit.framing.api-missing',
      'audit.framing.xfo-invalid',
    ],
    // max-age=abc is a finding, not a pass and not "missing"; the first CSP line (default-src 'none') is enforced
    // on its own, so the second one's 'unsafe-inline' * opens nothing.
    absent: [
      'audit.hsts.missing',
      'audit.csp.api-missing',
      'audit.csp.api-not-none',
      'audit.nosniff.missing',
    ],
    // Negatives: 100 - 20 - 20 = 60 < 90, so the +10 does not count: 60.
    observatory: {
      modifiers: [
        ['csp-implemented-with-no-unsafe-default-src-none', 10],
        ['cookies-samesite-flag-invalid', -20],
        ['x-frame-options-header-invalid', -20],
      ],
      score: 60,
    },
  },
  {
    name: 'cookies with and without flags',
    server: () => cookies,
    kind: 'api',
    grade: 'F',
    score: 0,
    present: [
      'audit.cookies.secure-missing',
      'audit.cookies.httponly-missing',
      'audit.cookies.samesite-missing',
      'audit.cookies.samesite-none-without-secure',
      'audit.cookies.host-prefix-invalid',
      'audit.cookies.secure-prefix-invalid',
    ],
    absent: ['audit.cookies.samesite-invalid'],
    // 100 - 25 - 20 - 20 - 5 - 20 = 10
    observatory: {
      modifiers: [
        ['csp-not-implemented', -25],
        ['cookies-samesite-flag-invalid', -20],
        ['hsts-not-implemented', -20],
        ['x-content-type-options-not-implemented', -5],
        ['x-frame-options-not-implemented', -20],
      ],
      score: 10,
    },
  },
  {
    name: 'Deprecation and Sunset in the past',
    server: () => lifecycle,
    path: '/past',
    kind: 'api',
    // 100 - 25 - 10 - 10 - 15 (the headers) - 5 (sunset past) - 2 (no successor) = 33
    grade: 'D',
    score: 33,
    present: ['audit.versioning.sunset-past', 'audit.versioning.deprecated-without-successor'],
    absent: ['audit.versioning.sunset-before-deprecation', 'audit.versioning.malformed'],
    observatory: {
      modifiers: [
        ['csp-not-implemented', -25],
        ['hsts-not-implemented', -20],
        ['x-content-type-options-not-implemented', -5],
        ['x-frame-options-not-implemented', -20],
      ],
      score: 30,
    },
  },
  {
    name: 'Deprecation past, Sunset in 180 days, successor named',
    server: () => lifecycle,
    path: '/future',
    kind: 'api',
    grade: 'D+',
    score: 40,
    present: ['audit.versioning.deprecated'],
    absent: [
      'audit.versioning.sunset-past',
      'audit.versioning.sunset-within-30-days',
      'audit.versioning.deprecated-without-successor',
      'audit.versioning.malformed',
    ],
    observatory: {
      modifiers: [
        ['csp-not-implemented', -25],
        ['hsts-not-implemented', -20],
        ['x-content-type-options-not-implemented', -5],
        ['x-frame-options-not-implemented', -20],
      ],
      score: 30,
    },
  },
  {
    name: 'Sunset in 10 days',
    server: () => lifecycle,
    path: '/soon',
    kind: 'api',
    grade: 'D+',
    score: 40,
    present: ['audit.versioning.sunset-within-30-days'],
    absent: ['audit.versioning.sunset-past', 'audit.versioning.deprecated-without-successor'],
    observatory: {
      modifiers: [
        ['csp-not-implemented', -25],
        ['hsts-not-implemented', -20],
        ['x-content-type-options-not-implemented', -5],
        ['x-frame-options-not-implemented', -20],
      ],
      score: 30,
    },
  },
];

describe('audit: findings, grade and Observatory score per fixture', () => {
  it.each(EXPECTED)('$name', async (e) => {
    const s = e.server();
    const url = e.path === undefined ? s.url : `${s.base}${e.path}`;
    const report = await auditJson(url);
    expect(report.kind).toBe(e.kind);
    for (const id of e.present) expect(ids(report), id).toContain(id);
    for (const id of e.absent) expect(ids(report), id).not.toContain(id);
    expect({ grade: report.grade, score: report.score }).toEqual({ grade: e.grade, score: e.score });
    // The score is 100 plus the findings' points, clamped: the report explains every point.
    expect(report.score).toBe(Math.max(0, 100 + report.findings.reduce((sum, f) => sum + f.points, 0)));
    expect(nonZeroObservatory(report)).toEqual(e.observatory.modifiers);
    const negatives = e.observatory.modifiers.filter(([, m]) => m < 0).reduce((sum, [, m]) => sum + m, 100);
    const all = e.observatory.modifiers.reduce((sum, [, m]) => sum + m, 100);
    expect(report.observatory.score).toBe(Math.max(0, negatives >= 90 ? all : negatives));
    expect(report.observatory.score).toBe(e.observatory.score);
    // --assume-https on loopback http: no transport facts, so Observatory's redirection test is left out.
    expect(report.observatory.leftOut.map((t) => t.name)).toContain('redirection');
  });

  it('grade order: helmet > bare node (nginx.test.ts: full OWASP set > helmet)', async () => {
    const [h, b] = await Promise.all([auditJson(helmet.url), auditJson(bare.url)]);
    expect(compareGrade(h.grade, b.grade)).toBeGreaterThan(0);
    expect(h.score).toBeGreaterThan(b.score);
  });

  it('--target html judges a JSON API as a page (more rules), --target api an HTML page as an API', async () => {
    const asHtml = await auditJson(helmet.url, '--target', 'html');
    expect(asHtml).toMatchObject({ target: 'html', kind: 'html' });
    expect(ids(asHtml)).not.toContain('audit.csp.api-not-none');
    const asApi = await auditJson(`${helmet.base}/page`, '--target', 'API');
    expect(asApi).toMatchObject({ target: 'api', kind: 'api' });
    expect(ids(asApi)).toContain('audit.csp.api-not-none');
  });
});

describe('audit: what is sent, counted at the server', () => {
  it('an http URL: the GET with the credential, then one preflight from a foreign origin without it', async () => {
    const before = (await bare.seen()).length;
    const r = await runCli(['audit', bare.url, '--assume-https', '--json', '--bearer-env', 'TOKEN'], {
      env: { TOKEN: TEST_TOKEN },
    });
    expect(r.code, r.stderr).toBe(0);
    const seen = (await bare.seen()).slice(before);
    expect(seen).toEqual([
      { method: 'GET', path: '/v1/me', origin: undefined, credential: true, acrm: undefined },
      {
        method: 'OPTIONS',
        path: '/v1/me',
        origin: 'https://apikit-audit.invalid',
        credential: false,
        acrm: 'GET',
      },
    ]);
    const report = JSON.parse(r.stdout) as AuditReport;
    expect(report).toMatchObject({ requests: 2, authenticated: true, source: 'live' });
    expect(report.cors).toEqual({
      origin: 'https://apikit-audit.invalid',
      preflightStatus: 200,
      error: null,
    });
    // Authenticated, and no Cache-Control: the cache check applies now.
    expect(ids(report)).toContain('audit.cache.missing');
    expect(r.stdout + r.stderr).not.toContain(TEST_TOKEN);
    // The budget line first, on stderr.
    expect(r.stderr).toMatch(/^auditing GET http:\/\/127\.0\.0\.1:\d+\/v1\/me: at most 2 requests/);
  });

  it('-X POST is sent once, announced, and the preflight asks for POST', async () => {
    const before = (await bare.seen()).length;
    const r = await runCli(['audit', bare.url, '--assume-https', '-X', 'post']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning: -X POST is sent for real, once');
    const seen = (await bare.seen()).slice(before);
    expect(seen.map((s) => `${s.method} ${s.acrm ?? ''}`)).toEqual(['POST ', 'OPTIONS POST']);
  });
});

describe('audit: secrets and server text in the output', () => {
  it.each(['--json', '--format=markdown', '--format=sarif', '--format=table'])(
    'cookie values are redacted (%s), names and attributes kept',
    async (format) => {
      const r = await runCli(['audit', cookies.url, '--assume-https', format]);
      expect(r.code, r.stderr).toBe(0);
      for (const secret of COOKIE_SECRETS) expect(r.stdout).not.toContain(secret);
      expect(r.stdout).toContain('Host-bad'); // Markdown escapes the underscores
    },
  );

  it('--json headers: Set-Cookie lines keep their names and attributes, values redacted', async () => {
    const report = await auditJson(cookies.url);
    expect(report.headers['set-cookie']).toContain('tracking=<redacted>');
    expect(report.headers['set-cookie']?.[0]).toBe(
      '__Host-session=<redacted>; Path=/; Secure; HttpOnly; SameSite=Strict',
    );
  });
});

describe('audit: exit codes', () => {
  it.each([
    { flags: ['--fail-under', 'B'], server: () => bare, code: 1 },
    { flags: ['--fail-under', 'd'], server: () => bare, code: 0 },
    { flags: ['--fail-under', 'D+'], server: () => bare, code: 1 },
    { flags: ['--fail-under', 'A'], server: () => helmet, code: 0 },
    { flags: ['--fail-under', 'A+'], server: () => helmet, code: 1 },
    { flags: [], server: () => cookies, code: 0 },
  ])('$flags → exit $code, the report printed either way', async ({ flags, server, code }) => {
    const r = await runCli(['audit', server().url, '--assume-https', ...flags]);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stdout).toMatch(/^grade\t/m);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});

const nginxGate = requireNginx();

describe.skipIf(nginxGate.skip)(
  `audit: nginx${nginxGate.skip ? ` — skipped: ${nginxGate.reason}` : ''}`,
  () => {
    let nginx: NginxAudit;
    beforeAll(async () => {
      nginx = await startNginxAudit();
    });
    afterAll(() => nginx?.close());

    it('server_tokens on: the version in Server is a finding, and no security header is set', async () => {
      const report = await auditJson(nginx.tokens.url);
      expect(ids(report)).toEqual(
        expect.arrayContaining([
          'audit.leaks.server-version',
          'audit.hsts.missing',
          'audit.nosniff.missing',
          'audit.csp.api-missing',
          'audit.framing.api-missing',
        ]),
      );
      expect({ grade: report.grade, score: report.score }).toEqual({ grade: 'D', score: 35 });
      // 100 - 25 - 20 - 5 - 20
      expect(report.observatory.score).toBe(30);
      const seen = await nginx.tokens.seen();
      expect(seen.map((s) => `${s.method} ${s.origin ?? '-'} ${s.credential}`)).toEqual([
        'GET - false',
        'OPTIONS https://apikit-audit.invalid false',
      ]);
    });

    it('the whole OWASP set: A+ 100, nothing but the bare Server name (info, 0 points)', async () => {
      const report = await auditJson(nginx.owasp.url);
      expect({ grade: report.grade, score: report.score }).toEqual({ grade: 'A+', score: 100 });
      expect(report.findings.map((f) => [f.id, f.points])).toEqual([['audit.leaks.server', 0]]);
      // Negatives leave 100, so every bonus counts: 100 + 10 + 10 + 10 + 5 + 5 + 10 = 150.
      expect(nonZeroObservatory(report)).toEqual([
        ['csp-implemented-with-no-unsafe-default-src-none', 10],
        ['coep-implemented-with-require-corp', 10],
        ['coop-implemented-with-same-origin', 10],
        ['referrer-policy-private', 5],
        ['x-frame-options-implemented-via-csp', 5],
        ['corp-implemented-with-same-origin', 10],
      ]);
      expect(report.observatory).toMatchObject({ score: 150, grade: 'A+' });
    });

    it('grade order: full OWASP set > helmet > bare node', async () => {
      const [o, h, b] = await Promise.all([
        auditJson(nginx.owasp.url),
        auditJson(helmet.url),
        auditJson(bare.url),
      ]);
      expect(compareGrade(o.grade, h.grade)).toBeGreaterThan(0);
      expect(compareGrade(h.grade, b.grade)).toBeGreaterThan(0);
      expect(o.score).toBeGreaterThan(h.score);
      expect(h.score).toBeGreaterThan(b.score);
    });
  },
);
