import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CorsReport } from '../../src/lib/cors/types.js';
import { compareSeverity, SEVERITIES, type Severity } from '../../src/lib/findings.js';
import type { CorsProbeOptions } from '../../src/probes/cors.js';
import { actual } from '../fixtures/cors/http.js';
import { closeAll, CORS_FIXTURES, startCorsFixtures, type CorsFixture } from '../fixtures/cors/index.js';
import { runCorsProbe } from './cors-run.js';

/**
 * `probeCors` against every real CORS stack in test/fixtures/cors, the way `apikit probe cors` runs it (a client
 * built with the command's options: its own request cap and timeout, concurrency 1, no redirects; the system
 * clock), judged against what the fixture is configured to do (expectations.ts):
 * - every expected finding id is present, with the severity the rule gives it;
 * - nothing else is reported above the fixture's `maxOtherSeverity` (low unless it says info), except what is
 *   also true of the server (`alsoTrue`);
 * - the reconstructed rule is the configured one;
 * - at the server: exactly `requests_sent` requests, within the budget and a few per candidate, none of them a
 *   state-changing method (the probe only ever asks about DELETE in a preflight);
 * - a finding that says an attacker's origin is let through names an origin the server really echoes (checked
 *   again with a plain undici request, not through apikit).
 */
const MAX_REQUESTS = 400;
const OPTIONS = {
  method: 'GET',
  requestHeaders: [],
  headers: {},
  maxRequests: MAX_REQUESTS,
  durationMs: 60_000,
  timeoutMs: 5_000,
} as const satisfies Omit<CorsProbeOptions, 'url' | 'trusted'>;

function probe(fixture: CorsFixture, maxRequests: number = MAX_REQUESTS): Promise<CorsReport> {
  return runCorsProbe({
    ...OPTIONS,
    requestHeaders: [],
    headers: {},
    maxRequests,
    url: fixture.url,
    trusted: fixture.trusted,
  });
}

/** Findings that claim an attacker's origin gets an echo: the server must really echo it. */
const LET_THROUGH = new Set(
  [
    'origin-reflected',
    'null-origin-allowed',
    'suffix-match-bypass',
    'prefix-match-bypass',
    'unescaped-dot-bypass',
    'special-char-bypass',
    'insecure-origin-trusted',
    'any-subdomain-trusted',
  ].map((id) => `cors.${id}`),
);

function worst(severities: readonly Severity[]): Severity {
  return severities.reduce((a, b) => (compareSeverity(a, b) >= 0 ? a : b), SEVERITIES[0]);
}

function summary(report: CorsReport): string {
  const lines = report.findings.map(
    (f) => `  ${f.severity.padEnd(6)} ${f.id} ${f.origin ?? '-'} — ${f.message}`,
  );
  return `rule ${report.rule.kind} [${report.rule.kinds.join(', ')}]: ${report.rule.description}\n${lines.join('\n')}`;
}

