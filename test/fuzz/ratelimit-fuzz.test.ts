import { describe, expect, it } from 'vitest';
import { parseRateLimitHeaders, primaryState, reconcileResets } from '../../src/lib/ratelimit/headers.js';
import {
  HEADER_SCHEMES,
  type HeaderMap,
  type ObservedResponse,
  type ParsedRateLimit,
} from '../../src/lib/ratelimit/types.js';
import { fuzzSeed, prng, type Rng } from '../helpers/seeded-random.js';

/**
 * Seeded fuzzing of the rate-limit header parsers: 100,000 header values — the drafts' and vendors' examples
 * mutated (truncated, bytes flipped, numbers swapped for huge, negative, fractional or non-numbers, unicode and
 * control characters spliced in, fields repeated as arrays) and plain random strings — through
 * parseRateLimitHeaders, and the responses in runs through reconcileResets. Nothing may throw, and every
 * numeric field must be null or a finite number ≥ 0. The seed is fixed so a failure reproduces; FUZZ_SEED
 * overrides it.
 */
const SEED = fuzzSeed(0x7a7e1117);
const VALUES = 100_000;
const RUN = 10;
const T0 = Date.UTC(2024, 0, 16, 15, 45, 0);

/** Valid values per header, from the drafts and vendor docs used in test/lib/ratelimit/headers-*.test.ts. */
const SEEDS: Record<string, string[]> = {
  ratelimit: [
    '"default";r=50;t=30',
    '"burst";r=50;t=30, "daily";r=900;t=3600',
    '"default";r=999;pk=:dHJpYWwxMjEzMjM=:',
    'quota;t=1',
    '"sliding";q=12;r=6;t=1',
    '"5-in-3sec"; r=4; t=3',
    'limit=100, remaining=50, reset=5',
    'limit=10, reset=1',
  ],
  'ratelimit-policy': [
    '"burst";q=100;w=60,"daily";q=1000;w=86400',
    '"peruser";q=65535;qu="content-bytes";w=10;pk=:sdfjLJUOUH==:',
    'quota;q=10',
    '100;w=10',
    '10;w=1;burst=1000, 1000;w=3600',
    '"5-in-3sec"; q=5; w=3; pk=:M2U0OGVmOWQyMmUw:',
  ],
  'ratelimit-limit': [
    '10',
    '10, 10;w=1, 50;w=60',
    '100, 100;w=60;burst=1000;comment="sliding window"',
    '0, 15;w=20',
  ],
  'ratelimit-remaining': ['0', '1', '594'],
  'ratelimit-reset': ['7', '1609844400', '36000'],
  'ratelimit-resettime': ['Tue, 05 Jan 2021 11:00:00 GMT'],
  'x-ratelimit-limit': ['60', '5000', '100, 100;window=60, 10000;window=86400'],
  'x-ratelimit-remaining': ['56', '0', '98'],
  'x-ratelimit-reset': [
    '1372700873',
    '1470173023.123',
    '3',
    '1705419902500',
    'Tue, 16 Jan 2024 15:46:00 GMT',
  ],
  'x-ratelimit-reset-after': ['3.123', '1'],
  'x-ratelimit-resource': ['core'],
  'x-ratelimit-bucket': ['abcd1234'],
  'x-ratelimit-limit-minute': ['5'],
  'x-ratelimit-remaining-minute': ['4'],
  'x-rate-limit-limit': ['1200', '900'],
  'x-rate-limit-remaining': ['1199', '847'],
  'x-rate-limit-reset': ['1609459200', '600000'],
  'retry-after': [
    '120',
    '2.0',
    '0',
    'Mon, 05 Aug 2019 09:27:05 GMT',
    'Sunday, 06-Nov-94 08:49:37 GMT',
    'Sun Nov  6 08:49:37 1994',
  ],
  date: ['Mon, 05 Aug 2019 09:27:00 GMT', 'Tue, 16 Jan 2024 15:45:00 GMT'],
};
const NAMES = [...Object.keys(SEEDS), 'x-other', 'RateLimit', 'X-RateLimit-Remaining'];

