import { UsageError } from '../../errors.js';

/**
 * `--claim k=v`, `--header k=v` and `--require-claim k=v` type their values JSON-style: `n=5` is a number,
 * `b=true` a boolean, `o={"a":1}` an object, `s="5"` the string "5"; anything that is not JSON is a string.
 */
export function parseAssignment(text: string, flag: string): { name: string; raw: string | undefined } {
  const eq = text.indexOf('=');
  const name = eq === -1 ? text : text.slice(0, eq);
  if (name === '') {
    throw new UsageError(`${flag} "${text}": the name before "=" is empty`, 'ERR_JWT_CLAIM_SYNTAX');
  }
  return { name, raw: eq === -1 ? undefined : text.slice(eq + 1) };
}

export function typedValue(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** Whether a claim satisfies --require-claim name=value: equal JSON, or an array that contains the value. */
export function claimMatches(actual: unknown, wanted: unknown): boolean {
  if (Array.isArray(actual) && !Array.isArray(wanted)) return actual.some((a) => sameJson(a, wanted));
  return sameJson(actual, wanted);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** Scopes granted by a token: `scope` (space-delimited, RFC 8693 §4.2 / RFC 9068) or `scp` (array or string). */
export function grantedScopes(payload: Record<string, unknown>): Set<string> {
  const out = new Set<string>();
  for (const member of ['scope', 'scp']) {
    const v = payload[member];
    if (typeof v === 'string')
      v.split(' ')
        .filter(Boolean)
        .forEach((s) => out.add(s));
    else if (Array.isArray(v)) v.filter((s): s is string => typeof s === 'string').forEach((s) => out.add(s));
  }
  return out;
}
