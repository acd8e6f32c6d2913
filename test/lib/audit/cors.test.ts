import { describe, expect, it } from 'vitest';
import { corsRule } from '../../../src/lib/audit/rules/cors.js';
import type { AuditFacts } from '../../../src/lib/audit/types.js';
import { FOREIGN_ORIGIN, NOW, facts, response } from './make-facts.js';

const preflight = (h: Record<string, string>, status = 204) => ({
  origin: FOREIGN_ORIGIN,
  preflight: response(h, { method: 'OPTIONS', status }),
});
const run = (over: Partial<AuditFacts>) => corsRule.run({ facts: facts(over), kind: 'api', now: NOW });
const ids = (over: Partial<AuditFacts>) => run(over).map((f) => f.id);

describe('CORS quick check', () => {
  it('no CORS headers anywhere: nothing to say', () => {
    expect(ids({ cors: preflight({}) })).toEqual([]);
    expect(ids({})).toEqual([]);
  });

  it('an allow-list that does not contain the foreign origin: nothing to say', () => {
    expect(
      ids({
        cors: preflight({
          'access-control-allow-origin': 'https://app.example',
          'access-control-allow-credentials': 'true',
        }),
      }),
    ).toEqual([]);
  });

  it('the foreign origin reflected with credentials: high, and says whether the preflight passes', () => {
    const f = run({
      authenticated: true,
      cors: preflight({
        'access-control-allow-origin': FOREIGN_ORIGIN,
        'access-control-allow-credentials': 'true',
        'access-control-allow-headers': 'Authorization',
      }),
    });
    expect(f.map((x) => x.id)).toEqual(['audit.cors.reflected-origin-credentials']);
    expect(f[0]).toMatchObject({ severity: 'high', points: -25, category: 'cors' });
    expect(f[0]!.message).toContain('this preflight passes');
    expect(f[0]!.evidence[0]).toMatchObject({
      request: `OPTIONS https://api.example.test/v1/items (Origin: ${FOREIGN_ORIGIN}, Access-Control-Request-Method: GET)`,
      status: 204,
      header: 'access-control-allow-origin',
      value: FOREIGN_ORIGIN,
    });
  });

  it('reflected with credentials but an Authorization header not allowed: still high, the preflight fails', () => {
    const f = run({
      authenticated: true,
      cors: preflight({
        'access-control-allow-origin': FOREIGN_ORIGIN,
        'access-control-allow-credentials': 'true',
      }),
    });
    expect(f.map((x) => x.id)).toEqual(['audit.cors.reflected-origin-credentials']);
    expect(f[0]!.message).not.toContain('passes');
  });

  it('ACAC other than exactly "true" is not credentials (Fetch: case-sensitive)', () => {
    expect(
      ids({
        cors: preflight({
          'access-control-allow-origin': FOREIGN_ORIGIN,
          'access-control-allow-credentials': 'TRUE',
        }),
      }),
    ).toEqual(['audit.cors.reflected-origin']);
  });

  it('the foreign origin reflected without credentials: low', () => {
    const f = run({ cors: preflight({ 'access-control-allow-origin': FOREIGN_ORIGIN }) });
    expect(f.map((x) => [x.id, x.severity, x.points])).toEqual([['audit.cors.reflected-origin', 'low', -5]]);
  });

  it('null allowed, on the main response or the preflight', () => {
    expect(ids({ response: response({ 'access-control-allow-origin': 'null' }) })).toEqual([
      'audit.cors.null-origin',
    ]);
    expect(ids({ cors: preflight({ 'access-control-allow-origin': 'null' }) })).toEqual([
      'audit.cors.null-origin',
    ]);
  });

  it('* with credentials: low (browsers refuse it), on either response; * alone is fine', () => {
    const h = { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' };
    expect(ids({ response: response(h) })).toEqual(['audit.cors.wildcard-credentials']);
    expect(ids({ cors: preflight(h) })).toEqual(['audit.cors.wildcard-credentials']);
    expect(ids({ response: response({ 'access-control-allow-origin': '*' }) })).toEqual([]);
  });

  it('a failed preflight is no finding', () => {
    expect(ids({ cors: { origin: FOREIGN_ORIGIN, error: 'connection refused' } })).toEqual([]);
  });
});