const NASTY = [
  '',
  ' ',
  ',',
  ';',
  '=',
  '"',
  '\\',
  ':',
  '(',
  ')',
  '?',
  '@',
  '%',
  '*',
  '\t',
  '\n',
  '\r',
  '\0',
  '\u001b[31m',
  'é',
  '😀',
  '\uFFFD',
  '\u202E',
  '١٢٣',
  '０',
  '\uD800',
];
const NUMBERS = [
  '-1',
  '-0',
  '0',
  '1.5',
  '0.001',
  '999999999999999',
  '9999999999999999',
  '99999999999999999999999',
  '1e308',
  '1e-9',
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '1_000',
  '+5',
  '00012',
  '123456789012.123',
  '1234567890123.1',
  String(Number.MAX_SAFE_INTEGER),
  String(2 ** 63),
  '1705419960',
  '1705419960000',
  '4102444800',
  '-1705419960',
];
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789;=,"():?*%@-. ';

function mutate(rng: Rng, value: string): string {
  let out = value;
  const rounds = 1 + rng.int(3);
  for (let r = 0; r < rounds; r++) {
    const pos = rng.int(out.length + 1);
    switch (rng.int(9)) {
      case 0: // truncate
        out = out.slice(0, pos);
        break;
      case 1: {
        // flip a byte (as a UTF-16 unit: any code unit, lone surrogates included)
        const code = out.charCodeAt(pos) ^ (1 << rng.int(16));
        out =
          out.slice(0, pos) +
          String.fromCharCode(Number.isNaN(code) ? rng.int(0x10000) : code) +
          out.slice(pos + 1);
        break;
      }
      case 2: // splice in something nasty
        out = out.slice(0, pos) + rng.pick(NASTY) + out.slice(pos);
        break;
      case 3: // swap every number for a hostile one
        out = out.replace(/\d+(\.\d+)?/g, () => rng.pick(NUMBERS));
        break;
      case 4: // swap one number
        out = out.replace(/\d+(\.\d+)?/, rng.pick(NUMBERS));
        break;
      case 5: // duplicate a chunk
        out = out.slice(0, pos) + out.slice(rng.int(pos + 1));
        break;
      case 6: // join another seed of any header
        out = `${out}${rng.pick([', ', ',', ';', ' '])}${rng.pick(rng.pick(Object.values(SEEDS)))}`;
        break;
      case 7: // delete a character
        out = out.slice(0, pos) + out.slice(pos + 1);
        break;
      default: // a random character
        out = out.slice(0, pos) + rng.pick(ALPHABET.split('')) + out.slice(pos);
    }
  }
  return out;
}

function randomValue(rng: Rng): string {
  const n = rng.int(30);
  let out = '';
  for (let i = 0; i < n; i++) out += rng.next() < 0.15 ? rng.pick(NASTY) : rng.pick(ALPHABET.split(''));
  return out;
}

function valueFor(rng: Rng, name: string): string {
  const seeds = SEEDS[name.toLowerCase()] ?? SEEDS['ratelimit']!;
  const r = rng.int(10);
  if (r < 2) return rng.pick(seeds);
  if (r < 8) return mutate(rng, rng.pick(seeds));
  if (r < 9) return rng.pick(NUMBERS);
  return randomValue(rng);
}

const ARRIVALS = [T0, T0, T0, 0, -1, NaN, Infinity, 1e15, Date.UTC(2019, 7, 5, 9, 27)];

/** Every numeric field null or a finite number ≥ 0; every enum within its set; problems well-formed. */
function check(p: ParsedRateLimit, where: string): void {
  const bad = (n: number | null) => n !== null && !(typeof n === 'number' && Number.isFinite(n) && n >= 0);
  const numbers = [
    p.retry_after_s,
    ...p.policies.flatMap((x) => [x.quota, x.window_s]),
    ...p.states.flatMap((s) => [s.limit, s.remaining, s.reset_s, s.reset_raw]),
  ];
  if (numbers.some(bad)) throw new Error(`${where}: a numeric field is ${JSON.stringify(numbers)}`);
  for (const s of p.schemes) if (!HEADER_SCHEMES.includes(s)) throw new Error(`${where}: scheme ${s}`);
  for (const s of p.states) {
    if (
      s.reset_form !== null &&
      !['delta-seconds', 'delta-ms', 'epoch-seconds', 'epoch-ms', 'http-date'].includes(s.reset_form)
    ) {
      throw new Error(`${where}: reset_form ${s.reset_form}`);
    }
    if ((s.reset_form === null) !== (s.reset_s === null))
      throw new Error(`${where}: reset_form/reset_s disagree`);
  }
  for (const x of p.problems) {
    if (
      typeof x.header !== 'string' ||
      typeof x.value !== 'string' ||
      typeof x.problem !== 'string' ||
      x.problem === ''
    ) {
      throw new Error(`${where}: malformed problem ${JSON.stringify(x)}`);
    }
  }
}

