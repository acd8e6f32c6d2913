import { describe, expect, it } from 'vitest';
import { generateCandidates } from '../../src/lib/cors/candidates.js';
import { CORS_FINDING_IDS, corsFindings } from '../../src/lib/cors/findings.js';
import { parseCorsHeaders } from '../../src/lib/cors/headers.js';
import { judgeReadability } from '../../src/lib/cors/judge.js';
import { candidateResult } from '../../src/lib/cors/result.js';
import { reconstructRule, summarizePreflight } from '../../src/lib/cors/rule.js';
import {
  RULE_KINDS,
  type Candidate,
  type CandidateResult,
  type CorsExchange,
} from '../../src/lib/cors/types.js';
import { SEVERITIES } from '../../src/lib/findings.js';
import type { HeaderMap } from '../../src/lib/ratelimit/types.js';
import { fuzzSeed, prng, type Rng } from '../helpers/seeded-random.js';

/**
 * Seeded fuzzing of the CORS response judging: random servers — every response's ACAO, ACAC, ACAM, ACAH, ACEH,
 * Vary and Max-Age drawn from real values, near misses (case, whitespace, repeats, trailing slashes, look-alikes
 * of the request's Origin), junk (control characters, unicode, huge numbers) and absence; random statuses and
 * failed requests — through parseCorsHeaders → judgeReadability → reconstructRule / summarizePreflight →
 * corsFindings. Nothing may throw; every finding has an id from the list, a severity and an origin;
 * every numeric field is null or finite. The seed is fixed so a failure reproduces; FUZZ_SEED overrides it.
 */
const SEED = fuzzSeed(0xc0125eed);
const SERVERS = 1500;

const TRUSTED_POOL = [
  'https://app.example.com',
  'https://app.example.com:8443',
  'http://localhost:3000',
  'http://127.0.0.1:8080',
  'https://shop.example.co.uk',
  'http://[::1]:9000',
  'https://a.b.c.example.org',
  'null',
  'not a url',
];
const JUNK = ['', ' ', '\t', '\0', '\u001b[2J', 'é', '😀', '\uFFFD', '"', ',', ';', '*', '\\', '%0b', '\r\n'];
const NUMBERS = [
  '0',
  '-1',
  '5',
  '600',
  '7200',
  '7201',
  '86400',
  '86401',
  '1e9',
  '9'.repeat(40),
  '1.5',
  'NaN',
  '0x10',
];
const TOKENS = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'delete',
  'PATCH',
  'patch',
  '*',
  'authorization',
  'Authorization',
];
const TOKENS_H = [
  'content-type',
  'x-api-key',
  'X-Api-Key',
  'ratelimit',
  'retry-after',
  'x-ratelimit-remaining',
];

function mutate(rng: Rng, s: string): string {
  switch (rng.int(7)) {
    case 0:
      return s.toUpperCase();
    case 1:
      return `${s}/`;
    case 2:
      return ` ${s} `;
    case 3:
      return s.slice(0, rng.int(s.length + 1));
    case 4:
      return `${s}${rng.pick(JUNK)}`;
    case 5:
      return `${s}, ${s}`;
    default:
      return `${rng.pick(JUNK)}${s}`;
  }
}

function list(rng: Rng, pool: readonly string[]): string {
  const n = rng.int(5);
  const items = Array.from({ length: n }, () =>
    rng.int(6) === 0 ? mutate(rng, rng.pick(pool)) : rng.pick(pool),
  );
  return items.join(rng.pick([',', ', ', ' ,', ',,', ' ']));
}

/** One field: absent, one value or repeated as an array. */
function field(rng: Rng, make: () => string): string | string[] | undefined {
  const r = rng.int(10);
  if (r < 3) return undefined;
  if (r === 9) return [make(), make()];
  return make();
}

