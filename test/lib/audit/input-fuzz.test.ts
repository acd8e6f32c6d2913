import { describe, expect, it } from 'vitest';
import { isAuditInputError, readAuditInput } from '../../../src/lib/audit/input.js';
import type { AuditFacts } from '../../../src/lib/audit/types.js';
import { fuzzSeed, prng, type Rng } from '../../helpers/seeded-random.js';

/**
 * Seeded fuzzing of the --headers reader: valid raw responses, HAR files and JSON header objects, mutated — bytes
 * flipped, inserted and cut, lines doubled and dropped, header values replaced by junk (control characters, CR/LF,
 * NUL, bidi overrides, unicode, huge strings, `__proto__`), HAR and JSON nodes replaced by values of the wrong
 * type. For every input the reader either returns well-formed AuditFacts or throws the one AuditInputError (code
 * ERR_AUDIT_INPUT, one line, naming the source); nothing else escapes. FUZZ_SEED overrides the seed.
 */
const SEED = fuzzSeed(0xa0d17);
const CASES = 1500;

const JUNK = [
  '', ' ', '\t', '\0', '\r', '\n', '\r\n', '\r\n\r\n', ':', ': ', '\u001b[2J', '\u202e', 'é', '😀', '\uFFFD', '"', '\\',
  '{', '}', '[', ']', ',', ';', '=', 'HTTP/1.1 200 OK\r\n', '__proto__', 'constructor', 'max-age=abc', '\u0085',
  'x'.repeat(5000), '%00', '\ud800', 'a\rb', 'a\nb',
]; // prettier-ignore
const NAMES = [
  'Strict-Transport-Security',
  'Set-Cookie',
  'Content-Security-Policy',
  'X-Frame-Options',
  'Server',
  '__proto__',
  'constructor',
  'toString',
  'x y',
  '',
  ':status',
  'Ünïcode',
];
const VALUES = [
  'max-age=31536000; includeSubDomains',
  'sid=1; Secure; HttpOnly; SameSite=Bogus',
  "default-src 'none'",
  'ALLOWALL',
  'nginx/1.2.3',
  '@1688169599',
  'Sat, 31 Dec 2018 23:59:59 GMT',
  '<https://a/>; rel="deprecation"',
];
const WRONG_TYPES: unknown[] = [
  null,
  0,
  -1,
  Number.POSITIVE_INFINITY,
  'str',
  true,
  [],
  {},
  [null],
  { name: 1 },
  [[[]]],
  { log: null },
];

function raw(r: Rng): string {
  const lines = [`HTTP/1.${r.int(2)} ${r.pick([200, 204, 301, 401, 403, 500])} OK`];
  const n = r.int(8);
  for (let i = 0; i < n; i++) lines.push(`${r.pick(NAMES)}: ${r.pick(VALUES)}`);
  const request =
    r.int(4) === 0 ? `GET /x HTTP/1.1\r\nHost: ${r.pick(['a.example', '', '[::1]', 'ü'])}\r\n\r\n` : '';
  return request + lines.join(r.pick(['\r\n', '\n'])) + '\r\n\r\n' + (r.int(2) ? '{"a":1}' : '');
}

function harDoc(r: Rng): Record<string, unknown> {
  const entries = Array.from({ length: 1 + r.int(4) }, () => ({
    request: {
      method: r.pick(['GET', 'post', 'X Y']),
      url: r.pick(['https://a.example/', 'http://b/', 'nope']),
      headers: [],
    },
    response: {
      status: r.pick([0, 200, 301, 302, 404, 600, -1]),
      headers: Array.from({ length: r.int(6) }, () => ({
        name: r.pick(NAMES),
        value: r.pick([...VALUES, ...JUNK]),
      })),
      content: r.pick([
        undefined,
        { size: 3, text: 'abc' },
        { size: -1, text: '@@', encoding: 'base64' },
        { text: 5 },
      ]),
    },
  }));
  return { log: { version: '1.2', entries } };
}

function jsonDoc(r: Rng): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  for (let i = 0; i < r.int(6); i++) {
    headers[r.pick(NAMES)] = r.pick<unknown>([
      r.pick(VALUES),
      [r.pick(VALUES), r.pick(VALUES)],
      r.pick(JUNK),
      12,
    ]);
  }
  return r.int(2)
    ? headers
    : {
        url: r.pick(['https://a.example/', 'http://127.0.0.1/', 'x']),
        status: r.pick([200, 99, '200']),
        headers,
      };
}