describe('fuzz (seeded)', () => {
  it(`${VALUES} header values through parseRateLimitHeaders and reconcileResets`, () => {
    const rng = prng(SEED);
    let values = 0;
    let responses = 0;
    let problems = 0;
    let withStates = 0;
    let run: ObservedResponse[] = [];
    let clock = T0;
    while (values < VALUES) {
      const headers: Record<string, string | string[]> = {};
      const fields = 1 + rng.int(4);
      for (let f = 0; f < fields && values < VALUES; f++) {
        const name = rng.pick(NAMES);
        // Repeated fields arrive as arrays.
        const repeat = rng.next() < 0.15 && VALUES - values >= 2;
        headers[name] = repeat ? [valueFor(rng, name), valueFor(rng, name)] : valueFor(rng, name);
        values += Array.isArray(headers[name]) ? 2 : 1;
      }
      clock += rng.pick([0, 10, 300, 1000, 2000, 5000]);
      const receivedAtMs = rng.next() < 0.9 ? clock : rng.pick(ARRIVALS);
      let parsed: ParsedRateLimit;
      try {
        parsed = parseRateLimitHeaders(headers as HeaderMap, { receivedAtMs });
        check(parsed, 'parse');
        primaryState(parsed);
      } catch (err) {
        throw new Error(`seed ${SEED}, response ${responses}: ${JSON.stringify(headers)} → ${String(err)}`);
      }
      responses++;
      problems += parsed.problems.length;
      if (parsed.states.length > 0) withStates++;
      const primary = primaryState(parsed);
      run.push({
        entry: {
          seq: run.length,
          phase: 'burst',
          sent_ms: 0,
          latency_ms: null,
          status: 200,
          outcome: 'accepted',
          remaining: primary?.remaining ?? null,
          reset_s: primary?.reset_s ?? null,
          retry_after_s: parsed.retry_after_s,
        },
        parsed: rng.next() < 0.05 ? null : parsed,
        received_at_ms: receivedAtMs,
        date_ms: rng.next() < 0.7 ? Math.floor(clock / 1000) * 1000 : rng.pick([null, NaN, 0, T0]),
      });
      if (run.length === RUN) {
        try {
          const out = reconcileResets(run);
          if (out.length !== run.length) throw new Error('length changed');
          out.forEach((o, i) => {
            if (o.parsed !== null) check(o.parsed, `reconcile #${i}`);
            const r = o.entry.reset_s;
            if (r !== null && !(Number.isFinite(r) && r >= 0)) throw new Error(`entry.reset_s ${r}`);
          });
        } catch (err) {
          throw new Error(`seed ${SEED}, run ending at response ${responses}: ${String(err)}`);
        }
        run = [];
      }
    }
    expect(values).toBe(VALUES);
    // The mix is not degenerate: it reaches the readers and their error paths alike.
    expect(withStates).toBeGreaterThan(responses / 10);
    expect(problems).toBeGreaterThan(responses / 4);
  });

  it('deep and long values stay bounded', () => {
    const long = '"a";r=1;t=1, '.repeat(5000);
    const nested = '('.repeat(10000);
    for (const value of [long, nested, 'x'.repeat(100_000), `${'9'.repeat(5000)}`]) {
      const parsed = parseRateLimitHeaders(
        { ratelimit: value, 'ratelimit-policy': value, 'x-ratelimit-reset': value, 'retry-after': value },
        { receivedAtMs: T0 },
      );
      check(parsed, 'long');
    }
  });
});
