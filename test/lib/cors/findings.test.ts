import { describe, expect, it } from 'vitest';
import { CORS_FINDING_IDS, corsFindings } from '../../../src/lib/cors/findings.js';
import { reconstructRule, summarizePreflight } from '../../../src/lib/cors/rule.js';
import type { CandidateResult, CorsFinding } from '../../../src/lib/cors/types.js';
import { compareSeverity, type Severity } from '../../../src/lib/findings.js';
import { simulate, TRUSTED, type SimServer } from './sim.js';

const PUBLIC_URL = 'https://api.example.com/v1/me';
const LOOPBACK_URL = 'http://127.0.0.1:4000/v1/me';

function findingsFor(
  server: SimServer,
  url = PUBLIC_URL,
  method = 'GET',
  trusted = [TRUSTED],
): CorsFinding[] {
  const results: CandidateResult[] = simulate(trusted, server, method);
  const rule = reconstructRule(trusted, results);
  return corsFindings({ url, method, trusted, results, rule, preflight: summarizePreflight(results) });
}

/** id → the severities seen, one entry per finding. */
const bySeverity = (fs: CorsFinding[]) =>
  fs.reduce<Record<string, Severity[]>>((acc, f) => ((acc[f.id] ??= []).push(f.severity), acc), {});
const above = (fs: CorsFinding[], s: Severity) => fs.filter((f) => compareSeverity(f.severity, s) > 0);

const exact = (o: string) => o === TRUSTED;
const CORRECT: SimServer = {
  allow: exact,
  maxAge: '600',
  aceh: 'RateLimit, RateLimit-Policy',
  rateLimit: true,
};

