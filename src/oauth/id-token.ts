import type { JWTPayload } from 'jose';
import type { Context } from '../context.js';
import { AuthError } from '../errors.js';
import { fetchJwks } from './jwks.js';
import { JWS_ALGORITHMS } from '../lib/keys/algorithms.js';

/**
 * ID-token validation (OIDC Core §3.1.3.7): signature against the issuer's JWKS (only the keys the issuer
 * publishes at its jwks_uri, or the user's --jwks-uri; never a key named by the token), `iss`, `aud`, `azp`
 * (required to be the client when there are several audiences, and checked whenever present), `exp`/`iat`
 * against apikit's clock, and `nonce` against the one this login sent.
 * Any failure is exit 4 and stops the login before anything is stored.
 */
export interface IdTokenExpectations {
  /**
   * The issuer the token must name. Undefined for a login without discovery: `iss` must then be present (a string)
   * but there is nothing to compare it with — the caller says so and records it as seen.
   */
  issuer?: string;
  clientId: string;
  jwksUri: string;
  /** The nonce sent in the authorization request; undefined after a refresh (OIDC Core §12.2). */
  nonce?: string;
  /** Signing algorithms the issuer advertises (id_token_signing_alg_values_supported). */
  algorithms?: string[];
}

// Asymmetric only: an HS* ID token would be keyed with a client secret a public client does not have.
const ASYMMETRIC = [...JWS_ALGORITHMS.filter((alg) => !alg.startsWith('HS')), 'Ed25519'];

export async function validateIdToken(
  ctx: Context,
  idToken: string,
  expect: IdTokenExpectations,
): Promise<JWTPayload> {
  ctx.redactor.add(idToken);
  const [{ jwtVerify }, { createLocalJWKSet }] = await Promise.all([
    import('jose/jwt/verify'),
    import('jose/jwks/local'),
  ]);
  const jwks = await fetchJwks(ctx, expect.jwksUri);
  const advertised = expect.algorithms?.filter((a) => ASYMMETRIC.includes(a));
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, createLocalJWKSet(jwks), {
      ...(expect.issuer === undefined ? {} : { issuer: expect.issuer }),
      audience: expect.clientId,
      algorithms: advertised && advertised.length > 0 ? advertised : ASYMMETRIC,
      currentDate: new Date(ctx.clock.now()),
      // A little leeway for clock skew between this machine and the issuer.
      clockTolerance: 60,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
    }));
  } catch (err) {
    throw idTokenError(err, expect.issuer !== undefined);
  }
  if (typeof payload.iss !== 'string' || payload.iss === '') {
    throw new AuthError('the ID token\'s "iss" is not a string', 'ERR_LOGIN_ID_TOKEN_CLAIM');
  }
  // OIDC Core §3.1.3.7 (4, 5): several audiences need an azp naming this client; any azp present must name it.
  const several = Array.isArray(payload.aud) && payload.aud.length > 1;
  if ((several || payload.azp !== undefined) && payload.azp !== expect.clientId) {
    throw new AuthError(
      payload.azp === undefined
        ? `the ID token has several audiences but no "azp" (it must be ${expect.clientId})`
        : `the ID token's "azp" is not ${expect.clientId}`,
      'ERR_LOGIN_ID_TOKEN_AZP',
      { hint: 'the token was issued to another client; nothing was stored' },
    );
  }
  if (expect.nonce !== undefined && payload.nonce !== expect.nonce) {
    throw new AuthError(
      payload.nonce === undefined
        ? 'the ID token has no "nonce"'
        : 'the ID token\'s "nonce" is not the one this login sent',
      'ERR_LOGIN_ID_TOKEN_NONCE',
      { hint: 'the token may have been replayed or injected; nothing was stored' },
    );
  }
  return payload;
}

/**
 * jose errors are mapped by their `code`, never by class. `byIssuer`: the keys came from the issuer's discovery
 * document, not from --jwks-uri.
 */
function idTokenError(err: unknown, byIssuer: boolean): AuthError {
  const code = (err as { code?: string }).code;
  const claim = (err as { claim?: string }).claim;
  const hint = `nothing was stored; check ${byIssuer ? '--issuer' : '--jwks-uri'} and --client-id`;
  const keys = byIssuer ? "the issuer's keys" : 'the keys at --jwks-uri';
  const jwks = byIssuer ? "the issuer's JWKS" : 'the JWKS at --jwks-uri';
  switch (code) {
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new AuthError(
        `the ID token's signature does not verify with ${keys}`,
        'ERR_LOGIN_ID_TOKEN_SIGNATURE',
        { hint },
      );
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return new AuthError(`no key in ${jwks} matches the ID token`, 'ERR_LOGIN_ID_TOKEN_KEY', { hint });
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new AuthError(
        byIssuer
          ? 'the ID token is signed with an algorithm the issuer does not advertise'
          : 'the ID token is not signed with an asymmetric algorithm apikit accepts',
        'ERR_LOGIN_ID_TOKEN_ALG',
        { hint },
      );
    case 'ERR_JWT_EXPIRED':
      return new AuthError(
        "the ID token has expired (check this machine's clock)",
        'ERR_LOGIN_ID_TOKEN_EXPIRED',
        { hint },
      );
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return new AuthError(`the ID token's "${claim ?? 'claims'}" is wrong`, 'ERR_LOGIN_ID_TOKEN_CLAIM', {
        hint,
      });
    default:
      return new AuthError('the ID token is not a valid signed JWT', 'ERR_LOGIN_ID_TOKEN_INVALID', {
        hint,
        cause: err,
      });
  }
}
