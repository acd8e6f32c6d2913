import { describe, expect, it } from 'vitest';
import { headerLines } from '../../../src/lib/headers.js';
import {
  daysFrom,
  isoDay,
  lifecycleIssues,
  readLifecycle,
  type Lifecycle,
  type LifecycleIssueKind,
} from '../../../src/lib/lifecycle/index.js';

const URL = 'https://api.example.test/v1/orders';
const NOW = Date.UTC(2026, 2, 1, 12, 0, 0); // 2026-03-01T12:00Z
const DAY = 86_400_000;
const sf = (ms: number) => `@${Math.floor(ms / 1000)}`;
const httpDate = (ms: number) => new Date(ms).toUTCString(); // IMF-fixdate
const read = (h: Record<string, string | string[]>) => readLifecycle(headerLines(h), URL, NOW);
const kinds = (l: Lifecycle) => lifecycleIssues(l, NOW).map((i) => i.kind);

describe('daysFrom / isoDay', () => {
  it.each([
    [NOW, 0],
    [NOW + 12 * 3600_000, 0],
    [NOW - 12 * 3600_000, -1],
    [NOW + 30 * DAY, 30],
    [NOW - 275 * DAY, -275],
  ])('daysFrom(now, %d) is %d (rounded down; negative exactly in the past)', (at, days) => {
    expect(daysFrom(NOW, at)).toBe(days);
    expect(Object.is(daysFrom(NOW, at), -0)).toBe(false);
  });

  it('isoDay is the UTC calendar day', () => {
    expect(isoDay(Date.UTC(2026, 5, 30, 23, 59, 59))).toBe('2026-06-30');
    expect(isoDay(1688169599000)).toBe('2023-06-30');
  });
});

describe('readLifecycle', () => {
  it('reads RFC 9745 §5’s example: Deprecation, Sunset and their links, with the shortcuts resolved', () => {
    const l = readLifecycle(
      headerLines({
        Deprecation: '@1688169599',
        Sunset: 'Sun, 30 Jun 2024 23:59:59 GMT',
        Link: [
          '<https://developer.example.com/deprecation>; rel="deprecation"; type="text/html"',
          '</v2/orders>; rel="successor-version latest-version", </v0/orders>; rel=predecessor-version',
          '<https://developer.example.com/sunset>; rel="sunset"',
        ],
      }),
      URL,
    );
    expect(l).toEqual({
      deprecation: {
        at: { iso: '2023-06-30T23:59:59.000Z', epochMs: 1688169599000, raw: '@1688169599' },
        raw: '@1688169599',
      },
      sunset: {
        iso: '2024-06-30T23:59:59.000Z',
        epochMs: Date.UTC(2024, 5, 30, 23, 59, 59),
        raw: 'Sun, 30 Jun 2024 23:59:59 GMT',
      },
      links: expect.any(Array),
      successor: 'https://api.example.test/v2/orders',
      latest: 'https://api.example.test/v2/orders',
      predecessor: 'https://api.example.test/v0/orders',
      deprecationInfo: 'https://developer.example.com/deprecation',
      sunsetInfo: 'https://developer.example.com/sunset',
      problems: [],
    });
    expect(l.links).toHaveLength(4);
  });

  it('takes the first link of a relation, and none from a link anchored to another resource', () => {
    const l = read({
      link: [
        '</v9>; rel=successor-version; anchor="/elsewhere"',
        '</v2>; rel=successor-version, </v3>; rel=successor-version',
        `</v4>; rel=latest-version; anchor="${URL}"`,
      ],
    });
    expect(l.successor).toBe('https://api.example.test/v2');
    expect(l.latest).toBe('https://api.example.test/v4');
    expect(l.links).toHaveLength(4);
  });

  it('nothing said: no dates, no links, no problems', () => {
    expect(read({ 'content-type': 'application/json' })).toEqual({ links: [], problems: [] });
  });

  it('collects the problems of every field, and never throws on hostile values', () => {
    const l = read({ deprecation: 'soon', sunset: '@1', link: '<<<' });
    expect(l.problems.map((p) => p.field)).toEqual(['deprecation', 'sunset', 'link']);
    expect(l.deprecation).toBeUndefined();
    expect(l.sunset).toBeUndefined();
    for (const value of ['\u0000', '<', '@', ';;;', '"', '<a>;title*=%', "<a>;title*=x'y'%zz", '\u202e@1']) {
      expect(() => read({ deprecation: value, sunset: value, link: value })).not.toThrow();
    }
  });
});

