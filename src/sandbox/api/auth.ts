import type { IncomingMessage } from 'node:http';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { apiKeyMatches, checkApiKey } from '../../lib/apikey.js';
import { JWS_ALGORITHMS } from '../../lib/keys/algorithms.js';
import type { Clock } from '../../lib/time/clock.js';
import { bearerChallenge } from './problems.js';
import type { ApiKeyRecord, Identity } from './types.js';

/**
 * Who is calling. Two credentials, each in a header of its own:
 * - `Authorization: Bearer <JWT>` — an access token of the sandbox issuer, verified with jose against the
 *   issuer's JWKS: the signature with the key its `kid` names, algorithms pinned to asymmetric ones (a key's
 *   public half can never serve as an HMAC secret, and `none` is never accepted), `typ` at+jwt (RFC 9068 §4, so
 *   an ID token is no access token), `iss`, `aud` = this API, `exp` against the injected clock;
 * - `X-API-Key: <key>` — checked offline first (shape and checksum: a typo is told apart from an unknown key),
 *   then its SHA-256 compared, in constant time, with every stored hash.
 * A credential in the query string is refused, whether it would be valid or not (./problems.ts says why).
 */

/**
 * The asymmetric JWS algorithms apikit knows (RFC 7518, RFC 8037) — never HS*, never none — plus `Ed25519`, the
 * fully-specified name of EdDSA over Ed25519 (JOSE's fully-specified algorithms) that jose also accepts.
 */
export const ACCEPTED_ALGORITHMS: string[] = [
  ...JWS_ALGORITHMS.filter((alg) => !alg.startsWith('HS')),
  'Ed25519',
];

/** Query parameters that carry a credential in the wild (compared lower-case). */
export const QUERY_CREDENTIAL_PARAMS = ['api_key', 'apikey', 'api-key', 'x-api-key', 'key', 'access_token'];

/** Seconds of clock skew allowed on exp/nbf/iat between the issuer and the API. */
export const CLOCK_TOLERANCE_S = 5;

export type AuthFailure = {
  kind: 'refused';
  problem:
    'invalid-token' | 'invalid-api-key' | 'unauthorized' | 'ambiguous-credentials' | 'credential-in-query';
  detail: string;
  /** The WWW-Authenticate value (for a 401). */
  challenge: string;
};

export type AuthResult =
  | { kind: 'none' }
  | { kind: 'ok'; identity: Identity }
  | AuthFailure
  /** The issuer's keys could not be fetched: not the client's fault (503). */
  | { kind: 'unavailable'; detail: string; cause: unknown };

export interface AuthenticatorOptions {
  issuer: string;
  audience: string;
  jwksUri: string;
  apiKeys: readonly ApiKeyRecord[];
  clock: Clock;
}

