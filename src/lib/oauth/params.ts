import { UsageError } from '../../errors.js';

/**
 * The one `--param k=v` parser (login's authorization request, client credentials' token request). A --param
 * may not set a parameter apikit sets itself: those carry the request's security properties (state, PKCE) or
 * its client authentication (a second method would be ambiguous, RFC 6749 §2.3).
 */
export function parseParams(values: readonly string[], reserved: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of values) {
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq) : '';
    if (!key) {
      throw new UsageError(`--param "${item.split('=')[0]}" is not k=v`, 'ERR_USAGE_PARAM', {
        hint: '--param prompt=consent',
      });
    }
    if (reserved.includes(key)) {
      throw new UsageError(
        `--param ${key} is set by apikit itself and cannot be overridden`,
        'ERR_USAGE_PARAM',
        {
          hint: ['scope', 'resource', 'audience'].includes(key)
            ? `use --${key}`
            : 'use the flags apikit offers for it (see --help)',
        },
      );
    }
    out[key] = item.slice(eq + 1);
  }
  return out;
}
