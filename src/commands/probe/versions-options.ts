import { UsageError } from '../../errors.js';
import { detectSchemes } from '../../lib/versions/scheme.js';
import { SCHEMES, type SchemeChoice } from '../../lib/versions/types.js';
import { parseCount, quote } from '../shared/probe-flags.js';

/**
 * The values of `apikit probe versions`'s own flags, each checked before anything is sent (exit 2 with one line
 * naming the flag). The budget is small on purpose: a version probe learns from a few dozen requests, and every
 * one of them goes to an API that may be someone's production.
 */
export const VERSIONS_DEFAULT_MAX_REQUESTS = 30;
export const VERSIONS_MAX_REQUESTS_CEILING = 100;
export const VERSIONS_DEFAULT_MAX_VERSIONS = 12;
export const VERSIONS_MAX_VERSIONS_CEILING = 50;

export function parseScheme(value: string | undefined): SchemeChoice {
  if (value === undefined) return 'auto';
  const wanted = value.trim().toLowerCase();
  const choices: readonly string[] = ['auto', ...SCHEMES];
  if (!choices.includes(wanted)) {
    throw new UsageError(`--scheme ${quote(value)} is not one of ${choices.join(', ')}`, 'ERR_USAGE_SCHEME');
  }
  return wanted as SchemeChoice;
}

/** --header-name: an RFC 9110 token, and only where a header selects the version. */
export function parseHeaderName(value: string | undefined, scheme: SchemeChoice): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value)) {
    throw new UsageError(
      `--header-name ${quote(value)} is not a header name (e.g. API-Version)`,
      'ERR_USAGE_HEADER',
    );
  }
  if (scheme !== 'auto' && scheme !== 'header') {
    throw new UsageError(
      `--header-name applies to --scheme header (or auto), not --scheme ${scheme}`,
      'ERR_USAGE_FLAG_CONFLICT',
    );
  }
  return value;
}

export function parseMaxVersions(value: string | undefined): number {
  if (value === undefined) return VERSIONS_DEFAULT_MAX_VERSIONS;
  return parseCount('--max-versions', value, VERSIONS_MAX_VERSIONS_CEILING, 'a probe, not a crawl');
}

export function parseVersionsMaxRequests(value: string | undefined): number {
  if (value === undefined) return VERSIONS_DEFAULT_MAX_REQUESTS;
  return parseCount('--max-requests', value, VERSIONS_MAX_REQUESTS_CEILING, 'a probe, not a load test');
}

/** --scheme path or query needs the URL to carry the version it starts from. */
export function requireVersionInUrl(url: string, scheme: SchemeChoice): void {
  if (scheme !== 'path' && scheme !== 'query') return;
  const found = detectSchemes({ url, requestHeaders: {}, answer: null }).some(
    (d) => d.selector.scheme === scheme,
  );
  if (found) return;
  throw new UsageError(
    scheme === 'path'
      ? `--scheme path: the URL has no version segment (e.g. /v1/, /api/v1.2/, /2024-06-01/)`
      : `--scheme query: the URL has no version parameter (e.g. ?version=2, ?api-version=2024-06-01)`,
    'ERR_USAGE_SCHEME',
  );
}
