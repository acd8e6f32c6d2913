import { describe, expect, it } from 'vitest';
import { memoryAdapter } from '../../src/sandbox/issuer-adapter.js';

/** The sandbox's bounded in-memory oidc-provider adapter, with a clock the test moves. */
function fakeClock(start = 1_800_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('memoryAdapter', () => {
  it('find returns what upsert stored (the same object), per model; destroy removes it', async () => {
    const factory = memoryAdapter(fakeClock());
    const codes = factory('AuthorizationCode');
    const tokens = factory('RefreshToken');
    const payload = { accountId: 'alice', grantId: 'g1' };
    await codes.upsert('abc', payload, 60);
    expect(await codes.find('abc')).toBe(payload);
    expect(await tokens.find('abc')).toBeUndefined();
    await codes.destroy('abc');
    expect(await codes.find('abc')).toBeUndefined();
  });

  it('expires entries after expiresIn seconds by the injected clock; no expiresIn: kept', async () => {
    const clock = fakeClock();
    const factory = memoryAdapter(clock);
    const grants = factory('Grant');
    await grants.upsert('short', { a: 1 }, 10);
    await grants.upsert('forever', { b: 2 });
    clock.advance(9_999);
    expect(await grants.find('short')).toEqual({ a: 1 });
    clock.advance(1);
    expect(await grants.find('short')).toBeUndefined();
    clock.advance(365 * 86_400_000);
    expect(await grants.find('forever')).toEqual({ b: 2 });
  });

  it('consume marks the stored entry with the epoch seconds of the clock', async () => {
    const clock = fakeClock(1_800_000_000_500);
    const codes = memoryAdapter(clock)('AuthorizationCode');
    await codes.upsert('c', { grantId: 'g' }, 60);
    await codes.consume('c');
    expect(await codes.find('c')).toEqual({ grantId: 'g', consumed: 1_800_000_000 });
  });

  it('findByUid (sessions) and findByUserCode (device codes), cleaned up on replace and destroy', async () => {
    const factory = memoryAdapter(fakeClock());
    const sessions = factory('Session');
    const devices = factory('DeviceCode');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'alice' }, 600);
    expect(await sessions.findByUid('u1')).toEqual({ uid: 'u1', accountId: 'alice' });
    // The same session saved with a new uid: the old uid no longer finds it.
    await sessions.upsert('s1', { uid: 'u2', accountId: 'alice' }, 600);
    expect(await sessions.findByUid('u1')).toBeUndefined();
    expect((await sessions.findByUid('u2'))?.uid).toBe('u2');
    await devices.upsert('d1', { userCode: 'ABCDWXYZ', grantId: 'g' }, 600);
    expect((await devices.findByUserCode('ABCDWXYZ'))?.grantId).toBe('g');
    await devices.destroy('d1');
    expect(await devices.findByUserCode('ABCDWXYZ')).toBeUndefined();
    expect(await sessions.findByUserCode('ABCDWXYZ')).toBeUndefined();
  });

  it('revokeByGrantId removes every token of the grant across models, and nothing else', async () => {
    const factory = memoryAdapter(fakeClock());
    const refresh = factory('RefreshToken');
    const access = factory('AccessToken');
    const codes = factory('AuthorizationCode');
    const grants = factory('Grant');
    await refresh.upsert('r1', { grantId: 'g1' }, 600);
    await refresh.upsert('r2', { grantId: 'g2' }, 600);
    await access.upsert('a1', { grantId: 'g1' }, 600);
    await codes.upsert('c1', { grantId: 'g1' }, 60);
    await grants.upsert('g1', { accountId: 'alice' }, 600);
    await refresh.revokeByGrantId('g1');
    expect(await refresh.find('r1')).toBeUndefined();
    expect(await access.find('a1')).toBeUndefined();
    expect(await codes.find('c1')).toBeUndefined();
    expect(await refresh.find('r2')).toEqual({ grantId: 'g2' });
    // The Grant itself is the provider's to destroy (it does, separately).
    expect(await grants.find('g1')).toEqual({ accountId: 'alice' });
  });

  it('holds at most maxEntries: the oldest go first (expired ones before them), indexes with them', async () => {
    const clock = fakeClock();
    const factory = memoryAdapter(clock, 100);
    const sessions = factory('Session');
    for (let i = 0; i < 100; i++) await sessions.upsert(`s${i}`, { uid: `u${i}` }, 3600);
    expect(await sessions.find('s0')).toBeDefined();
    // One more: over the bound, the oldest tenth goes.
    await sessions.upsert('s100', { uid: 'u100' }, 3600);
    const kept = [];
    for (let i = 0; i <= 100; i++) if (await sessions.find(`s${i}`)) kept.push(i);
    expect(kept.length).toBe(90);
    expect(kept[0]).toBe(11);
    expect(await sessions.findByUid('u0')).toBeUndefined();
    expect(await sessions.findByUid('u100')).toBeDefined();

    // Expired entries are swept before live ones are evicted.
    const fresh = memoryAdapter(clock, 10)('Grant');
    for (let i = 0; i < 5; i++) await fresh.upsert(`old${i}`, { i }, 1);
    for (let i = 0; i < 5; i++) await fresh.upsert(`live${i}`, { i }, 3600);
    clock.advance(2000);
    await fresh.upsert('live5', { i: 5 }, 3600);
    for (let i = 0; i <= 5; i++) expect(await fresh.find(`live${i}`)).toEqual({ i });
  });
});