describe('corsFindings: each misconfiguration, its ids and severities', () => {
  it.each<[string, SimServer, string, Record<string, Severity[]>]>([
    [
      'cors({ origin: true, credentials: true })',
      { allow: () => true },
      PUBLIC_URL,
      { 'cors.origin-reflected': ['high'] },
    ],
    [
      'reflection without credentials, public host: low',
      { allow: () => true, credentials: null },
      PUBLIC_URL,
      { 'cors.origin-reflected': ['low'] },
    ],
    [
      'reflection without credentials, loopback host: medium (network position is the credential)',
      { allow: () => true, credentials: null },
      LOOPBACK_URL,
      { 'cors.origin-reflected': ['medium'] },
    ],
    [
      '"null" on the allow-list',
      { allow: (o) => exact(o) || o === 'null' },
      PUBLIC_URL,
      { 'cors.null-origin-allowed': ['high'] },
    ],
    [
      'endsWith("example.com"): the registrable look-alike high, the sibling name medium',
      { allow: (o) => o.endsWith('example.com') },
      PUBLIC_URL,
      // …and, since endsWith ignores the scheme, the http twin too.
      { 'cors.suffix-match-bypass': ['high', 'medium'], 'cors.insecure-origin-trusted': ['medium'] },
    ],
    [
      'startsWith(trusted)',
      { allow: (o) => o.startsWith(TRUSTED) },
      PUBLIC_URL,
      { 'cors.prefix-match-bypass': ['high'] },
    ],
    [
      'includes("app.example.com")',
      { allow: (o) => o.includes('app.example.com') },
      PUBLIC_URL,
      {
        'cors.prefix-match-bypass': ['high'],
        'cors.suffix-match-bypass': ['medium'],
        'cors.insecure-origin-trusted': ['medium'],
      },
    ],
    [
      'a regex with unescaped dots: appxexample.com high, app.examplexcom (no such TLD) medium',
      { allow: (o) => /^https:\/\/app.example.com$/.test(o) },
      PUBLIC_URL,
      { 'cors.unescaped-dot-bypass': ['high', 'medium'] },
    ],
    [
      'a trusted origin followed by "_"',
      { allow: (o) => exact(o) || o === 'https://app.example.com_.evil.example' },
      PUBLIC_URL,
      { 'cors.special-char-bypass': ['high'] },
    ],
    [
      'the http twin allowed',
      { allow: (o) => exact(o) || o === 'http://app.example.com' },
      PUBLIC_URL,
      { 'cors.insecure-origin-trusted': ['medium'] },
    ],
    [
      'every subdomain',
      { allow: (o) => /^https:\/\/([a-z0-9-]+\.)*app\.example\.com$/.test(o) },
      PUBLIC_URL,
      { 'cors.any-subdomain-trusted': ['medium'] },
    ],
    [
      '*.vercel.app',
      { allow: (o) => exact(o) || o.endsWith('.vercel.app') },
      PUBLIC_URL,
      { 'cors.suffix-match-bypass': ['high'] },
    ],
    [
      '* with credentials: broken, not high',
      { wildcard: true },
      PUBLIC_URL,
      { 'cors.wildcard-with-credentials': ['low'] },
    ],
    [
      '* for a public API: info',
      { wildcard: true, credentials: null },
      PUBLIC_URL,
      { 'cors.wildcard-origin': ['info'] },
    ],
    [
      'no Vary: Origin on a dynamic ACAO',
      { allow: exact, vary: false },
      PUBLIC_URL,
      { 'cors.missing-vary-origin': ['low'] },
    ],
    [
      'OPTIONS answered 404',
      { allow: exact, preflightStatus: 404 },
      PUBLIC_URL,
      { 'cors.preflight-not-handled': ['low'] },
    ],
    [
      'OPTIONS 200 without CORS headers',
      { allow: exact, preflightCors: false },
      PUBLIC_URL,
      { 'cors.preflight-not-handled': ['low'] },
    ],
    ['no Max-Age', { allow: exact, maxAge: null }, PUBLIC_URL, { 'cors.preflight-max-age-missing': ['low'] }],
    [
      'an unparsable Max-Age',
      { allow: exact, maxAge: '10m' },
      PUBLIC_URL,
      { 'cors.preflight-max-age-missing': ['low'] },
    ],
    [
      'Max-Age 86400: over Chromium’s cap only',
      { allow: exact, maxAge: '86400' },
      PUBLIC_URL,
      { 'cors.preflight-max-age-over-browser-cap': ['info'] },
    ],
    [
      'Max-Age a week: over every cap',
      { allow: exact, maxAge: '604800' },
      PUBLIC_URL,
      { 'cors.preflight-max-age-over-browser-cap': ['low'] },
    ],
    [
      'ACAH * relied on for Authorization',
      { allow: exact, acah: '*' },
      PUBLIC_URL,
      { 'cors.wildcard-allow-headers-with-authorization': ['low'] },
    ],
    [
      'several origins in ACAO',
      { fixedAcao: 'https://app.example.com, https://admin.example.com' },
      PUBLIC_URL,
      { 'cors.invalid-allow-origin': ['low'] },
    ],
    [
      'a wildcard pattern in ACAO',
      { fixedAcao: '*.example.com' },
      PUBLIC_URL,
      { 'cors.invalid-allow-origin': ['low'] },
    ],
    [
      'a trailing slash in ACAO',
      { fixedAcao: 'https://app.example.com/' },
      PUBLIC_URL,
      { 'cors.invalid-allow-origin': ['low'] },
    ],
    [
      'ACAC "True" on an allow-list',
      { allow: exact, credentials: 'True' },
      PUBLIC_URL,
      { 'cors.credentials-not-exactly-true': ['low'] },
    ],
    [
      'reflection with ACAC "TRUE": browsers refuse the credentialed read, so not high',
      { allow: () => true, credentials: 'TRUE' },
      PUBLIC_URL,
      { 'cors.origin-reflected': ['low'], 'cors.credentials-not-exactly-true': ['low'] },
    ],
    [
      'rate-limit headers not exposed',
      { allow: exact, rateLimit: true },
      PUBLIC_URL,
      { 'cors.rate-limit-headers-not-exposed': ['low'] },
    ],
    [
      'rate-limit headers behind ACEH * with credentials',
      { allow: exact, rateLimit: true, aceh: '*' },
      PUBLIC_URL,
      { 'cors.rate-limit-headers-not-exposed': ['low'] },
    ],
    [
      'only the preflight reflects: the credentialed DELETE is still sent (high)',
      { allow: () => true, preflightOnly: true },
      PUBLIC_URL,
      { 'cors.origin-reflected': ['high'] },
    ],
  ])('%s', (_name, server, url, want) => {
    const fs = findingsFor(server, url);
    expect(bySeverity(fs)).toEqual(want);
    for (const f of fs) {
      expect(f.origin, f.id).not.toBeNull();
      expect(f.evidence.length, f.id).toBeGreaterThan(0);
      expect(f.message).not.toContain('\n');
      expect(f.advice ?? '').not.toBe('');
    }
  });

  it('a reflection finding names the origin and carries the response evidence', () => {
    const [f] = findingsFor({ allow: () => true }).filter((x) => x.id === 'cors.origin-reflected');
    expect(f!.origin).toBe('https://evil.example');
    expect(f!.message).toMatch(/credentials/);
    expect(f!.evidence[0]).toMatchObject({
      request: 'GET https://api.example.com/v1/me (Origin: https://evil.example)',
      status: 200,
      header: 'access-control-allow-origin',
      value: 'https://evil.example',
    });
    expect(f!.evidence[1]).toEqual({ header: 'access-control-allow-credentials', value: 'true' });
    // The DELETE preflight that lets the state-changing request through is evidence too.
    expect(f!.evidence.some((e) => e.request?.includes('Access-Control-Request-Method: DELETE'))).toBe(true);
  });

  it('one finding per origin: two suffix look-alikes, two findings', () => {
    const fs = findingsFor({ allow: (o) => o.endsWith('example.com') }).filter(
      (f) => f.id === 'cors.suffix-match-bypass',
    );
    expect(fs.map((f) => f.origin)).toEqual(['https://evilexample.com', 'https://notapp.example.com']);
  });

  it('null reads as a sandboxed page', () => {
    const [f] = findingsFor({ allow: (o) => exact(o) || o === 'null' });
    expect(f!.message).toMatch(/a sandboxed page \(Origin: null\)/);
  });
});

