import type { Context } from '../context.js';
import { AuthError } from '../errors.js';
import { expiryOf } from '../lib/oauth/token-lifetime.js';
import { terminalSafe } from '../lib/text/terminal-safe.js';
import type { TokenResponse } from '../oauth/token-endpoint.js';
import type { ProfileTokens } from './profile.js';

/**
 * Turns a token response into what a profile stores. Only Bearer tokens are usable by apikit's HTTP commands
 * (DPoP would need a proof per request), so anything else is refused before it is stored.
 */
export async function tokensFromResponse(
  ctx: Context,
  res: TokenResponse,
  previous?: ProfileTokens,
): Promise<ProfileTokens> {
  if (res.token_type.toLowerCase() !== 'bearer') {
    throw new AuthError(
      `the server issued a "${terminalSafe(res.token_type, 40)}" token; apikit can only use Bearer tokens`,
      'ERR_TOKEN_TYPE',
    );
  }
  const now = ctx.clock.now();
  return {
    accessToken: res.access_token,
    tokenType: 'Bearer',
    // RFC 6749 §6: a server that does not rotate keeps the old refresh token valid.
    refreshToken: res.refresh_token ?? previous?.refreshToken,
    // Only an ID token that was validated is kept: login validates it before calling this; an ID token in a
    // refresh response (OIDC Core §12.2) is not validated by apikit, so the login's one stays.
    idToken: previous ? previous.idToken : res.id_token,
    expiresAt: expiryOf(
      now,
      res.expires_in,
      res.expires_in === undefined ? await jwtExp(res.access_token) : undefined,
    ),
    scope: res.scope ?? previous?.scope,
    obtainedAt: now,
  };
}

/**
 * One claim of a JWT access token, unverified — never a trust decision: `exp` only schedules a refresh, `sub` is a
 * display name for client-credential or ID-token-less profiles. Undefined when the token is not a JWT.
 */
async function unverifiedClaim(token: string, name: 'exp' | 'sub'): Promise<unknown> {
  if (token.split('.').length !== 3) return undefined;
  try {
    const { decodeJwt } = await import('jose/jwt/decode');
    return decodeJwt(token)[name];
  } catch {
    return undefined;
  }
}

async function jwtExp(token: string): Promise<number | undefined> {
  const exp = await unverifiedClaim(token, 'exp');
  return typeof exp === 'number' ? exp : undefined;
}

export async function jwtSubject(token: string): Promise<string | undefined> {
  const sub = await unverifiedClaim(token, 'sub');
  return typeof sub === 'string' ? sub : undefined;
}