describe('probe cors verdicts against real CORS stacks', () => {
  let fixtures: CorsFixture[] = [];
  beforeAll(async () => {
    fixtures = await startCorsFixtures();
  });
  afterAll(async () => {
    await closeAll(fixtures);
  });

  it.each(CORS_FIXTURES)('%s', async (name) => {
    const fixture = fixtures.find((f) => f.name === name)!;
    const want = fixture.expect;
    const before = fixture.requests().length;
    const report = await probe(fixture);
    const seen = fixture.requests().slice(before);
    const why = `${name} (${fixture.config})\n${summary(report)}`;

    expect(report.stopped, why).toBe('done');
    expect(report.error, why).toBeNull();

    const ids = report.findings.map((f) => f.id);
    for (const id of want.findings) expect(ids, `${id} missing — ${why}`).toContain(id);
    for (const [id, allowed] of Object.entries(want.severity ?? {})) {
      const got = worst(report.findings.filter((f) => f.id === id).map((f) => f.severity));
      expect(allowed, `${id} is ${got}, want ${allowed.join(' or ')} — ${why}`).toContain(got);
    }
    const cap = want.maxOtherSeverity ?? 'low';
    const listed = new Set([...want.findings, ...(want.alsoTrue ?? [])]);
    const unexpected = report.findings.filter(
      (f) => !listed.has(f.id) && compareSeverity(f.severity, cap) > 0,
    );
    expect(
      unexpected.map((f) => `${f.severity} ${f.id} ${f.origin ?? '-'}`),
      `unexpected findings above ${cap} — ${why}`,
    ).toEqual([]);

    expect(report.rule.kind, why).toBe(want.rule);
    for (const kind of want.ruleKinds ?? []) expect(report.rule.kinds, why).toContain(kind);

    // Each finding names its origin (one the probe really sent) and the response: request, status, header.
    const sentOrigins = new Set(seen.map((r) => r.origin));
    for (const f of report.findings) {
      expect(f.id, why).toMatch(/^cors\.[a-z-]+$/);
      expect(SEVERITIES, why).toContain(f.severity);
      if (f.origin !== null)
        expect(sentOrigins.has(f.origin), `${f.id}: ${f.origin} never sent — ${why}`).toBe(true);
      expect(
        f.evidence.some((e) => e.request !== undefined && e.status !== undefined),
        `${f.id}: no request/status evidence — ${why}`,
      ).toBe(true);
      expect(
        f.evidence.some((e) => e.header !== undefined),
        `${f.id}: no header evidence — ${why}`,
      ).toBe(true);
    }

    // What the server saw: the probe's own count, within the budget, a few per candidate, nothing state-changing.
    expect(seen.length, why).toBe(report.requests_sent);
    expect(seen.length).toBeLessThanOrEqual(MAX_REQUESTS);
    expect(seen.length).toBeLessThanOrEqual(3 * report.candidates.length);
    expect(report.candidates.length).toBeGreaterThan(0);
    expect(new Set(seen.map((r) => r.method))).toEqual(new Set(['OPTIONS', 'GET']));
    for (const t of fixture.trusted)
      expect(seen.some((r) => r.origin === t && r.method === 'GET')).toBe(true);

    // Each "let through" finding names an origin the server really echoes (asked again, outside apikit).
    for (const f of report.findings.filter(
      (x) => LET_THROUGH.has(x.id) && compareSeverity(x.severity, 'medium') >= 0,
    )) {
      expect(f.origin, `${f.id} names no origin — ${why}`).not.toBeNull();
      const echoed = (await actual(fixture.url, f.origin!)).headers['access-control-allow-origin'];
      expect(echoed, `${f.id}: ${f.origin} is not echoed by the server — ${why}`).toBe(f.origin);
    }
    console.info(
      `${name}: rule ${report.rule.kind}, ${report.findings.length} findings ` +
        `(${[...new Set(ids)].join(', ') || 'none'}), ${report.candidates.length} candidates, ${report.requests_sent} requests`,
    );
  });

  it('a budget below what the candidates need: the server sees no more than the budget, whole candidates only', async () => {
    const fixture = fixtures.find((f) => f.name === 'cors-origin-true')!;
    const before = fixture.requests().length;
    const report = await probe(fixture, 20);
    const seen = fixture.requests().slice(before);
    expect(report.stopped).toBe('budget');
    expect(seen.length).toBe(report.requests_sent);
    expect(seen.length).toBeLessThanOrEqual(20);
    // Three requests per candidate, never half a candidate judged; the rest is listed as not tested.
    expect(seen.length).toBe(3 * report.candidates.length);
    expect(report.not_tested?.length).toBeGreaterThan(0);
    // The trusted origin and the arbitrary one come first: the reflection is found inside the small budget.
    expect(report.findings.map((f) => f.id)).toContain('cors.origin-reflected');
  });
});
