import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../../src/lib/audit/types.js';
import { hasStackTrace, runCli } from '../../helpers/cli.js';
import { requireOpenssl } from '../../fixtures/audit/require-openssl.js';
import { helmetApp } from '../../fixtures/audit/servers.js';
import {
  LEGACY_TLS,
  makeTestPki,
  MODERN_TLS,
  startHttpsServer,
  startHttpTwin,
  type TestHttpServer,
  type TestHttpsServer,
  type TestPki,
} from '../../fixtures/audit/tls.js';

/**
 * `apikit audit` over https against node:https servers with certificates made in the test (openssl CLI), trusted
 * through --ca: one that accepts only TLS 1.2+, one that also accepts TLS 1.0, one whose certificate expires in
 * 10 days — each serving the helmet app, each with an http:// twin (--http-url) that redirects to it. Then the
 * failures: an untrusted certificate and a refused connection are exit 3, after what was learned.
 */
const gate = requireOpenssl();

interface Site {
  https: TestHttpsServer;
  twin: TestHttpServer;
}

describe.skipIf(gate.skip)(`audit over https${gate.skip ? ` — skipped: ${gate.reason}` : ''}`, () => {
  let pki: TestPki;
  let modern: Site;
  let legacy: Site;
  let expiring: Site;
  let noRedirect: Site;

  const site = async (
    options: { minVersion?: 'TLSv1' | 'TLSv1.2'; ciphers?: string },
    cert = pki.leaf,
    redirect = true,
  ): Promise<Site> => {
    const https = await startHttpsServer({ cert, handler: helmetApp(), ...options });
    const twin = await startHttpTwin(
      redirect
        ? { location: https.url }
        : {
            handler: (_req, res) => {
              res.writeHead(200, { 'content-type': 'text/plain' });
              res.end('plain');
            },
          },
    );
    return { https, twin };
  };

  beforeAll(async () => {
    pki = makeTestPki();
    modern = await site(MODERN_TLS);
    legacy = await site(LEGACY_TLS);
    expiring = await site(MODERN_TLS, pki.issue({ days: 10 }));
    noRedirect = await site(MODERN_TLS, pki.leaf, false);
  });
  afterAll(async () => {
    for (const s of [modern, legacy, expiring, noRedirect]) {
      await s?.https.close();
      await s?.twin.close();
    }
    pki?.cleanup();
  });

  const audit = async (
    s: Site,
    ...flags: string[]
  ): Promise<{ code: number; report: AuditReport; stderr: string }> => {
    const r = await runCli([
      'audit',
      `${s.https.url}v1/me`,
      '--ca',
      pki.caPath,
      '--http-url',
      `${s.twin.url}v1/me`,
      '--json',
      ...flags,
    ]);
    return { code: r.code, report: JSON.parse(r.stdout) as AuditReport, stderr: r.stderr };
  };
  const ids = (r: AuditReport): string[] => r.findings.map((f) => f.id);

  it('TLS 1.2+ only, a trusted certificate, http redirects to https: only the header findings of helmet', async () => {
    const requestsBefore = modern.https.requests;
    const twinBefore = modern.twin.requests;
    const { code, report, stderr } = await audit(modern);
    expect(code, stderr).toBe(0);
    expect(report.findings.filter((f) => f.category === 'transport')).toEqual([]);
    expect({ grade: report.grade, score: report.score }).toEqual({ grade: 'A', score: 95 });
    expect(report.tls?.protocols.map((p) => [p.version, p.accepted])).toEqual([
      ['TLSv1', false],
      ['TLSv1.1', false],
      ['TLSv1.2', true],
      ['TLSv1.3', true],
    ]);
    expect(report.tls).toMatchObject({ authorized: true });
    expect(report.redirect).toMatchObject({ status: 301, location: `${modern.https.url}v1/me` });
    // Counted at the servers: the GET and the preflight over https, one GET of the twin.
    expect(modern.https.log.slice(requestsBefore)).toEqual(['GET /v1/me', 'OPTIONS /v1/me']);
    expect(modern.twin.log.slice(twinBefore)).toEqual(['GET /v1/me']);
    expect(report.requests).toBe(3);
    // 100 + 10 (COOP) + 5 (Referrer-Policy) + 5 (XFO via CSP) + 10 (CORP); the redirection test passes at 0.
    expect(report.observatory.tests.find((t) => t.name === 'redirection')).toMatchObject({
      modifier: 0,
      pass: true,
    });
    expect(report.observatory.score).toBe(130);
  });

  it('TLS 1.0 accepted: audit.tls.legacy-protocol (high, -20)', async () => {
    const { report } = await audit(legacy);
    const f = report.findings.find((x) => x.id === 'audit.tls.legacy-protocol');
    expect(f).toMatchObject({ severity: 'high', points: -20, category: 'transport' });
    expect(report.tls?.protocols.find((p) => p.version === 'TLSv1')?.accepted).toBe(true);
    expect({ grade: report.grade, score: report.score }).toEqual({ grade: 'B', score: 75 });
  });

  it('a certificate expiring in 10 days: the 30-day warning, not the 7-day one', async () => {
    const { report } = await audit(expiring);
    expect(ids(report)).toContain('audit.tls.cert-expiring-30d');
    expect(ids(report)).not.toContain('audit.tls.cert-expiring-7d');
    expect(ids(report)).not.toContain('audit.tls.cert-expired');
    expect({ grade: report.grade, score: report.score }).toEqual({ grade: 'A-', score: 85 });
  });

  it('an http:// twin that answers 200: audit.transport.redirect-missing', async () => {
    const { report } = await audit(noRedirect);
    expect(ids(report)).toContain('audit.transport.redirect-missing');
    expect(report.redirect).toMatchObject({ status: 200 });
    expect(report.observatory.tests.find((t) => t.name === 'redirection')?.modifier).toBeLessThan(0);
  });

  it('--fail-under A on the legacy server: exit 1', async () => {
    const { code } = await audit(legacy, '--fail-under', 'A');
    expect(code).toBe(1);
  });

  it('without --ca the chain is not trusted: exit 3, the TLS facts printed first', async () => {
    const r = await runCli(['audit', `${modern.https.url}v1/me`, '--http-url', modern.twin.url, '--json']);
    expect(r.code).toBe(3);
    const partial = JSON.parse(r.stdout) as { error: { message: string }; tls: AuditReport['tls'] };
    expect(partial.error.message).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|self-signed|unable to verify/i);
    expect(partial.tls).toMatchObject({ authorized: false });
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
  });

  it('--format sarif on the legacy server validates and carries the TLS result', async () => {
    const r = await runCli([
      'audit',
      `${legacy.https.url}v1/me`,
      '--ca',
      pki.caPath,
      '--http-url',
      legacy.twin.url,
      '--format',
      'sarif',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const { sarifErrors } = await import('./sarif-schema.js');
    const log = JSON.parse(r.stdout) as { runs: { results: { ruleId: string; level: string }[] }[] };
    expect(sarifErrors(log)).toEqual([]);
    expect(log.runs[0]!.results).toContainEqual(
      expect.objectContaining({ ruleId: 'audit.tls.legacy-protocol', level: 'error' }),
    );
  });
});

describe('audit: network failures', () => {
  it('a refused connection: exit 3, one error line, the partial result on stdout', async () => {
    const twin = await startHttpTwin({});
    const url = `${twin.url}v1/me`;
    await twin.close();
    const r = await runCli(['audit', url, '--assume-https']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^failure\t/m);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
    expect(hasStackTrace(r.stderr)).toBe(false);
    const json = await runCli(['audit', url, '--assume-https', '--json']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({
      url,
      method: 'GET',
      source: 'live',
      tls: null,
      requests: 1,
    });
  });
});
