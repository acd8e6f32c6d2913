import type { AuditFinding, AuditReport, CheckSpec } from '../../../src/lib/audit/types.js';
import { countBySeverity } from '../../../src/lib/findings.js';

/**
 * Hand-made AuditReports for the render tests (view, markdown, SARIF): written against the type, so the renderers
 * are tested apart from the rules that fill a report.
 */
export const AUDITED_URL = 'https://api.example.test/v1/me';

export const CHECKS: CheckSpec[] = [
  {
    id: 'audit.hsts.missing',
    category: 'headers',
    severity: 'high',
    points: -20,
    kinds: ['api', 'html'],
    title: 'No Strict-Transport-Security header',
    advice: 'Send Strict-Transport-Security: max-age=31536000; includeSubDomains',
    reference: 'RFC 6797 §6.1',
  },
  {
    id: 'audit.leaks.x-powered-by',
    category: 'disclosure',
    severity: 'low',
    points: -5,
    kinds: ['api', 'html'],
    title: 'X-Powered-By names the framework',
    advice: 'Remove X-Powered-By',
    reference: 'OWASP Secure Headers Project',
  },
  {
    id: 'audit.tls.legacy-protocol',
    category: 'transport',
    severity: 'high',
    points: -20,
    kinds: ['api', 'html'],
    title: 'TLS 1.0 or 1.1 accepted',
    advice: 'Accept TLS 1.2 and 1.3 only',
    reference: 'RFC 8996',
  },
  {
    id: 'audit.problem.not-problem-json',
    category: 'content',
    severity: 'info',
    points: 0,
    kinds: ['api'],
    title: 'Error body is not application/problem+json',
    advice: 'Answer errors with RFC 9457 problem details',
    reference: 'RFC 9457',
  },
  {
    id: 'audit.cookies.no-httponly',
    category: 'cookies',
    severity: 'medium',
    points: -10,
    kinds: ['api', 'html'],
    title: 'A cookie lacks HttpOnly',
    advice: 'Add HttpOnly',
    reference: 'RFC 6265bis §4.1.2.6',
  },
];

const finding = (id: string, over: Partial<AuditFinding> = {}): AuditFinding => {
  const c = CHECKS.find((x) => x.id === id)!;
  return {
    id,
    severity: c.severity,
    points: c.points,
    category: c.category,
    message: c.title,
    advice: c.advice,
    evidence: [],
    ...over,
  };
};

export function buildReport(over: Partial<AuditReport> = {}): AuditReport {
  const findings = over.findings ?? [];
  const score = over.score ?? Math.max(0, 100 + findings.reduce((s, f) => s + f.points, 0));
  return {
    url: AUDITED_URL,
    method: 'GET',
    status: 200,
    source: 'live',
    target: 'auto',
    kind: 'api',
    score,
    grade: 'A+',
    observatory: { score: 100, grade: 'A+', tests: [], leftOut: [] },
    counts: countBySeverity(findings),
    headers: { 'content-type': ['application/json; charset=utf-8'] },
    tls: null,
    redirect: null,
    cors: null,
    requests: 2,
    assumeHttps: false,
    authenticated: false,
    ...over,
    findings,
  };
}

/** A clean report: no findings. */
export const cleanReport = (): AuditReport => buildReport({ grade: 'A+', score: 100 });

/** Findings in four categories, TLS and redirect facts, an Observatory table. */
export function busyReport(): AuditReport {
  const findings = [
    finding('audit.hsts.missing', {
      header: 'strict-transport-security',
      evidence: [{ request: `GET ${AUDITED_URL}`, status: 200, header: 'strict-transport-security' }],
    }),
    finding('audit.leaks.x-powered-by', {
      header: 'x-powered-by',
      evidence: [{ header: 'x-powered-by', value: 'Express' }],
    }),
    finding('audit.tls.legacy-protocol', { evidence: [{ note: 'TLSv1 accepted (ECDHE-RSA-AES128-SHA)' }] }),
    finding('audit.cookies.no-httponly', {
      header: 'set-cookie',
      evidence: [{ header: 'set-cookie', value: 'sid=<redacted>; Path=/' }],
    }),
    finding('audit.problem.not-problem-json', { header: 'content-type' }),
  ];
  return buildReport({
    findings,
    score: 45,
    grade: 'C-',
    observatory: {
      score: 55,
      grade: 'C',
      tests: [
        {
          name: 'strict-transport-security',
          result: 'hsts-not-implemented',
          modifier: -20,
          pass: false,
        },
        { name: 'x-content-type-options', result: 'x-content-type-options-nosniff', modifier: 0, pass: true },
        { name: 'redirection', result: 'redirection-missing', modifier: -20, pass: false },
      ],
      leftOut: [{ name: 'subresource-integrity', reason: "needs the page's scripts" }],
    },
    requests: 3,
    authenticated: true,
    headers: {
      'content-type': ['application/json'],
      'x-powered-by': ['Express'],
      'set-cookie': ['sid=<redacted>; Path=/'],
    },
    tls: {
      host: 'api.example.test',
      port: 443,
      protocols: [
        { version: 'TLSv1', accepted: true, cipher: 'ECDHE-RSA-AES128-SHA' },
        { version: 'TLSv1.1', accepted: false, error: 'alert protocol version' },
        { version: 'TLSv1.2', accepted: true, cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256' },
        { version: 'TLSv1.3', accepted: true, cipher: 'TLS_AES_256_GCM_SHA384' },
      ],
      authorized: true,
      chain: [
        {
          subject: 'CN=api.example.test',
          issuer: 'CN=apikit test CA',
          validFrom: '2026-01-01T00:00:00.000Z',
          validTo: '2027-01-01T00:00:00.000Z',
          subjectAltNames: ['DNS:api.example.test'],
          fingerprint256: 'AB:CD',
          selfSigned: false,
        },
      ],
    },
    redirect: { url: 'http://api.example.test/v1/me', status: 200 },
    cors: { origin: 'https://apikit-audit.invalid', preflightStatus: 204, error: null },
  });
}

/** A server that sends escape sequences, markup and a bidi override in everything it chooses. */
export function hostileReport(): AuditReport {
  const evil = '\u001b[2J<img src=x onerror=alert(1)>|`**\u202e';
  return buildReport({
    url: 'https://api.example.test/v1/me?q=%1B',
    findings: [
      finding('audit.leaks.x-powered-by', {
        header: 'x-powered-by',
        message: `X-Powered-By names ${evil}`,
        evidence: [{ header: 'x-powered-by', value: evil }],
      }),
    ],
    grade: 'A',
    headers: { 'content-type': [evil], 'x-powered-by': [evil] },
    tls: null,
  });
}