function headersFor(rng: Rng, origin: string, trusted: string): HeaderMap {
  const h: Record<string, string | string[] | undefined> = {
    'access-control-allow-origin': field(rng, () =>
      rng.pick([
        origin,
        origin,
        '*',
        'null',
        trusted,
        mutate(rng, origin),
        mutate(rng, trusted),
        '*.example.com',
        rng.pick(JUNK),
      ]),
    ),
    'access-control-allow-credentials': field(rng, () =>
      rng.pick(['true', 'true', 'True', 'TRUE', 'false', ' true', '1', 'yes', rng.pick(JUNK)]),
    ),
    'access-control-allow-methods': field(rng, () => list(rng, TOKENS)),
    'access-control-allow-headers': field(rng, () => list(rng, [...TOKENS, ...TOKENS_H])),
    'access-control-expose-headers': field(rng, () => list(rng, TOKENS_H)),
    'access-control-max-age': field(rng, () =>
      rng.int(4) === 0 ? mutate(rng, rng.pick(NUMBERS)) : rng.pick(NUMBERS),
    ),
    vary: field(rng, () =>
      rng.pick([
        'Origin',
        'origin',
        '*',
        'Accept-Encoding',
        'Accept-Encoding, Origin',
        'Origins',
        rng.pick(JUNK),
      ]),
    ),
  };
  if (rng.int(3) === 0)
    h[rng.pick(['ratelimit', 'x-ratelimit-remaining', 'retry-after', 'RateLimit-Policy'])] = '1';
  return h;
}

function exchange(
  rng: Rng,
  kind: 'preflight' | 'actual',
  origin: string,
  trusted: string,
  rm: string | null,
): CorsExchange {
  const failed = rng.int(25) === 0;
  return {
    kind,
    method: kind === 'preflight' ? 'OPTIONS' : rng.pick(['GET', 'POST', 'PUT', 'patch']),
    request_method: rm,
    request_headers: kind === 'preflight' ? ['authorization', 'content-type', 'x-api-key'] : [],
    status: failed
      ? null
      : rng.pick([200, 204, 204, 200, 301, 302, 400, 401, 403, 404, 405, 429, 500, 299, 199]),
    headers: parseCorsHeaders(headersFor(rng, origin, trusted)),
    error: failed ? 'ECONNRESET' : null,
  };
}

function finiteOrNull(v: unknown): boolean {
  return v === null || (typeof v === 'number' && Number.isFinite(v));
}

describe('cors fuzz', () => {
  it(`${SERVERS} random servers through parse → judge → rule → findings (seed ${SEED})`, () => {
    const rng = prng(SEED);
    const ids = new Set<string>(CORS_FINDING_IDS);
    const seenIds = new Set<string>();
    for (let i = 0; i < SERVERS; i++) {
      const trusted = Array.from({ length: 1 + rng.int(2) }, () => rng.pick(TRUSTED_POOL));
      const method = rng.pick(['GET', 'POST', 'PUT', 'DELETE', 'patch']);
      let candidates: Candidate[] = generateCandidates(trusted);
      // A budget-cut run: only a prefix of the candidates.
      if (rng.int(5) === 0) candidates = candidates.slice(0, rng.int(candidates.length + 1));
      const results: CandidateResult[] = candidates.map((c) => {
        const pre = exchange(rng, 'preflight', c.origin, trusted[0]!, method);
        const preflights =
          method === 'DELETE' ? [pre] : [pre, exchange(rng, 'preflight', c.origin, trusted[0]!, 'DELETE')];
        const actual = rng.int(30) === 0 ? null : exchange(rng, 'actual', c.origin, trusted[0]!, null);
        const r = candidateResult(c, preflights, actual);
        // The judge alone, with nulls in every position.
        judgeReadability(c.origin, { actual: null, preflight: rng.int(2) ? pre : null, stateChanging: null });
        return r;
      });
      const rule = reconstructRule(trusted, results);
      const preflight = summarizePreflight(results);
      const url = rng.pick(['https://api.example.com/v1', 'http://127.0.0.1:4000/', 'not a url']);
      const findings = corsFindings({ url, method, trusted, results, rule, preflight });

      expect(RULE_KINDS).toContain(rule.kind);
      for (const k of rule.kinds) expect(RULE_KINDS).toContain(k);
      expect(typeof rule.description).toBe('string');
      expect(finiteOrNull(preflight.status) && finiteOrNull(preflight.max_age_s)).toBe(true);
      for (const f of findings) {
        seenIds.add(f.id);
        if (!ids.has(f.id)) throw new Error(`unknown id ${f.id} (seed ${SEED}, server ${i})`);
        expect(SEVERITIES).toContain(f.severity);
        expect(typeof f.message).toBe('string');
        expect(f.origin === null || typeof f.origin === 'string').toBe(true);
        for (const e of f.evidence) {
          if (e.status !== undefined) expect(Number.isFinite(e.status)).toBe(true);
          if (e.value !== undefined) expect(typeof e.value).toBe('string');
        }
      }
    }
    // The generator reaches most of the findings (a weak generator would pass vacuously).
    expect(seenIds.size).toBeGreaterThanOrEqual(14);
  });
});
