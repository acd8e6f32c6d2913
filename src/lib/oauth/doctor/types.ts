/**
 * `apikit doctor`'s data: what the network part gathered (facts) and the checklist judged from them. Pure types,
 * shared by the judging modules beside this file and by src/oauth/doctor.ts, which gathers the facts.
 */

/** `skip`: the check could not run (no --client-id, or nothing trustworthy to run it against). */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** Stable ids, in checklist order: scripts key on them (`jq '.checks[] | select(.id == "pkce")'`). */
export const CHECK_IDS = [
  'discovery',
  'issuer',
  'endpoints',
  'pkce',
  'iss-parameter',
  'loopback-redirect',
  'token-auth-methods',
  'jwks',
  'refresh-tokens',
  'revocation',
  'device-authorization',
  'clock-skew',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export interface Check {
  id: CheckId;
  /** One line for people. */
  title: string;
  status: CheckStatus;
  /** What was seen, one line each; server-supplied values are already sanitised and shortened. */
  evidence: string[];
  /** What to change on the server (or in the command line), one line; null when nothing needs changing. */
  advice: string | null;
  /** Machine-readable facts of some checks (documented per id in the README). */
  details?: Record<string, unknown>;
}

/** One HTTP exchange of the doctor: an answer, or why there was none. */
export interface Answer {
  url: string;
  /** Absent when there was no complete HTTP answer (see `error`). */
  status?: number;
  contentType?: string;
  /** The `Date` header as received. */
  date?: string;
  /** This machine's clock (epoch ms) when the answer's headers arrived. */
  receivedAt?: number;
  /** The body as text (discovery: whole, within the body cap; authorization endpoint: its first bytes). */
  body?: string;
  /** `Location`, for a redirect (not followed). */
  location?: string;
  /**
   * Why there is no usable answer: a transport failure (`ERR_HTTP_TRANSPORT`), a body over the cap
   * (`ERR_HTTP_BODY_TOO_LARGE`), … — its code and message.
   */
  error?: { code: string; message: string };
}

/** The JWKS fetch: the keys array as served, or the error that stopped it. */
export interface JwksFacts {
  url: string;
  keys?: unknown[];
  error?: { code: string; message: string };
}

/** The authorization request sent without following its answer (RFC 8252 §7.3 loopback check). */
export interface AuthorizeFacts {
  /** The loopback redirect URI asked for: http://127.0.0.1:<port>/callback, as `apikit login` sends it. */
  redirectUri: string;
  state: string;
  probe: Answer;
  /**
   * The same request with a redirect URI no client has registered, sent only when the probe's answer alone does
   * not tell (a sign-in page, a redirect elsewhere): a server that answers both alike has not been shown to
   * accept the first.
   */
  control?: { redirectUri: string; answer: Answer };
}

export interface DoctorFacts {
  issuer: string;
  clientId?: string;
  /** The issuer URL is plain http on a host that is not loopback: nothing was fetched. */
  issuerInsecure?: boolean;
  /** RFC 8414 first, then OpenID Connect Discovery (both are always asked for). */
  discovery: Answer[];
  jwks?: JwksFacts;
  authorize?: AuthorizeFacts;
}
