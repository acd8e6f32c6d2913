/**
 * Response headers as the pure code sees them. The HTTP client (undici) gives lower-case names with a repeated
 * field as an array of its lines; a saved response (`apikit audit --headers`) is brought to the same shape. Kept
 * line by line on purpose: two `Content-Security-Policy` lines are two policies a browser enforces separately
 * (CSP3 §3.1), and two `Strict-Transport-Security` lines are a fault of their own (RFC 6797 §8.1).
 */
export type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

/** Every line of every field: lower-case names, the lines in the order received, no empty arrays. */
export type HeaderLines = Readonly<Record<string, readonly string[]>>;

/** The map as lines: names lower-cased, a single value as a one-line array, absent names dropped. */
export function headerLines(headers: HeaderMap): HeaderLines {
  // No prototype: a server may send a field named `constructor` or `__proto__` (undici passes them through).
  const lines = Object.create(null) as Record<string, string[]>;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0) continue;
    (lines[key] ??= []).push(...values);
  }
  return lines;
}

/** The lines of one field (name in any case); an empty array when it is absent. */
export function fieldLines(headers: HeaderLines, name: string): readonly string[] {
  const key = name.toLowerCase();
  return Object.hasOwn(headers, key) ? (headers[key] ?? []) : [];
}

/**
 * One field's value as RFC 9110 §5.3 combines its lines (joined with ", "), or undefined when absent. Not for
 * Set-Cookie, whose lines cannot be combined (RFC 6265 §3).
 */
export function fieldValue(headers: HeaderLines, name: string): string | undefined {
  const lines = fieldLines(headers, name);
  return lines.length === 0 ? undefined : lines.join(', ');
}

/**
 * Fetch's "get, decode, and split" (Fetch §2.2.2, the algorithm X-Frame-Options, X-Content-Type-Options and
 * Referrer-Policy are read with): the lines joined with ", ", split on commas outside double-quoted strings,
 * each value stripped of HTTP whitespace. Empty values are kept (Fetch keeps them; callers decide).
 */
export function splitFieldValues(lines: readonly string[]): string[] {
  if (lines.length === 0) return [];
  const input = lines.join(', ');
  const values: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (quoted) {
      current += c;
      if (c === '\\' && i + 1 < input.length) current += input[++i]!;
      else if (c === '"') quoted = false;
    } else if (c === '"') {
      quoted = true;
      current += c;
    } else if (c === ',') {
      values.push(trimHttpWhitespace(current));
      current = '';
    } else {
      current += c;
    }
  }
  values.push(trimHttpWhitespace(current));
  return values;
}

/** HTTP whitespace (Fetch): tab, LF, CR, space. */
export function trimHttpWhitespace(value: string): string {
  return value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
}
