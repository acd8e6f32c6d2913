import type { Finding, Grade, Severity } from '../findings.js';
import type { HeaderLines } from '../headers.js';

/**
 * `apikit audit`: the facts gathered about one endpoint (by src/probes/audit.ts over the network, or read from a
 * saved response by ./input.ts), the rules that judge them (./rules/*.ts, pure), and the report. API-aware: a JSON
 * API is judged by what matters to an API (OWASP REST Security and Secure Headers projects), an HTML page by what
 * matters to a page; the Mozilla Observatory-equivalent score (./observatory.ts) is shown beside apikit's own.
 */

/** `--target`: which rule set. `auto` decides from the response's Content-Type (text/html → html, else api). */
export const AUDIT_TARGETS = ['auto', 'api', 'html'] as const;
export type AuditTarget = (typeof AUDIT_TARGETS)[number];
export type AuditKind = Exclude<AuditTarget, 'auto'>;

/** One response as the rules see it. */
export interface AuditResponse {
  /** The URL requested (never with credentials in it). */
  url: string;
  method: string;
  status: number;
  /** Every field line as received, names lower-case; Set-Cookie lines kept whole (values redacted only on output). */
  headers: HeaderLines;
  /** The start of the body as UTF-8 text (at most BODY_SAMPLE_BYTES), for the problem+json and Content-Type checks. */
  body?: string;
  /** The body's length in bytes as received (may exceed the sample). */
  bodyBytes?: number;
}

/** The body is read this far, no further: enough to tell JSON from HTML and read a problem document. */
export const BODY_SAMPLE_BYTES = 64 * 1024;

/** The plain-http twin of an https URL, asked to see whether it redirects to https. */
export interface RedirectFacts {
  /** The http:// URL requested. */
  url: string;
  /** Absent when the request failed (connection refused, timeout): `error` says how. */
  status?: number;
  /** The Location, resolved against `url`. */
  location?: string;
  error?: string;
}

export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

export interface TlsProtocolResult {
  version: TlsVersion;
  /** The server completed a handshake offering only this version. */
  accepted: boolean;
  /** The negotiated cipher when accepted (`TLS_AES_256_GCM_SHA384`). */
  cipher?: string;
  /** Why not, one line, when refused (`alert protocol version`, `timed out`). */
  error?: string;
}

export interface TlsCertificate {
  subject: string;
  issuer: string;
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
  /** DNS and IP subjectAltNames. */
  subjectAltNames: string[];
  /** SHA-256 fingerprint, `AB:CD:…`. */
  fingerprint256: string;
  selfSigned: boolean;
}

export interface TlsFacts {
  host: string;
  port: number;
  /** Every version tried, oldest first. */
  protocols: TlsProtocolResult[];
  /** The chain verified against the trust store (the system's, plus --ca) and the host name matched. */
  authorized: boolean;
  /** OpenSSL's reason when not authorized (`CERT_HAS_EXPIRED`, `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, …). */
  authorizationError?: string;
  /** Leaf first, as the server sent it; empty when no handshake succeeded. */
  chain: TlsCertificate[];
}

/** The quick CORS check: one preflight from a foreign origin, plus the main response's own CORS headers. */
export interface CorsQuickFacts {
  /** The foreign origin sent (`https://apikit-audit.invalid`): no one's, so an allow-list cannot contain it. */
  origin: string;
  /** The OPTIONS preflight's response; absent offline or when it failed (`error`). */
  preflight?: AuditResponse;
  error?: string;
}

