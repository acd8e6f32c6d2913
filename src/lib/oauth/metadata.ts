import { InputError } from '../../errors.js';
import { terminalSafe } from '../text/terminal-safe.js';

/**
 * Authorization-server metadata (RFC 8414 / OIDC Discovery 1.0) and the checks every use of it needs.
 * Pure: the fetching lives in src/oauth/discovery.ts.
 */
export interface ServerMetadata {
  issuer: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  jwks_uri?: string;
  revocation_endpoint?: string;
  introspection_endpoint?: string;
  device_authorization_endpoint?: string;
  userinfo_endpoint?: string;
  end_session_endpoint?: string;
  scopes_supported?: string[];
  response_types_supported?: string[];
  grant_types_supported?: string[];
  code_challenge_methods_supported?: string[];
  token_endpoint_auth_methods_supported?: string[];
  token_endpoint_auth_signing_alg_values_supported?: string[];
  id_token_signing_alg_values_supported?: string[];
  authorization_response_iss_parameter_supported?: boolean;
  [key: string]: unknown;
}

/** Loopback hosts, where plain http is acceptable (RFC 8252 §7.3; RFC 8414 requires https otherwise). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/** A URL apikit may send credentials to or trust keys from: https, or http on loopback. */
export function requireSecureUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // The value may be a server's (a discovery document's endpoint): shown through the sanitiser.
    throw new InputError(`${what} "${terminalSafe(value, 200)}" is not a URL`, 'ERR_URL_INVALID');
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw new InputError(
    `${what} "${terminalSafe(value, 200)}" must use https (plain http is allowed only on loopback)`,
    'ERR_URL_INSECURE',
  );
}

/** The two well-known locations for an issuer, in the order RFC 8414 §3 and OIDC Discovery §4 define. */
export function discoveryUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return [
    // RFC 8414 §3.1: the well-known segment goes between host and path.
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    // OIDC Discovery §4: appended to the issuer.
    `${url.origin}${path}/.well-known/openid-configuration`,
  ];
}

/**
 * Validates a metadata document for `issuer`: it must be an object whose `issuer` equals the URL the user gave
 * (RFC 8414 §3.3, OIDC Discovery §4.3 — the mix-up defence), and its endpoints must be https or loopback http.
 */
export function validateMetadata(doc: unknown, issuer: string, source: string): ServerMetadata {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new InputError(`discovery document at ${source} is not a JSON object`, 'ERR_DISCOVERY_INVALID');
  }
  const meta = doc as ServerMetadata;
  if (typeof meta.issuer !== 'string') {
    throw new InputError(`discovery document at ${source} has no "issuer"`, 'ERR_DISCOVERY_INVALID');
  }
  if (meta.issuer !== issuer) {
    throw new InputError(
      `discovery document at ${source} names issuer "${terminalSafe(meta.issuer, 200)}", not "${issuer}"`,
      'ERR_DISCOVERY_ISSUER_MISMATCH',
      {
        hint: 'pass exactly the issuer the server declares (trailing slash included); a mismatch can mean a mix-up attack',
      },
    );
  }
  for (const field of [
    'authorization_endpoint',
    'token_endpoint',
    'jwks_uri',
    'revocation_endpoint',
    'introspection_endpoint',
    'device_authorization_endpoint',
    'userinfo_endpoint',
  ]) {
    const value = meta[field];
    if (value === undefined) continue;
    if (typeof value !== 'string') {
      throw new InputError(
        `discovery document at ${source}: "${field}" is not a string`,
        'ERR_DISCOVERY_INVALID',
      );
    }
    requireSecureUrl(value, `discovery "${field}"`);
  }
  return meta;
}
