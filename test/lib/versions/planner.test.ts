import { describe, expect, it } from 'vitest';
import { headerLines } from '../../../src/lib/headers.js';
import { VersionPlanner } from '../../../src/lib/versions/planner.js';
import type { Selector } from '../../../src/lib/versions/scheme.js';
import { parseToken, tokenKey } from '../../../src/lib/versions/token.js';
import type { VersionAnswer } from '../../../src/lib/versions/types.js';

const PATH: Selector = { scheme: 'path', segment: 0, style: { format: 'major', prefix: 'v' } };
const DATES: Selector = { scheme: 'query', param: 'api-version', style: { format: 'date', prefix: '' } };
const t = (s: string) => parseToken(s)!;
const status = (n: number): VersionAnswer => ({
  status: n,
  headers: headerLines({}),
  location: null,
  bodyHash: '',
  body: '',
});

/** Runs the planner against a table of answers; returns the order asked. */
function drive(planner: VersionPlanner, answers: Record<string, number>): string[] {
  const asked: string[] = [];
  for (let next = planner.next(); next !== undefined; next = planner.next()) {
    const key = tokenKey(next.token);
    asked.push(key);
    planner.record(next.token, status(answers[key] ?? 404));
  }
  return asked;
}

describe('VersionPlanner', () => {
  it('v1 given: v2 and v0 (nearest first, newer first), then one past the highest that answers', () => {
    const p = new VersionPlanner(PATH, t('v1'), 12);
    p.record(t('v1'), status(200));
    expect(drive(p, { '0': 200, '1': 200, '2': 200, '3': 200 })).toEqual(['2', '0', '3', '4']);
  });

  it('named versions go before neighbours; a neighbour that turns out named moves up', () => {
    const p = new VersionPlanner(PATH, t('v5'), 12);
    p.learn([{ token: t('v2'), by: 'link:predecessor-version' }]);
    const first = p.next()!;
    expect(tokenKey(first.token)).toBe('5');
    p.record(first.token, status(200));
    expect(tokenKey(p.next()!.token)).toBe('2');
  });

  it('--max-versions bounds the tries; dates are never guessed', () => {
    const capped = new VersionPlanner(PATH, t('v7'), 3);
    expect(drive(capped, { '7': 200 })).toHaveLength(3);
    const dated = new VersionPlanner(DATES, t('2024-06-01'), 12);
    dated.record(t('2024-06-01'), status(200));
    expect(drive(dated, {})).toEqual([]);
    dated.learn([{ token: t('2023-01-01'), by: 'header:api-supported-versions' }]);
    expect(drive(dated, { '2023-01-01': 200 })).toEqual(['2023-01-01']);
  });

  it('without a version known (--scheme header, nothing echoed): around 1', () => {
    const h: Selector = { scheme: 'header', header: 'API-Version', style: { format: 'number', prefix: '' } };
    expect(drive(new VersionPlanner(h, null, 12), { '1': 200 })).toEqual(['1', '2', '0']);
  });

  it('a version’s body quoting the version asked for names nothing new', () => {
    const p = new VersionPlanner(DATES, t('2024-06-01'), 12);
    p.record(t('2024-06-01'), status(400), [{ token: t('2024-06-01'), by: 'body' }]);
    expect(p.all.map((e) => e.namedBy)).toEqual([['request']]);
  });
});