/** Everything the rules judge. Live runs fill all of it; `--headers` fills `response` only. */
export interface AuditFacts {
  /** The URL audited (for --headers: the request line's or HAR entry's URL, else `file:` + the path). */
  url: string;
  source: 'live' | 'offline';
  /** The request carried a credential (--bearer-env, --api-key-env, --basic-env, --profile, or -H Authorization). */
  authenticated: boolean;
  /** --assume-https: a loopback http target is judged as if served over https, without transport findings. */
  assumeHttps: boolean;
  response: AuditResponse;
  /** Only for an https URL (live): absent otherwise. */
  redirect?: RedirectFacts;
  tls?: TlsFacts;
  cors?: CorsQuickFacts;
  /** Requests sent (0 offline); TLS handshakes are not requests. */
  requests: number;
}

/** What each rule gets: the facts, the kind decided from --target, and the clock. */
export interface RuleContext {
  facts: AuditFacts;
  kind: AuditKind;
  /** Epoch ms: certificate expiry and Sunset dates are judged against it. */
  now: number;
}

/** Where a finding belongs, for grouping in the report and SARIF. */
export const AUDIT_CATEGORIES = [
  'transport',
  'headers',
  'content',
  'cookies',
  'cors',
  'disclosure',
  'versioning',
] as const;
export type AuditCategory = (typeof AUDIT_CATEGORIES)[number];

/**
 * One check a rule can report, documented once: the README's table of checks, the SARIF rule descriptors and the
 * findings are all made from these. `points` is what the finding costs (negative) on the 100-point scale; 0 for
 * info-only facts.
 */
export interface CheckSpec {
  /** Stable and dotted: `audit.hsts.missing`. Never renamed once released. */
  id: string;
  category: AuditCategory;
  severity: Severity;
  points: number;
  /** The rule sets the check is part of. */
  kinds: readonly AuditKind[];
  /** One line, what is wrong (`HSTS max-age is under six months`), for tables and SARIF shortDescription. */
  title: string;
  /** One line, what to do. */
  advice: string;
  /** Where the requirement comes from (`RFC 6797 §6.1.1`, `OWASP REST Security Cheat Sheet`). */
  reference: string;
}

export interface AuditFinding extends Finding {
  /** The CheckSpec's points unless the rule scaled them (never more negative than the spec says). */
  points: number;
  /** The response header the finding is about, lower-case; absent for TLS, redirect and body findings. */
  header?: string;
  category: AuditCategory;
}

/** A rule: the checks it can report, and the function that reports them. */
export interface AuditRule {
  name: string;
  checks: readonly CheckSpec[];
  run(ctx: RuleContext): AuditFinding[];
}

/** One Mozilla Observatory test as apikit computes it from the same facts. */
export interface ObservatoryTest {
  /** Observatory's test name (`strict-transport-security`). */
  name: string;
  /** Observatory's result identifier (`hsts-implemented-max-age-at-least-six-months`). */
  result: string;
  /** Observatory's score modifier for that result. */
  modifier: number;
  /** Whether Observatory counts the test as passed. */
  pass: boolean;
}

export interface ObservatoryScore {
  score: number;
  grade: Grade;
  /** The tests both share (those that need an HTML page's subresources are left out and listed in the README). */
  tests: ObservatoryTest[];
  /** Observatory tests not scored for these facts, and why (`subresource-integrity`: needs the page's scripts). */
  leftOut: { name: string; reason: string }[];
}

/** The `--json` document (exactly), with `outcome` added by the command beside it, not in it. */
export interface AuditReport {
  url: string;
  method: string;
  status: number;
  source: 'live' | 'offline';
  target: AuditTarget;
  kind: AuditKind;
  /** 100 plus the sum of the findings' points, clamped to 0…100. */
  score: number;
  grade: Grade;
  observatory: ObservatoryScore;
  /** Worst first (sortFindings). */
  findings: AuditFinding[];
  counts: Record<Severity, number>;
  /** The response's headers as received, except cookie values (redacted: they may be session secrets). */
  headers: HeaderLines;
  tls: TlsFacts | null;
  redirect: RedirectFacts | null;
  cors: { origin: string; preflightStatus: number | null; error: string | null } | null;
  requests: number;
  assumeHttps: boolean;
  authenticated: boolean;
}
