import type { ConfigStore } from '../config/store.js';
import { putProfile, updateProfile, type Profile, type ProfileTokens } from './profile.js';
import { summarize, type ProfileSummary } from './summary.js';
import { jwtSubject } from './tokens.js';

/**
 * The profiles of interactive logins: what `apikit login` stores once every check of the token response has
 * passed, and what `apikit logout` forgets. Only the session (tokens, subject) is dropped on logout: the profile
 * keeps its issuer (or endpoints), client, scope, resource, audience and params, so `apikit login --profile NAME`
 * logs in again with them (src/commands/login/options.ts).
 */
export type LoginProfileInput = Omit<
  Profile,
  'grant' | 'clientAuth' | 'resource' | 'params' | 'tokens' | 'createdAt' | 'updatedAt'
> & {
  grant: 'authorization_code' | 'device_code';
  resource: string[];
  params: Record<string, string>;
  /** `sub` of the validated ID token; without one, the access token's (when it is a JWT) is shown instead. */
  subject?: string;
  tokens: ProfileTokens;
};

/** The stored form of a login: empty lists and maps are left out; a re-login keeps the profile's createdAt. */
export function buildLoginProfile(
  input: LoginProfileInput,
  previous: Profile | undefined,
  now: number,
): Profile {
  return {
    name: input.name,
    grant: input.grant,
    issuer: input.issuer,
    authorizationEndpoint: input.authorizationEndpoint,
    tokenEndpoint: input.tokenEndpoint,
    revocationEndpoint: input.revocationEndpoint,
    deviceAuthorizationEndpoint: input.deviceAuthorizationEndpoint,
    jwksUri: input.jwksUri,
    idTokenIssuer: input.idTokenIssuer,
    clientId: input.clientId,
    scope: input.scope,
    resource: input.resource.length > 0 ? input.resource : undefined,
    audience: input.audience,
    params: Object.keys(input.params).length > 0 ? input.params : undefined,
    subject: input.subject,
    tokens: input.tokens,
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  };
}

/** Stores (creates or replaces) a login profile under the config lock; returns what apikit shows about it. */
export async function saveLoginProfile(
  store: ConfigStore,
  input: LoginProfileInput,
  now: number,
): Promise<ProfileSummary> {
  const subject = input.subject ?? (await jwtSubject(input.tokens.accessToken));
  const profile = await putProfile(store, input.name, (previous) =>
    buildLoginProfile({ ...input, subject }, previous, now),
  );
  return summarize(profile, now);
}

/**
 * Forgets a profile's session — its tokens, subject and ID token's iss — under the config lock; the rest of the
 * profile stays.
 * Returns the updated profile, or undefined when there is no such profile (any more).
 */
export async function forgetTokens(
  store: ConfigStore,
  name: string,
  now: number,
): Promise<Profile | undefined> {
  return updateProfile(store, name, (p) => {
    const { tokens: _dropped, subject: _subject, idTokenIssuer: _iss, ...rest } = p;
    return { ...rest, updatedAt: now };
  });
}
