import type { ConfigStore } from '../config/store.js';
import type { Env } from '../context.js';
import { InputError, UsageError } from '../errors.js';
import type { ClientAuthMethod } from '../lib/oauth/client-auth.js';
import { storedProfilesProblem } from './profile-shape.js';

/**
 * A login profile as stored in the config file (config.json → { profiles: { NAME: Profile } }).
 * Tokens live only here (0600 file, 0700 dir). Secrets that authenticate a confidential client are NEVER stored:
 * only where to find them again (an env var name or a file path).
 */
export type GrantKind = 'authorization_code' | 'device_code' | 'client_credentials';

export interface ClientAuthConfig {
  /** 'none' for a public login client; a client-credentials profile has a confidential method. */
  method: ClientAuthMethod;
  /** Name of the env var holding the client secret (never its value). */
  secretEnv?: string;
  /** Path of a file holding the client secret. */
  secretFile?: string;
  /** Path of the private key for private_key_jwt. */
  privateKeyFile?: string;
  /** Audience override for client assertions. */
  assertionAud?: string;
}

export interface ProfileTokens {
  accessToken: string;
  tokenType: string;
  refreshToken?: string;
  idToken?: string;
  /** Epoch milliseconds; undefined when the server gave no expires_in. */
  expiresAt?: number;
  scope?: string;
  /** Epoch milliseconds when these tokens were obtained. */
  obtainedAt: number;
}

export interface Profile {
  name: string;
  grant: GrantKind;
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint: string;
  revocationEndpoint?: string;
  deviceAuthorizationEndpoint?: string;
  jwksUri?: string;
  /**
   * `iss` of the validated ID token of a login without --issuer (checked against --jwks-uri): as the token says
   * it, compared with nothing. Informational only; never used as the issuer.
   */
  idTokenIssuer?: string;
  clientId: string;
  clientAuth?: ClientAuthConfig;
  scope?: string;
  resource?: string[];
  audience?: string;
  /** Extra authorization/token parameters given with --param. */
  params?: Record<string, string>;
  /** `sub` of the ID token (or of the access token when it is a JWT). */
  subject?: string;
  tokens?: ProfileTokens;
  createdAt: number;
  updatedAt: number;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** --profile, else $APIKIT_PROFILE, else "default" (an empty $APIKIT_PROFILE is unset, as for any variable). */
export function resolveProfileName(flag: string | undefined, env: Env): string {
  const name = flag ?? (env.APIKIT_PROFILE || 'default');
  if (!NAME_RE.test(name)) {
    throw new UsageError(
      `invalid profile name "${name.slice(0, 70)}": use letters, digits, ".", "_" and "-" (at most 64)`,
      'ERR_PROFILE_NAME',
    );
  }
  return name;
}

/**
 * THE answer for a profile name that is not stored, in every verb (README, exit codes): a name that does not
 * exist is bad input (exit 2) — a typo, or a profile never created — while a profile that exists without a usable
 * session is "authentication needed" (exit 4, src/profiles/access-token.ts).
 */
export function profileNotFound(name: string, options: { quiet?: boolean } = {}): InputError {
  return new InputError(`there is no profile "${name}"`, 'ERR_PROFILE_NOT_FOUND', {
    hint: 'apikit profiles list',
    ...options,
  });
}

/** The stored profiles, shape-checked (src/profiles/profile-shape.ts): a damaged file is exit 2, never overwritten. */
function profilesOf(store: ConfigStore, data: Record<string, unknown>): Record<string, Profile> {
  const problem = storedProfilesProblem(data);
  if (problem !== undefined) throw store.invalid(problem);
  return (data.profiles ?? {}) as Record<string, Profile>;
}

export function getProfile(store: ConfigStore, name: string): Profile | undefined {
  return profilesOf(store, store.read())[name];
}

export function listProfiles(store: ConfigStore): Profile[] {
  return Object.values(profilesOf(store, store.read())).sort((a, b) => a.name.localeCompare(b.name));
}

/** Writes (creates or replaces) a profile under the config lock. */
export async function saveProfile(store: ConfigStore, profile: Profile): Promise<void> {
  await store.update((data) => {
    data.profiles = { ...profilesOf(store, data), [profile.name]: profile };
  });
}

/**
 * Writes the profile `build` makes from the stored one of that name (undefined when there is none), under the
 * config lock with the file re-read inside it; returns what was written.
 */
export async function putProfile(
  store: ConfigStore,
  name: string,
  build: (previous: Profile | undefined) => Profile,
): Promise<Profile> {
  return store.update((data) => {
    const all = profilesOf(store, data);
    const next = build(all[name]);
    data.profiles = { ...all, [name]: next };
    return next;
  });
}

/** Applies `fn` to the stored profile under the lock (re-read inside it); returns the updated profile. */
export async function updateProfile(
  store: ConfigStore,
  name: string,
  fn: (profile: Profile) => Profile,
): Promise<Profile | undefined> {
  return store.update((data) => {
    const all = profilesOf(store, data);
    const current = all[name];
    if (!current) return undefined;
    const next = fn(current);
    data.profiles = { ...all, [name]: next };
    return next;
  });
}

export async function removeProfile(store: ConfigStore, name: string): Promise<boolean> {
  return store.update((data) => {
    const all = profilesOf(store, data);
    if (!(name in all)) return false;
    const { [name]: _removed, ...rest } = all;
    data.profiles = rest;
    return true;
  });
}