export type Authenticator = (req: IncomingMessage, url: URL) => Promise<AuthResult>;

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const jwks = createRemoteJWKSet(new URL(options.jwksUri), { timeoutDuration: 5000 });

  async function bearer(token: string): Promise<AuthResult> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ACCEPTED_ALGORITHMS,
        typ: 'at+jwt',
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(options.clock.now()),
        clockTolerance: CLOCK_TOLERANCE_S,
      }));
    } catch (err) {
      const why = tokenFault(err);
      if (why === undefined) {
        return { kind: 'unavailable', detail: "the issuer's signing keys could not be fetched", cause: err };
      }
      return invalidToken(why);
    }
    if (typeof payload.sub !== 'string' || payload.sub === '')
      return invalidToken('the token has no subject');
    if (payload.scope !== undefined && typeof payload.scope !== 'string') {
      return invalidToken('the scope claim is not a string');
    }
    const clientId = typeof payload.client_id === 'string' ? payload.client_id : null;
    return {
      kind: 'ok',
      identity: {
        via: 'bearer',
        bucket: `sub:${payload.sub}`,
        subject: payload.sub,
        clientId,
        scopes: (payload.scope ?? '').split(' ').filter((s) => s !== ''),
        expiresAt: payload.exp ?? null,
      },
    };
  }

  function apiKey(key: string): AuthResult {
    const shape = checkApiKey(key);
    if (!shape.ok) return invalidKey(`the API key is malformed: ${shape.reason}`);
    let found: ApiKeyRecord | undefined;
    // Every record is compared (no early exit), so the time taken says nothing about which one matched.
    for (const record of options.apiKeys) {
      if (apiKeyMatches(key, record.hash) && found === undefined) found = record;
    }
    if (found === undefined) return invalidKey('the API key is not known to this API');
    return {
      kind: 'ok',
      identity: {
        via: 'api-key',
        // By the stored hash, not the id: sandboxes with different keys that share one Redis (--redis) must
        // not share a bucket because both call their key "sandbox-key-1". (A prefix of the hash names it enough.)
        bucket: `key:${found.hash.slice('sha256:'.length, 'sha256:'.length + 24)}`,
        subject: found.id,
        clientId: null,
        scopes: [...found.scopes],
        expiresAt: null,
      },
    };
  }

  return async (req, url) => {
    const inQuery = [...url.searchParams.keys()].find((k) =>
      QUERY_CREDENTIAL_PARAMS.includes(k.toLowerCase()),
    );
    if (inQuery !== undefined) {
      return {
        kind: 'refused',
        problem: 'credential-in-query',
        detail: `the query parameter "${inQuery.slice(0, 20)}" carries a credential: URLs are logged, so it is refused (valid or not) — send an API key in X-API-Key, a token in Authorization: Bearer, and replace the key you sent`,
        challenge: bearerChallenge('invalid_request', 'credentials are not accepted in the URL'),
      };
    }
    const authorization = req.headers.authorization;
    const key = req.headers['x-api-key'];
    if (authorization !== undefined && key !== undefined) {
      return {
        kind: 'refused',
        problem: 'ambiguous-credentials',
        detail: 'the request carries both Authorization and X-API-Key: send one of them',
        challenge: bearerChallenge('invalid_request', 'more than one credential'),
      };
    }
    if (typeof key === 'string') return apiKey(key.trim());
    if (authorization === undefined) return { kind: 'none' };
    const m = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?: +(.*))?$/.exec(authorization.trim());
    const scheme = m?.[1] ?? '';
    if (scheme.toLowerCase() !== 'bearer') {
      return {
        kind: 'refused',
        problem: 'unauthorized',
        detail: `the Authorization scheme ${JSON.stringify(scheme.slice(0, 20))} is not accepted: send Bearer <token>, or X-API-Key`,
        challenge: bearerChallenge(),
      };
    }
    const token = (m?.[2] ?? '').trim();
    // RFC 6750 §2.1: b64token.
    if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) return invalidToken('the bearer token is empty or malformed');
    return bearer(token);
  };
}

function invalidToken(why: string): AuthFailure {
  return {
    kind: 'refused',
    problem: 'invalid-token',
    detail: why,
    challenge: bearerChallenge('invalid_token', why),
  };
}

function invalidKey(why: string): AuthFailure {
  return { kind: 'refused', problem: 'invalid-api-key', detail: why, challenge: bearerChallenge() };
}

const CLAIM_FAULTS: Record<string, string> = {
  iss: 'the token was not issued by the sandbox issuer (iss)',
  aud: 'the token is not meant for this API (aud): ask for it with --resource <api url>',
  nbf: 'the token is not valid yet (nbf)',
  iat: 'the token was issued in the future (iat)',
  typ: 'the token is not an access token (typ must be at+jwt, RFC 9068)',
  exp: 'the token has no expiry (exp)',
  sub: 'the token has no subject (sub)',
};

/**
 * Why jose refused the token, in a sentence for the client; undefined when the failure was not the token's
 * (the JWKS could not be fetched or parsed). Told apart by jose's error codes (STYLE.md habit 5).
 */
export function tokenFault(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'the access token has expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = String((err as { claim?: unknown }).claim ?? '');
      return CLAIM_FAULTS[claim] ?? 'a claim of the token is not accepted';
    }
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'the token signature does not verify';
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'no signing key of the issuer matches the token (kid, alg)';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'the token algorithm is not accepted (asymmetric signatures only)';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'the token is not a signed JWT this API can read';
    default:
      return undefined;
  }
}
