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

/** Parameters the authorization request sets itself; a --param for one of these is refused. */
export const AUTHORIZE_RESERVED_PARAMS = [
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