describe('corsFindings: the negative cases', () => {
  it.each<[string, SimServer, string, string[]]>([
    ['a correct allow-list with credentials, Max-Age and exposed headers', CORRECT, PUBLIC_URL, []],
    ['the same on loopback', CORRECT, LOOPBACK_URL, []],
    ['an allow-list without credentials', { ...CORRECT, credentials: null }, PUBLIC_URL, []],
    ['ACAC false is not "not exactly true"', { ...CORRECT, credentials: 'false' }, PUBLIC_URL, []],
    ['a fixed single ACAO needs no Vary', { fixedAcao: TRUSTED, maxAge: '600' }, PUBLIC_URL, []],
    ['no CORS at all: nothing (not even preflight-not-handled)', { preflightStatus: 404 }, PUBLIC_URL, []],
    [
      'echoing only non-browser origins (case-insensitive compare) is harmless',
      { ...CORRECT, allow: (o) => o.toLowerCase() === TRUSTED },
      PUBLIC_URL,
      [],
    ],
    ['Max-Age exactly 7200 is at the cap, not over it', { ...CORRECT, maxAge: '7200' }, PUBLIC_URL, []],
  ])('%s', (_name, server, url, ids) => {
    const fs = findingsFor(server, url);
    expect(fs.map((f) => f.id)).toEqual(ids);
    expect(above(fs, 'low')).toEqual([]);
  });

  it('several trusted origins on a correct allow-list', () => {
    const trusted = [TRUSTED, 'https://admin.example.com'];
    const fs = findingsFor({ ...CORRECT, allow: (o) => trusted.includes(o) }, PUBLIC_URL, 'GET', trusted);
    expect(fs).toEqual([]);
  });

  it('every id this module can emit is one of the issue’s', () => {
    expect(CORS_FINDING_IDS).toHaveLength(18);
    const servers: SimServer[] = [
      { allow: () => true },
      { wildcard: true },
      { allow: (o) => o.includes('app.example.com'), vary: false, maxAge: null, acah: '*', rateLimit: true },
      { fixedAcao: ['*', '*'], credentials: 'yes' },
    ];
    for (const s of servers) {
      for (const f of findingsFor(s)) expect(CORS_FINDING_IDS as readonly string[]).toContain(f.id);
    }
  });
});