/** Replaces one node somewhere in the document by a value of the wrong type (or junk text). */
function mutateTree(r: Rng, doc: unknown): unknown {
  if (typeof doc !== 'object' || doc === null || r.int(4) === 0) {
    return r.int(2) ? r.pick(WRONG_TYPES) : r.pick(JUNK);
  }
  const copy: Record<string, unknown> = Array.isArray(doc) ? ([...doc] as never) : { ...(doc as object) };
  const keys = Object.keys(copy);
  if (keys.length === 0) return r.pick(WRONG_TYPES);
  const k = r.pick(keys);
  copy[k] = mutateTree(r, copy[k]);
  return copy;
}

/** Byte-level damage to a text. */
function mutateText(r: Rng, text: string): string {
  let t = text;
  for (let i = 0, n = 1 + r.int(4); i < n; i++) {
    const at = r.int(t.length + 1);
    switch (r.int(5)) {
      case 0:
        t = t.slice(0, at) + r.pick(JUNK) + t.slice(at);
        break;
      case 1:
        t = t.slice(0, at) + t.slice(at + 1 + r.int(10));
        break;
      case 2:
        t = t.slice(0, at);
        break;
      case 3: {
        const lines = t.split('\n');
        const j = r.int(lines.length);
        lines.splice(j, 0, lines[j] ?? '');
        t = lines.join('\n');
        break;
      }
      default:
        t = t.slice(0, at) + String.fromCharCode(r.int(0x3000)) + t.slice(at + 1);
    }
  }
  return t;
}

function checkFacts(facts: AuditFacts): void {
  expect(facts.source).toBe('offline');
  expect(facts.requests).toBe(0);
  expect(
    Number.isInteger(facts.response.status) && facts.response.status >= 100 && facts.response.status <= 599,
  ).toBe(true);
  expect(typeof facts.url).toBe('string');
  for (const name of Object.keys(facts.response.headers)) {
    expect(name).toBe(name.toLowerCase());
    const lines = facts.response.headers[name]!;
    expect(Array.isArray(lines) && lines.length > 0).toBe(true);
    for (const line of lines) {
      expect(typeof line).toBe('string');
      expect(line).not.toMatch(/[\r\n\0]/);
    }
  }
}

function outcome(data: string | Buffer, name: string): 'ok' | 'error' {
  try {
    checkFacts(readAuditInput({ name, data }, {}));
    return 'ok';
  } catch (err) {
    if (!isAuditInputError(err)) throw err;
    expect(err.code).toBe('ERR_AUDIT_INPUT');
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(new RegExp(`^cannot read "${name}" as a response: `));
    expect(err.message).not.toMatch(/[\r\n]/);
    return 'error';
  }
}

describe(`--headers reader fuzz (seed ${SEED})`, () => {
  it.each([
    ['raw responses', (r: Rng) => mutateText(r, raw(r))],
    ['HAR files, text damage', (r: Rng) => mutateText(r, JSON.stringify(harDoc(r)))],
    ['HAR files, wrong types', (r: Rng) => JSON.stringify(mutateTree(r, harDoc(r)))],
    ['HAR files, header values', (r: Rng) => JSON.stringify(harDoc(r))],
    ['JSON headers, wrong types', (r: Rng) => JSON.stringify(mutateTree(r, jsonDoc(r))) ?? 'undefined'],
    ['JSON headers, text damage', (r: Rng) => mutateText(r, JSON.stringify(jsonDoc(r)))],
    ['random bytes', (r: Rng) => Buffer.from(Array.from({ length: r.int(300) }, () => r.int(256)))],
  ] as const)('%s: facts or the one input error, nothing else', (_name, make) => {
    const r = prng(SEED);
    const seen = { ok: 0, error: 0 };
    for (let i = 0; i < CASES; i++) seen[outcome(make(r), 'fuzz.txt')]++;
    // Both paths exercised (random bytes excepted: they are never a response).
    expect(seen.error).toBeGreaterThan(0);
    if (_name !== 'random bytes') expect(seen.ok).toBeGreaterThan(0);
  });
});
