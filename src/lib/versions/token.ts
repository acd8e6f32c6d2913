import type { VersionFormat } from './types.js';

/**
 * Version ids as APIs write them: `v2`, `V2`, `v1.2`, a bare `2` (a header or query value), or a date
 * (`2024-06-01`, Azure's `2024-06-01-preview`). A token is compared by its meaning — `v2`, `2` and `V2` are one
 * version — and written back in the style the API uses, so a version named `2` in `api-supported-versions` becomes
 * the path segment `v2` of a path-versioned API.
 */
export type VersionToken =
  { kind: 'number'; major: number; minor?: number } | { kind: 'date'; date: string; tag?: string };

/** How the API writes its ids: `v` or `V` or nothing before the number, with or without a minor part. */
export interface TokenStyle {
  format: VersionFormat;
  prefix: '' | 'v' | 'V';
}

// A major below zero only with a `v` (`v-1`: what came before a v0, as the sandbox names its retired version). The
// planner never guesses one (its neighbours start at 0); it is tried only when the API names it, e.g. in a
// `predecessor-version` link. A bare `-1` is a number, not an id; `v-0` is not `v0` written oddly, it is nothing.
const NUMBER = /^(?:([vV])(-[1-9]\d{0,5})|([vV]?)(\d{1,6}))(?:\.(\d{1,6}))?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:-([a-z][a-z0-9]{0,19}))?$/i;

function numberParts(value: string): { prefix: TokenStyle['prefix']; major: string; minor?: string } | null {
  const n = NUMBER.exec(value);
  if (n === null) return null;
  const prefix = (n[1] ?? n[3]) as TokenStyle['prefix'];
  return { prefix, major: n[2] ?? n[4]!, minor: n[5] };
}

/** The token of an id, or null when the text is not one. `strict`: a bare number is not an id (a path segment). */
export function parseToken(text: string, options: { bareNumber?: boolean } = {}): VersionToken | null {
  const value = text.trim();
  const n = numberParts(value);
  if (n !== null) {
    if (n.prefix === '' && options.bareNumber === false) return null;
    const major = Number(n.major);
    return n.minor === undefined
      ? { kind: 'number', major }
      : { kind: 'number', major, minor: Number(n.minor) };
  }
  const d = DATE.exec(value);
  if (d !== null && validDate(Number(d[1]), Number(d[2]), Number(d[3]))) {
    const date = `${d[1]}-${d[2]}-${d[3]}`;
    return d[4] === undefined ? { kind: 'date', date } : { kind: 'date', date, tag: d[4].toLowerCase() };
  }
  return null;
}

/** The style an id is written in (the API's own, read off the id the request gave). */
export function styleOf(text: string): TokenStyle {
  const value = text.trim();
  const n = numberParts(value);
  if (n === null) return { format: 'date', prefix: '' };
  const prefix = n.prefix;
  if (n.minor !== undefined) return { format: 'major-minor', prefix };
  return { format: prefix === '' ? 'number' : 'major', prefix };
}

/** One key per meaning: `v2`, `V2` and `2` → `2`; `v1.2` → `1.2`; dates as written (with any tag). */
export function tokenKey(t: VersionToken): string {
  if (t.kind === 'date') return t.tag === undefined ? t.date : `${t.date}-${t.tag}`;
  return t.minor === undefined ? String(t.major) : `${t.major}.${t.minor}`;
}

/** The id in the API's style: a number with the style's prefix (and `.0` when the style has minors). */
export function formatToken(t: VersionToken, style: TokenStyle): string {
  if (t.kind === 'date') return tokenKey(t);
  const minor = t.minor ?? (style.format === 'major-minor' ? 0 : undefined);
  return `${style.prefix}${t.major}${minor === undefined ? '' : `.${minor}`}`;
}

/** Ascending: numbers by major then minor, then dates (tagged after untagged of the same day). */
export function compareTokens(a: VersionToken, b: VersionToken): number {
  if (a.kind === 'number' && b.kind === 'number') {
    return (
      a.major - b.major ||
      (a.minor ?? 0) - (b.minor ?? 0) ||
      (a.minor === undefined ? -1 : 0) - (b.minor === undefined ? -1 : 0)
    );
  }
  if (a.kind === 'date' && b.kind === 'date') {
    const ka = tokenKey(a);
    const kb = tokenKey(b);
    return a.date < b.date ? -1 : a.date > b.date ? 1 : ka < kb ? -1 : ka > kb ? 1 : 0;
  }
  return a.kind === 'number' ? -1 : 1;
}

/** Whether two tokens mean the same version (`v2` and `2`; `v1.0` is not `v1`: some APIs serve both). */
export function sameVersion(a: VersionToken, b: VersionToken): boolean {
  return tokenKey(a) === tokenKey(b);
}

function validDate(y: number, m: number, d: number): boolean {
  if (y < 1990 || y > 2200 || m < 1 || m > 12 || d < 1) return false;
  // Day 0 of the next month is the last day of this one.
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * Version ids inside free text (an error message: `supported versions are v1, v2`): `v<N>[.<M>]` words and dates.
 * Bare numbers only when `bareNumbers` (a JSON list of versions, where `[1, 2]` means versions 1 and 2).
 */
export function tokensInText(text: string): VersionToken[] {
  const found: VersionToken[] = [];
  const re = /(?<![\w.-])(?:[vV]\d{1,6}(?:\.\d{1,6})?|\d{4}-\d{2}-\d{2}(?:-[a-z][a-z0-9]{0,19})?)(?![\w.])/gi;
  for (const m of text.matchAll(re)) {
    const t = parseToken(m[0]);
    if (t !== null) found.push(t);
  }
  return found;
}
