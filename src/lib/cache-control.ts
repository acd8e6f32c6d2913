import { splitFieldValues } from './headers.js';

/**
 * Cache-Control (RFC 9111 §5.2), read once for every caller: the audit's cache rule asks whether an authenticated
 * response may be stored, `keys rotate --jwks-url` how long verifiers may keep a JWKS. Not a structured field
 * (RFC 9651 came later), so no SF parser applies: `#cache-directive`, each `token [ "=" ( token / quoted-string ) ]`,
 * names case-insensitive, every line in order.
 */
export interface CacheControl {
  /**
   * Directive names lower-case, each with every value it was given, in order (`true` for a bare directive, a
   * quoted value unquoted). A directive given twice keeps both: RFC 9111 §4.2.1 lets a cache take either, so the
   * caller decides (the first, or the safer one).
   */
  directives: Map<string, (string | true)[]>;
  /** Members that are not `token [ "=" ( token / quoted-string ) ]`. */
  invalid: string[];
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function readCacheControl(lines: readonly string[]): CacheControl {
  const directives = new Map<string, (string | true)[]>();
  const invalid: string[] = [];
  for (const member of splitFieldValues(lines)) {
    if (member === '') continue; // `#` lists allow empty elements (RFC 9110 §5.6.1)
    const eq = member.indexOf('=');
    const name = (eq === -1 ? member : member.slice(0, eq)).trim();
    const raw = eq === -1 ? undefined : member.slice(eq + 1).trim();
    const quoted = raw !== undefined && /^"(?:[^"\\]|\\.)*"$/.test(raw);
    if (!TOKEN.test(name) || (raw !== undefined && !quoted && !TOKEN.test(raw))) {
      invalid.push(member);
      continue;
    }
    const value = raw === undefined ? true : quoted ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    const key = name.toLowerCase();
    directives.set(key, [...(directives.get(key) ?? []), value]);
  }
  return { directives, invalid };
}

/** A directive's values that are delta-seconds (RFC 9111 §1.2.2: digits only); others are ignored, as §5.2 asks. */
export function deltaSeconds(values: readonly (string | true)[] | undefined): number[] {
  return (values ?? []).flatMap((v) => (v !== true && /^\d{1,10}$/.test(v) ? [Number(v)] : []));
}
