import { UsageError } from '../../errors.js';

/**
 * Builds the authorization request URL (RFC 6749 §4.1.1 + RFC 7636 §4.3 + RFC 8707 + OIDC Core §3.1.2.1).
 * Extra `--param`s may not override the parameters that carry the request's security properties.
 */
export interface AuthorizeRequest {
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  scope?: string;
  nonce?: string;
  resource?: string[];
  audience?: string;
  params?: Record<string, string>;
}

/** Parameters apikit sets itself; a --param for one of these is refused. */
export const RESERVED_PARAMS = [
  'client_id',
  'response_type',
  'redirect_uri',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'scope',
  'resource',
  'audience',
];

export function buildAuthorizationUrl(req: AuthorizeRequest): string {
  const url = new URL(req.authorizationEndpoint);
  const set = (k: string, v: string | undefined): void => {
    if (v !== undefined && v !== '') url.searchParams.set(k, v);
  };
  set('response_type', 'code');
  set('client_id', req.clientId);
  set('redirect_uri', req.redirectUri);
  set('scope', req.scope);
  set('state', req.state);
  set('nonce', req.nonce);
  set('code_challenge', req.codeChallenge);
  set('code_challenge_method', 'S256');
  for (const r of req.resource ?? []) url.searchParams.append('resource', r);
  set('audience', req.audience);
  for (const [k, v] of Object.entries(req.params ?? {})) set(k, v);
  return url.href;
}

/** Parses repeated `--param k=v` values, refusing reserved names. */
export function parseParams(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of values) {
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq) : '';
    if (!key)
      throw new UsageError(`--param "${item}" is not k=v`, 'ERR_USAGE_PARAM', {
        hint: '--param prompt=consent',
      });
    if (RESERVED_PARAMS.includes(key)) {
      throw new UsageError(
        `--param ${key} is set by apikit itself and cannot be overridden`,
        'ERR_USAGE_PARAM',
        {
          hint: key === 'scope' || key === 'resource' || key === 'audience' ? `use --${key}` : undefined,
        },
      );
    }
    out[key] = item.slice(eq + 1);
  }
  return out;
}
