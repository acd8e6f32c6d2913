import { isExpired } from '../lib/oauth/token-lifetime.js';
import { formatInstant, formatRelative } from '../lib/time/duration.js';
import type { Profile } from './profile.js';

/**
 * What apikit shows about a profile — never a token. Field names are stable (`--json` of login, profiles
 * list/show).
 */
export interface ProfileSummary {
  name: string;
  grant: Profile['grant'];
  issuer: string | null;
  clientId: string;
  subject: string | null;
  scope: string | null;
  resource: string[];
  audience: string | null;
  /** Whether tokens are stored. */
  loggedIn: boolean;
  /** ISO 8601; null when unknown or logged out. */
  expiresAt: string | null;
  /** Seconds left (negative when expired); null when unknown. */
  expiresIn: number | null;
  expired: boolean;
  /** A refresh token is stored (or the profile can fetch client-credentials tokens by itself). */
  refreshable: boolean;
  obtainedAt: string | null;
  tokenEndpoint: string;
}

export function summarize(p: Profile, now: number): ProfileSummary {
  const t = p.tokens;
  return {
    name: p.name,
    grant: p.grant,
    issuer: p.issuer ?? null,
    clientId: p.clientId,
    subject: p.subject ?? null,
    scope: t?.scope ?? p.scope ?? null,
    resource: p.resource ?? [],
    audience: p.audience ?? null,
    loggedIn: t !== undefined,
    expiresAt: t?.expiresAt !== undefined ? formatInstant(t.expiresAt) : null,
    expiresIn: t?.expiresAt !== undefined ? Math.floor((t.expiresAt - now) / 1000) : null,
    expired: t !== undefined && isExpired(t, now),
    refreshable: p.grant === 'client_credentials' || t?.refreshToken !== undefined,
    obtainedAt: t ? formatInstant(t.obtainedAt) : null,
    tokenEndpoint: p.tokenEndpoint,
  };
}

/** One line for people: "valid, expires in 4m, refreshable", "expired 2h ago", "logged out". */
export function statusText(p: ProfileSummary, now: number): string {
  if (!p.loggedIn) return 'logged out';
  const refresh = p.refreshable ? ', refreshable' : '';
  if (p.expiresAt === null) return `logged in (expiry unknown${refresh})`;
  const when = formatRelative(Date.parse(p.expiresAt), now);
  return p.expired ? `expired ${when}${refresh}` : `valid, expires ${when}${refresh}`;
}
