import type { ConfigStore } from '../config/store.js';
import type { Context } from '../context.js';
import { AuthError, InputError } from '../errors.js';
import { isExpired, isFresh, shorterThan } from '../lib/oauth/token-lifetime.js';
import { tokenSyntaxProblem } from '../lib/oauth/token-syntax.js';
import { isOAuthError, requestToken } from '../oauth/token-endpoint.js';
import { getProfile, profileNotFound, updateProfile, type Profile, type ProfileTokens } from './profile.js';
import { tokensFromResponse } from './tokens.js';

/**
 * A usable access token for a profile, refreshed when it expires within `minTtlMs`.
 *
 * Refresh is the dangerous part: with rotating refresh tokens (RFC 9700 §4.14.2) two processes that refresh
 * with the same refresh token get the grant revoked. So a refresh happens only under the profile's
 * cross-process lock (`refresh-<profile>`), and after the lock is acquired the profile is read again: if
 * another process refreshed meanwhile, its token is used and no second refresh is made.
 */
export interface AccessTokenResult {
  profile: Profile;
  tokens: ProfileTokens;
  refreshed: boolean;
}

export const DEFAULT_MIN_TTL_MS = 60_000;

export async function getAccessToken(
  ctx: Context,
  name: string,
  minTtlMs = DEFAULT_MIN_TTL_MS,
): Promise<AccessTokenResult> {
  const store = await ctx.config();
  const before = requireSession(store, name);
  registerSecrets(ctx, before.tokens);
  if (before.tokens && isFresh(before.tokens, ctx.clock.now(), minTtlMs)) {
    return { profile: before, tokens: before.tokens, refreshed: false };
  }

  return store.withLock(`refresh-${name}`, async () => {
    const current = requireSession(store, name);
    registerSecrets(ctx, current.tokens);
    const now = ctx.clock.now();
    if (current.tokens) {
      const someoneRefreshed = current.tokens.accessToken !== before.tokens?.accessToken;
      if (isFresh(current.tokens, now, minTtlMs) || (someoneRefreshed && !isExpired(current.tokens, now))) {
        return { profile: current, tokens: current.tokens, refreshed: false };
      }
    }
    const tokens = await renew(ctx, current);
    if (shorterThan(tokens, minTtlMs)) {
      ctx.out.warn(
        `the server issues access tokens valid for ${Math.round(((tokens.expiresAt ?? 0) - tokens.obtainedAt) / 1000)}s, not more than --min-ttl; every call will refresh`,
      );
    }
    const saved = await updateProfile(store, name, (p) => ({ ...p, tokens, updatedAt: ctx.clock.now() }));
    if (!saved) throw noSession(name, `profile "${name}" was removed while its token was being refreshed`);
    return { profile: saved, tokens, refreshed: true };
  });
}

async function renew(ctx: Context, profile: Profile): Promise<ProfileTokens> {
  if (profile.grant === 'client_credentials') {
    // Built by the client-credentials feature; loaded only for such profiles.
    const { renewClientCredentialsProfile } = await import('./client-credentials.js');
    return renewClientCredentialsProfile(ctx, profile);
  }
  const refreshToken = profile.tokens?.refreshToken;
  if (!refreshToken) {
    throw noSession(
      profile.name,
      `the access token of profile "${profile.name}" has expired and there is no refresh token`,
    );
  }
  let res;
  try {
    res = await requestToken(ctx, profile.tokenEndpoint, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: profile.clientId,
      // RFC 8707 §2.2: ask for a token for the same resource(s) again.
      resource: profile.resource,
    });
  } catch (err) {
    if (isOAuthError(err) && err.error === 'invalid_grant') {
      throw new AuthError(
        `the session of profile "${profile.name}" has ended: the server rejected the refresh token (invalid_grant)`,
        'ERR_TOKEN_REFRESH_REJECTED',
        { hint: `apikit login --profile ${profile.name}` },
      );
    }
    throw err;
  }
  return tokensFromResponse(ctx, res, profile.tokens);
}

/**
 * The profile, which must exist (else exit 2: bad input) and hold a session — or be a client-credentials
 * profile, which can always get one (else exit 4: authentication needed).
 */
function requireSession(store: ConfigStore, name: string): Profile {
  const profile = getProfile(store, name);
  if (!profile) throw profileNotFound(name);
  if (!profile.tokens?.accessToken && profile.grant !== 'client_credentials') {
    throw noSession(name, `profile "${name}" is not logged in`);
  }
  if (profile.tokens) requireTokenSyntax(store, name, profile.tokens);
  return profile;
}

/**
 * Stored tokens are printed and sent as they are, so they are held to the syntax a token endpoint's answer is
 * (src/oauth/token-endpoint.ts): a config file written before that check, or edited by hand, may hold anything.
 */
function requireTokenSyntax(store: ConfigStore, name: string, tokens: ProfileTokens): void {
  const problem = tokenSyntaxProblem({
    accessToken: tokens.accessToken,
    tokenType: 'Bearer',
    refreshToken: tokens.refreshToken,
  });
  if (problem) {
    throw new InputError(
      `config file "${store.path}": profile "${name}" holds an invalid ${problem.field} (${problem.rule})`,
      'ERR_PROFILE_TOKEN_INVALID',
      { hint: `apikit login --profile ${name}` },
    );
  }
}

function noSession(name: string, message: string): AuthError {
  return new AuthError(message, 'ERR_PROFILE_NO_SESSION', { hint: `apikit login --profile ${name}` });
}

function registerSecrets(ctx: Context, tokens: ProfileTokens | undefined): void {
  if (!tokens) return;
  ctx.redactor.add(tokens.accessToken);
  ctx.redactor.add(tokens.refreshToken);
  ctx.redactor.add(tokens.idToken);
}
