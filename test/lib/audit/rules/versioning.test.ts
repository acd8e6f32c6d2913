import { describe, expect, it } from 'vitest';
import { headerLines, type HeaderMap } from '../../../../src/lib/headers.js';
import { LIFECYCLE_ISSUE_KINDS } from '../../../../src/lib/lifecycle/index.js';
import type { AuditFacts, RuleContext } from '../../../../src/lib/audit/types.js';
import {
  VERSIONING_CHECKS,
  VERSIONING_POINTS_CAP,
  versioningRule,
} from '../../../../src/lib/audit/rules/versioning.js';

const URL = 'https://api.example.test/v1/orders';
const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);
const DAY = 86_400_000;
const sf = (ms: number) => `@${Math.floor(ms / 1000)}`;
const httpDate = (ms: number) => new Date(ms).toUTCString();
const SUCCESSOR = '</v2/orders>; rel="successor-version"';

function ctx(headers: HeaderMap, status = 200, kind: 'api' | 'html' = 'api'): RuleContext {
  const facts: AuditFacts = {
    url: URL,
    source: 'offline',
    authenticated: false,
    assumeHttps: false,
    response: { url: URL, method: 'GET', status, headers: headerLines(headers) },
    requests: 0,
  };
  return { facts, kind, now: NOW };
}
const ids = (headers: HeaderMap, status = 200) => versioningRule.run(ctx(headers, status)).map((f) => f.id);

describe('versioning rule', () => {
  it('has one check per lifecycle issue kind, ids under audit.versioning., category versioning', () => {
    expect(Object.keys(VERSIONING_CHECKS).sort()).toEqual([...LIFECYCLE_ISSUE_KINDS].sort());
    for (const check of versioningRule.checks) {
      expect(check.id).toMatch(/^audit\.versioning\.[a-z0-9-]+$/);
      expect(check.category).toBe('versioning');
      expect(check.points).toBeLessThanOrEqual(0);
      expect(check.kinds).toEqual(['api', 'html']);
    }
  });

  it('says nothing about a response without lifecycle headers', () => {
    expect(ids({ 'content-type': 'application/json' })).toEqual([]);
  });

  it.each<[string, HeaderMap, string[]]>([
    [
      'sunset past, still answering 200',
      { deprecation: sf(NOW - 400 * DAY), sunset: httpDate(NOW - 275 * DAY), link: SUCCESSOR },
      ['audit.versioning.deprecated', 'audit.versioning.sunset-past'],
    ],
    [
      'sunset within 30 days',
      { deprecation: sf(NOW - 100 * DAY), sunset: httpDate(NOW + 10 * DAY), link: SUCCESSOR },
      ['audit.versioning.deprecated', 'audit.versioning.sunset-within-30-days'],
    ],
    [
      'sunset before deprecation',
      { deprecation: sf(NOW + 90 * DAY), sunset: httpDate(NOW + 60 * DAY) },
      ['audit.versioning.deprecation-scheduled', 'audit.versioning.sunset-before-deprecation'],
    ],
    [
      'deprecated without successor or sunset',
      { deprecation: 'true' },
      [
        'audit.versioning.legacy-deprecation-form',
        'audit.versioning.deprecated',
        'audit.versioning.deprecated-without-successor',
        'audit.versioning.deprecated-without-sunset',
      ],
    ],
    [
      'malformed values',
      { deprecation: '2026-01-01', sunset: '@1700000000', link: 'garbage' },
      ['audit.versioning.malformed', 'audit.versioning.malformed', 'audit.versioning.malformed'],
    ],
    ['sunset only', { sunset: httpDate(NOW + 200 * DAY) }, ['audit.versioning.sunset-without-deprecation']],
  ])('%s', (_what, headers, want) => {
    expect(ids(headers)).toEqual(want);
  });

  it('a 410 Gone after the sunset is the right end, not "still answers"', () => {
    const headers = { deprecation: sf(NOW - 400 * DAY), sunset: httpDate(NOW - 275 * DAY), link: SUCCESSOR };
    expect(ids(headers, 410)).toEqual(['audit.versioning.deprecated']);
  });

  it('gives the finding the check’s severity, points, advice and header, and says the status', () => {
    const [, past] = versioningRule.run(
      ctx({ deprecation: sf(NOW - 400 * DAY), sunset: httpDate(NOW - 275 * DAY), link: SUCCESSOR }, 401),
    );
    expect(past).toEqual({
      id: 'audit.versioning.sunset-past',
      severity: 'medium',
      points: -5,
      category: 'versioning',
      header: 'sunset',
      message: 'Sunset 2025-05-30 passed 275 days ago, and the resource still answers 401',
      evidence: [{ header: 'sunset', value: httpDate(NOW - 275 * DAY) }],
      advice: VERSIONING_CHECKS['sunset-past'].advice,
    });
  });

  it('the warnings: sunset past → medium, within 30 days → low; informational facts cost nothing', () => {
    expect(VERSIONING_CHECKS['sunset-past'].severity).toBe('medium');
    expect(VERSIONING_CHECKS['sunset-within-30-days'].severity).toBe('low');
    for (const kind of ['deprecated', 'deprecation-scheduled', 'sunset-without-deprecation'] as const) {
      expect(VERSIONING_CHECKS[kind]).toMatchObject({ severity: 'info', points: 0 });
    }
  });

  it(`costs at most ${VERSIONING_POINTS_CAP} points however much is wrong`, () => {
    const findings = versioningRule.run(
      ctx({ deprecation: sf(NOW - 5 * DAY), sunset: [httpDate(NOW - 30 * DAY)], link: ['garbage', '<<'] }),
    );
    expect(findings.map((f) => f.id)).toEqual([
      'audit.versioning.malformed',
      'audit.versioning.malformed',
      'audit.versioning.deprecated',
      'audit.versioning.sunset-past',
      'audit.versioning.sunset-before-deprecation',
    ]);
    expect(findings.reduce((sum, f) => sum + f.points, 0)).toBe(-VERSIONING_POINTS_CAP);
  });

  it('never throws on hostile values, and clips long ones in evidence and messages', () => {
    const long = 'x'.repeat(5000);
    for (const value of ['\u0000', '@', '<', ';', '"', '\u202e', long, `<${long}>; rel=next`, '@1;a=']) {
      expect(() => versioningRule.run(ctx({ deprecation: value, sunset: value, link: value }))).not.toThrow();
    }
    const [finding] = versioningRule.run(ctx({ sunset: long }));
    expect(finding?.message.length).toBeLessThan(400);
    expect(finding?.evidence[0]?.value?.length).toBeLessThanOrEqual(1025);
  });

  it('resolves relative links against the response URL and reads the same for the html kind', () => {
    const headers = {
      deprecation: sf(NOW - DAY),
      sunset: httpDate(NOW + 100 * DAY),
      link: '</v2>; rel=successor-version',
    };
    expect(versioningRule.run(ctx(headers, 200, 'html')).map((f) => f.id)).toEqual([
      'audit.versioning.deprecated',
    ]);
  });
});
