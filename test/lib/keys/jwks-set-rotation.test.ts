import { describe, expect, it } from 'vitest';
import { jwksCaching, rotationTimeline } from '../../../src/lib/keys/rotation.js';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
const H = 3_600_000;

describe('rotationTimeline', () => {
  it('publish now; sign after the cache TTL; retire the older kids a token lifetime later', () => {
    expect(
      rotationTimeline({
        now: NOW,
        cacheTtlMs: H,
        maxTokenLifeMs: 24 * H,
        newKid: 'k3',
        olderKids: ['k1', 'k2'],
      }),
    ).toEqual({
      publishAt: '2026-01-02T03:04:05Z',
      signAt: '2026-01-02T04:04:05Z',
      retireAt: '2026-01-03T04:04:05Z',
      newKid: 'k3',
      retireKids: ['k1', 'k2'],
    });
  });

  it('instants are whole seconds, rounded up (never before the exact one)', () => {
    const t = rotationTimeline({
      now: NOW + 1,
      cacheTtlMs: 1500,
      maxTokenLifeMs: 0,
      newKid: 'k',
      olderKids: ['o'],
    });
    expect(t).toMatchObject({ publishAt: '2026-01-02T03:04:06Z', signAt: '2026-01-02T03:04:07.500Z' });
  });

  it('nothing to retire in a set that had no key', () => {
    const t = rotationTimeline({ now: NOW, cacheTtlMs: 0, maxTokenLifeMs: H, newKid: 'k1', olderKids: [] });
    expect(t).toMatchObject({ signAt: '2026-01-02T03:04:05Z', retireAt: null, retireKids: [] });
  });
});

describe('jwksCaching: how long a verifier may keep the published JWKS (RFC 9111)', () => {
  it.each<[Record<string, string | string[]>, number | null]>([
    [{ 'cache-control': 'public, max-age=300' }, 300],
    [{ 'cache-control': 'Max-Age=600' }, 600],
    [{ 'cache-control': 'max-age="120"' }, 120],
    [{ 'cache-control': 'max-age=300, s-maxage=3600' }, 3900],
    [{ 'cache-control': 'max-age=300', age: '17' }, 600],
    [{ 'cache-control': ['max-age=60', 'max-age=900'] }, 900],
    [{ 'cache-control': 'max-age=60, , private' }, 60],
    [{ 'cache-control': 'no-cache="set-cookie", max-age=300' }, 300],
    [{ 'cache-control': 'no-cache, max-age=300' }, 0],
    [{ 'cache-control': 'no-store' }, 0],
    [{ 'cache-control': 's-maxage=100' }, 100],
    [{ 'cache-control': 'public' }, null],
    [{ 'cache-control': 'max-age=soon' }, null],
    [{ expires: 'Thu, 01 Jan 2037 00:00:00 GMT' }, null],
    [{}, null],
  ])('%j → %s', (headers, ttl) => {
    expect(jwksCaching(headers).ttlSeconds).toBe(ttl);
  });

  it('reports what it read', () => {
    expect(jwksCaching({ 'cache-control': 'public, max-age=300', age: '5' })).toEqual({
      ttlSeconds: 600,
      cacheControl: 'public, max-age=300',
      maxAge: 300,
      sMaxAge: null,
      age: 5,
      noStore: false,
    });
  });
});
