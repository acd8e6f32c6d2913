import { describe, expect, it } from 'vitest';
import { headerLines } from '../../../src/lib/headers.js';
import { readLifecycle } from '../../../src/lib/lifecycle/index.js';
import { namedIn } from '../../../src/lib/versions/named.js';
import { VersionPlanner } from '../../../src/lib/versions/planner.js';
import { classify, versionsReport, type VersionsFacts } from '../../../src/lib/versions/report.js';
import { detectSchemes } from '../../../src/lib/versions/scheme.js';
import { parseToken } from '../../../src/lib/versions/token.js';
import type { VersionAnswer } from '../../../src/lib/versions/types.js';

const NOW = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
const URL = 'https://api.example/v1/items';
const epoch = (days: number) => `@${(NOW + days * DAY) / 1000}`;
const http = (days: number) => new Date(NOW + days * DAY).toUTCString();

function ans(
  status: number,
  headers: Record<string, string | string[]> = {},
  body = '',
  extra: Partial<VersionAnswer> = {},
): VersionAnswer {
  return { status, headers: headerLines(headers), location: null, bodyHash: body, body, ...extra };
}

/** A report over a path API whose versions answered as given (the key is the major). */
function report(answers: Record<number, VersionAnswer>, unversioned: VersionAnswer | undefined = ans(400)) {
  const detected = detectSchemes({ url: URL, requestHeaders: {}, answer: answers[1] ?? null });
  const primary = detected[0]!;
  const planner = new VersionPlanner(primary.selector, primary.current, 50);
  for (const [major, a] of Object.entries(answers)) {
    planner.add(parseToken(`v${major}`)!, 'neighbour');
    const url = `https://api.example/v${major}/items`;
    planner.record(
      parseToken(`v${major}`)!,
      a,
      namedIn(a, readLifecycle(a.headers, url, NOW), primary.selector),
    );
  }
  const facts: VersionsFacts = {
    url: URL,
    method: 'GET',
    nowMs: NOW,
    detected,
    primary,
    tried: planner.all,
    unversioned: {
      request: {
        url: 'https://api.example/items',
        headers: {},
        drop: [],
        label: 'https://api.example/items',
      },
      answer: unversioned,
    },
    requestsSent: 1,
    durationMs: 1,
    budget: { max_requests: 30, max_versions: 12, duration_ms: 60_000 },
    stopped: 'done',
    error: null,
  };
  return versionsReport(facts);
}
const ids = (r: ReturnType<typeof report>) => r.findings.map((f) => `${f.id} ${f.version ?? '-'}`).sort();

describe('classify', () => {
  it.each([
    [200, 'live'],
    [204, 'live'],
    [401, 'live'],
    [403, 'live'],
    [410, 'retired'],
    [404, 'gone'],
    [301, 'redirected'],
    [308, 'redirected'],
    [400, 'rejected'],
    [406, 'rejected'],
    [415, 'rejected'],
    [422, 'rejected'],
    [500, 'error'],
    [429, 'error'],
  ])('%i → %s', (status, want) => {
    expect(classify(ans(status), false)).toBe(want);
  });
  it('not answered → not-tested; a 2xx of another version → fallback', () => {
    expect(classify(undefined, false)).toBe('not-tested');
    expect(classify(ans(200), true)).toBe('fallback');
  });
});

describe('versionsReport: findings', () => {
  it('a clean API: none', () => {
    expect(report({ 1: ans(200), 2: ans(200) }).findings).toEqual([]);
  });

  it('the lifecycle of each live version, with the version and the request in the evidence', () => {
    const r = report({
      1: ans(200, {
        deprecation: epoch(-100),
        sunset: http(-1),
        link: '</v2/items>; rel="successor-version"',
      }),
      2: ans(200, {
        deprecation: epoch(-10),
        sunset: http(20),
        link: '</v3/items>; rel="successor-version"',
      }),
      3: ans(200, { deprecation: epoch(-10) }),
      4: ans(200, { deprecation: epoch(300), sunset: http(100) }),
      5: ans(200),
    });
    expect(ids(r)).toEqual([
      'versions.deprecated v1',
      'versions.deprecated v2',
      'versions.deprecated v3',
      'versions.deprecated-without-successor v3',
      'versions.deprecated-without-sunset v3',
      'versions.deprecation-scheduled v4',
      'versions.sunset-before-deprecation v4',
      'versions.sunset-past-still-serving v1',
      'versions.sunset-within-30-days v2',
      'versions.too-many-live-versions -',
    ]);
    const past = r.findings.find((f) => f.id === 'versions.sunset-past-still-serving')!;
    expect(past.severity).toBe('high');
    expect(past.evidence[0]).toEqual({ request: 'GET https://api.example/v1/items', status: 200 });
    expect(r.versions.find((v) => v.id === 'v1')).toMatchObject({
      days_left: -1,
      successor: 'https://api.example/v2/items',
    });
  });

  it('a retired version with a past Sunset is right (410): no finding; a named one answering 404 is', () => {
    const r = report({ 1: ans(200), 0: ans(410, { sunset: http(-5) }) });
    expect(r.findings).toEqual([]);
    const named = report({ 1: ans(200, { link: '</v0/items>; rel="predecessor-version"' }), 0: ans(404) });
    expect(ids(named)).toEqual(['versions.retired-answers-404-not-410 v0']);
    // Never named: a 404 neighbour may never have existed.
    expect(report({ 1: ans(200), 0: ans(404) }).findings).toEqual([]);
  });

  it('malformed lifecycle values are findings, never a crash', () => {
    const r = report({ 1: ans(200, { deprecation: 'soon', sunset: 'tomorrow', link: '<<<' }) });
    expect(r.findings.map((f) => f.id)).toContain('versions.lifecycle-malformed');
    expect(r.findings.every((f) => f.version === 'v1')).toBe(true);
  });

  it('a stated version another way than the path says: inconsistent-scheme; a link into another scheme too', () => {
    const r = report({ 1: ans(200), 2: ans(200, { 'api-version': '3' }) });
    expect(ids(r)).toEqual(['versions.inconsistent-scheme v2']);
    const link = report({
      1: ans(200, { link: '<https://api.example/items?version=2>; rel="successor-version"' }),
    });
    expect(ids(link)).toEqual(['versions.inconsistent-scheme v1']);
  });

  it('the unversioned request: a redirect states it, a matching body is inferred but unstated', () => {
    const redirect = report(
      { 1: ans(200, {}, 'a'), 2: ans(200, {}, 'b') },
      ans(308, {}, '', { location: 'https://api.example/v2/items' }),
    );
    expect(redirect.default_version).toMatchObject({ answer: 'latest', version: 'v2', stated: true });
    const same = report({ 1: ans(200, {}, 'a'), 2: ans(200, {}, 'b') }, ans(200, {}, 'a'));
    expect(same.default_version).toMatchObject({ answer: 'oldest', version: 'v1', stated: false });
    expect(ids(same)).toEqual(['versions.unversioned-default-unstated -']);
    const error = report({ 1: ans(200) }, ans(400));
    expect(error.default_version).toMatchObject({ answer: 'error', stated: true });
    expect(error.findings).toEqual([]);
  });
});