describe('lifecycleIssues', () => {
  const past = (days: number) => NOW - days * DAY;
  const future = (days: number) => NOW + days * DAY;
  const succ = '</v2>; rel="successor-version"';

  it.each<[string, Record<string, string | string[]>, LifecycleIssueKind[]]>([
    ['nothing', {}, []],
    [
      'deprecated, sunset far ahead, successor named',
      { deprecation: sf(past(10)), sunset: httpDate(future(200)), link: succ },
      ['deprecated'],
    ],
    [
      'sunset passed',
      { deprecation: sf(past(400)), sunset: httpDate(past(275)), link: succ },
      ['deprecated', 'sunset-past'],
    ],
    [
      'sunset in 10 days',
      { deprecation: sf(past(100)), sunset: httpDate(future(10)), link: succ },
      ['deprecated', 'sunset-within-30-days'],
    ],
    [
      'sunset in exactly 30 days',
      { deprecation: sf(past(100)), sunset: httpDate(future(30)), link: succ },
      ['deprecated', 'sunset-within-30-days'],
    ],
    [
      'sunset in 31 days',
      { deprecation: sf(past(100)), sunset: httpDate(future(31)), link: succ },
      ['deprecated'],
    ],
    [
      'deprecated, no successor',
      { deprecation: sf(past(1)), sunset: httpDate(future(100)) },
      ['deprecated', 'deprecated-without-successor'],
    ],
    [
      'latest-version counts as a successor',
      { deprecation: sf(past(1)), sunset: httpDate(future(100)), link: '</v3>; rel=latest-version' },
      ['deprecated'],
    ],
    [
      'deprecated, no sunset',
      { deprecation: sf(past(1)), link: succ },
      ['deprecated', 'deprecated-without-sunset'],
    ],
    [
      'deprecation scheduled',
      { deprecation: sf(future(90)), sunset: httpDate(future(270)) },
      ['deprecation-scheduled'],
    ],
    [
      'sunset before deprecation',
      { deprecation: sf(future(90)), sunset: httpDate(future(60)) },
      ['deprecation-scheduled', 'sunset-before-deprecation'],
    ],
    [
      'sunset before deprecation, both past',
      { deprecation: sf(past(10)), sunset: httpDate(past(20)), link: succ },
      ['deprecated', 'sunset-past', 'sunset-before-deprecation'],
    ],
    ['sunset, not deprecated', { sunset: httpDate(future(100)) }, ['sunset-without-deprecation']],
    [
      'legacy true',
      { deprecation: 'true', sunset: httpDate(future(100)), link: succ },
      ['legacy-deprecation-form', 'deprecated'],
    ],
    [
      'legacy HTTP-date',
      { deprecation: httpDate(past(5)), sunset: httpDate(future(100)), link: succ },
      ['legacy-deprecation-form', 'deprecated'],
    ],
    [
      'malformed sunset on a deprecated resource (no "without sunset" too)',
      { deprecation: sf(past(5)), sunset: '2026-06-30', link: succ },
      ['malformed', 'deprecated'],
    ],
    [
      'malformed deprecation beside a sunset (no "without deprecation" too)',
      { deprecation: '2026-01-01', sunset: httpDate(future(100)) },
      ['malformed'],
    ],
    [
      'malformed link on a deprecated resource (no "without successor" too)',
      { deprecation: sf(past(5)), sunset: httpDate(future(100)), link: 'garbage' },
      ['malformed', 'deprecated'],
    ],
    [
      'everything wrong at once',
      { deprecation: sf(past(5)), sunset: httpDate(past(30)), link: 'x' },
      ['malformed', 'deprecated', 'sunset-past', 'sunset-before-deprecation'],
    ],
  ])('%s', (_what, headers, want) => {
    expect(kinds(read(headers))).toEqual(want);
  });

  it('says the dates and the days in one line, with evidence', () => {
    const issues = lifecycleIssues(read({ deprecation: sf(past(400)), sunset: httpDate(past(275)) }), NOW);
    expect(issues).toEqual([
      {
        kind: 'deprecated',
        message: `deprecated since ${isoDay(past(400))} (400 days ago)`,
        evidence: [{ header: 'deprecation', value: sf(past(400)) }],
        days: -400,
      },
      {
        kind: 'sunset-past',
        message: 'Sunset 2025-05-30 passed 275 days ago',
        evidence: [{ header: 'sunset', value: httpDate(past(275)) }],
        days: -275,
      },
      {
        kind: 'deprecated-without-successor',
        message: expect.stringContaining('successor-version'),
        evidence: [
          { header: 'deprecation', value: sf(past(400)) },
          { header: 'link', note: expect.any(String) },
        ],
      },
    ]);
    for (const i of issues) expect(i.message).not.toMatch(/\n/);
  });

  it('counts days ahead for a sunset within 30 days and a scheduled deprecation', () => {
    const [dep, sun] = lifecycleIssues(
      read({ deprecation: sf(future(20)), sunset: httpDate(future(25)) }),
      NOW,
    );
    expect(dep).toMatchObject({
      kind: 'deprecation-scheduled',
      days: 20,
      message: expect.stringContaining('in 20 days'),
    });
    expect(sun).toMatchObject({
      kind: 'sunset-within-30-days',
      days: 25,
      message: expect.stringContaining('in 25 days'),
    });
  });

  it('a sunset at this very moment has passed', () => {
    expect(kinds(read({ sunset: httpDate(NOW) }))).toEqual(['sunset-past', 'sunset-without-deprecation']);
  });

  it('one malformed issue per problem, naming the field and the value', () => {
    const issues = lifecycleIssues(read({ deprecation: ['@1', '@2'], sunset: 'soon', link: '<<' }), NOW);
    expect(issues.map((i) => [i.kind, i.evidence[0]?.header])).toEqual([
      ['malformed', 'deprecation'],
      ['malformed', 'sunset'],
      ['malformed', 'link'],
    ]);
    expect(issues[1]?.message).toMatch(/^Sunset "soon": not an HTTP-date/);
  });
});
