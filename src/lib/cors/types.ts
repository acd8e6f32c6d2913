import type { Finding } from '../findings.js';

/**
 * The shapes shared by CORS candidate generation (candidates.ts), the browser-rules judge (judge.ts), the allow-list
 * reconstruction (rule.ts), the findings (findings.ts), the probe (src/probes/cors.ts) and the verb
 * (src/commands/probe/cors.ts). Snake_case fields are part of `apikit probe cors --json` (README documents them).
 */

/** Why an origin is a candidate: which mistake in an allow-list it would get through. */
export const CANDIDATE_CLASSES = [
  'trusted', // a trusted origin itself (the baseline: what the server should allow)
  'arbitrary', // https://evil.example — any site
  'null', // Origin: null — a sandboxed iframe, a data: URL, a local file
  'prefix', // https://app.example.com.evil.example — a check that the origin *starts with* the trusted one
  'suffix', // https://evilexample.com, https://notapp.example.com — a check that it *ends with* it
  'unescaped-dot', // https://appxexample.com — a regex with an unescaped "."
  'special-char', // https://app.example.com_.evil.example — characters some browsers accept in hosts
  'insecure-twin', // http:// twin of a trusted https origin
  'subdomain', // https://anything.app.example.com — any subdomain of a trusted host
  'case-variant', // HTTPS://APP.EXAMPLE.COM — servers that compare case-insensitively
  'trailing-slash', // https://app.example.com/ — not an origin at all
  'other-port', // https://app.example.com:8443
  'dev-hosting', // https://evil.github.io, *.vercel.app, *.netlify.app, … — anyone can get one
] as const;
export type CandidateClass = (typeof CANDIDATE_CLASSES)[number];

/** What an attacker must control to send requests with this Origin from a victim's browser. */
export type AttackerControl =
  | 'none' // a trusted origin: no attack
  | 'any-site' // any web page (arbitrary, look-alike domains anyone can register, dev hosting)
  | 'sandboxed-page' // a page with a sandboxed iframe (null)
  | 'network' // a network attacker on the victim's path (a plain-http twin)
  | 'sibling-name' // a name under the trusted domain (a subdomain takeover, another team's host)
  | 'not-a-browser-origin'; // no browser sends it (uppercase, trailing slash): only a server-side mistake

export interface Candidate {
  /** Exactly what is sent as the Origin header. */
  origin: string;
  class: CandidateClass;
  attacker: AttackerControl;
  /** One line for people: what this candidate tests. */
  note: string;
}

/** The CORS response headers of one response, as received (null when absent; repeated fields joined by ", "). */
export interface CorsHeaders {
  acao: string | null;
  acac: string | null;
  acam: string | null;
  acah: string | null;
  aceh: string | null;
  max_age: string | null;
  vary: string | null;
  /**
   * Added for `cors.rate-limit-headers-not-exposed`: the names (lower-case, sorted) of the rate-limit headers
   * present on the response (RateLimit*, X-RateLimit-*, X-Rate-Limit-*, Retry-After); absent when there are none.
   */
  rate_limit_headers?: string[];
}

export interface CorsExchange {
  kind: 'preflight' | 'actual';
  /** The request: method, and for a preflight the Access-Control-Request-Method/-Headers sent. */
  method: string;
  request_method: string | null;
  request_headers: string[];
  /** Null when the request failed (then `error` says why). */
  status: number | null;
  headers: CorsHeaders;
  error: string | null;
}

/** What a page at the candidate origin could do, by the Fetch standard's CORS check (judge.ts). */
export interface Readability {
  /** A simple request without credentials: the response is readable. */
  simple: boolean;
  /** A simple request with credentials (cookies, HTTP auth): readable. */
  credentialed: boolean;
  /**
   * The preflighted request — the method under test with Authorization, Content-Type: application/json and
   * X-API-Key, with credentials — passes its preflight and its response is readable.
   */
  preflighted: boolean;
  /**
   * A credentialed state-changing request (DELETE with Authorization) would be SENT: its preflight passes. The
   * damage is done even when the response cannot be read. apikit never sends the DELETE itself.
   */
  state_changing_sent: boolean;
}

export interface CandidateResult extends Candidate {
  preflights: CorsExchange[];
  actual: CorsExchange | null;
  /** ACAO on the actual response echoed this origin (or was `*`). */
  allowed: boolean;
  /** ACAC: true on the actual response. */
  credentials: boolean;
  readable: Readability;
}

/** The allow-list rule the server most likely applies, reconstructed from which candidates pass. */
export const RULE_KINDS = [
  'exact', // only the trusted origins
  'reflect-any', // echoes whatever Origin it gets
  'suffix', // endsWith(trusted host)
  'prefix', // startsWith(trusted origin)
  'substring', // includes(trusted host)
  'unescaped-dot-regex', // a regex whose "." matches any character
  'any-subdomain', // *.trusted
  'wildcard', // Access-Control-Allow-Origin: *
  'null-allowed', // "null" on the list (combined with another kind in `description`)
  'no-cors', // no CORS headers for any origin
  'unknown',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export interface AllowRule {
  kind: RuleKind;
  /** Every kind that applies (e.g. ['exact', 'null-allowed']); `kind` is the most dangerous of them. */
  kinds: RuleKind[];
  /** Plain words: "reflects any Origin it is sent, with credentials". */
  description: string;
}

/** A CORS finding: the shared Finding plus the origin that triggered it (null for a server-wide one). */
export interface CorsFinding extends Finding {
  origin: string | null;
}

export interface PreflightSummary {
  /** Whether OPTIONS was answered as a preflight (2xx with CORS headers) for a trusted origin. */
  handled: boolean;
  status: number | null;
  max_age_s: number | null;
  allow_methods: string[];
  allow_headers: string[];
}

/** The result of `apikit probe cors` (the --json document; `outcome` is not part of it). */
export interface CorsReport {
  url: string;
  method: string;
  trusted_origins: string[];
  rule: AllowRule;
  findings: CorsFinding[];
  preflight: PreflightSummary;
  candidates: CandidateResult[];
  /** Candidates the probe did not get to (the budget, the deadline, Ctrl-C or a failure came first): not judged. */
  not_tested?: Candidate[];
  requests_sent: number;
  duration_ms: number;
  /** The bounds the probe ran within (--max-requests, --duration). */
  budget?: { max_requests: number; duration_ms: number };
  stopped: 'done' | 'budget' | 'deadline' | 'interrupted' | 'error';
  error: { code: string; message: string } | null;
}
