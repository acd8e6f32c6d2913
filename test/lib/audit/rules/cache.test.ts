import { describe, expect, it } from 'vitest';
import { headerLines, type HeaderMap } from '../../../../src/lib/headers.js';
import type { AuditFacts, RuleContext } from '../../../../src/lib/audit/types.js';
import { readCacheControl } from '../../../../src/lib/cache-control.js';
import { CACHE_CHECKS, cacheRule } from '../../../../src/lib/audit/rules/cache.js';

const URL = 'https://api.example.test/v1/me';

function ctx(headers: HeaderMap, authenticated = true): RuleContext {
  const facts: AuditFacts = {
    url: URL,
    source: 'live',
    authenticated,
    assumeHttps: false,
    response: { url: URL, method: 'GET', status: 200, headers: headerLines(headers) },
    requests: 1,
  };
  return { facts, kind: 'api', now: 0 };
}
const ids = (headers: HeaderMap, authenticated = true) =>
  cacheRule.run(ctx(headers, authenticated)).map((f) => f.id);

describe('readCacheControl (RFC 9111 §5.2)', () => {
  it('reads names case-insensitively, values unquoted, quoted commas kept, every line', () => {
    const { directives, invalid } = readCacheControl([
      'No-Store, max-age=0',
      'private="set-cookie, x-token", s-maxage="60"',
    ]);
    expect([...directives]).toEqual([
      ['no-store', [true]],
      ['max-age', ['0']],
      ['private', ['set-cookie, x-token']],
      ['s-maxage', ['60']],
    ]);
    expect(invalid).toEqual([]);
  });

  it('reports members that are not directives', () => {
    expect(readCacheControl(['no store, max-age=, =5, max-age=1 0, ,']).invalid).toEqual([
      'no store',
      'max-age=',
      '=5',
      'max-age=1 0',
    ]);
  });
});

describe('cache rule', () => {
  it.each<[string, HeaderMap, string[]]>([
    ['no-store', { 'cache-control': 'no-store' }, []],
    ['no-store among others, any case', { 'cache-control': 'private, NO-STORE, max-age=0' }, []],
    ['no-store on a second line', { 'cache-control': ['max-age=0', 'no-store'] }, []],
    ['nothing', {}, ['audit.cache.missing']],
    ['Pragma: no-cache only', { pragma: 'no-cache' }, ['audit.cache.missing']],
    [
      'private (the browser still stores it)',
      { 'cache-control': 'private' },
      ['audit.cache.no-store-missing'],
    ],
    ['no-cache (every cache stores it)', { 'cache-control': 'no-cache' }, ['audit.cache.no-store-missing']],
    ['max-age=0', { 'cache-control': 'max-age=0' }, ['audit.cache.no-store-missing']],
    ['public', { 'cache-control': 'public, max-age=300' }, ['audit.cache.shared-cacheable']],
    ['s-maxage', { 'cache-control': 's-maxage=60' }, ['audit.cache.shared-cacheable']],
    [
      'must-revalidate (RFC 9111 §3.5)',
      { 'cache-control': 'no-cache, must-revalidate' },
      ['audit.cache.shared-cacheable'],
    ],
    [
      'private overrides public for shared caches',
      { 'cache-control': 'private, public' },
      ['audit.cache.no-store-missing'],
    ],
    [
      'a malformed directive beside no-store',
      { 'cache-control': 'no-store, max age=5' },
      ['audit.cache.malformed'],
    ],
    [
      'a malformed no-store does not count',
      { 'cache-control': 'no-store=' },
      ['audit.cache.malformed', 'audit.cache.no-store-missing'],
    ],
  ])('authenticated, %s', (_what, headers, want) => {
    expect(ids(headers)).toEqual(want);
  });

  it('says nothing about an anonymous response: it is anyone’s to cache', () => {
    expect(ids({ 'cache-control': 'public, max-age=86400' }, false)).toEqual([]);
    expect(ids({}, false)).toEqual([]);
  });

  it('explains why private and no-cache are not enough', () => {
    const [f] = cacheRule.run(ctx({ 'cache-control': 'private, no-cache' }));
    expect(f).toEqual({
      id: 'audit.cache.no-store-missing',
      severity: 'medium',
      points: -5,
      category: 'headers',
      header: 'cache-control',
      message: 'Cache-Control has no no-store (private, no-cache still let caches store it)',
      evidence: [{ header: 'cache-control', value: 'private, no-cache' }],
      advice: CACHE_CHECKS.storable.advice,
    });
    expect(CACHE_CHECKS.storable.advice).toMatch(/private.*disk.*no-cache.*store/);
  });

  it('notes a Pragma that does nothing on a response', () => {
    const [f] = cacheRule.run(ctx({ pragma: 'no-cache' }));
    expect(f?.evidence).toEqual([
      { header: 'cache-control' },
      { header: 'pragma', value: 'no-cache', note: expect.stringContaining('HTTP/1.0') },
    ]);
  });

  it('never throws on hostile values', () => {
    for (const value of ['"', '\\', ',,,', '="', 'a="\\', '\u0000', 'x'.repeat(10_000)]) {
      expect(() => cacheRule.run(ctx({ 'cache-control': value }))).not.toThrow();
    }
  });
});
