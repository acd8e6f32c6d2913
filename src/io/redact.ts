/**
 * Redaction, in three strengths for three kinds of text:
 *
 * - `message(text)` — apikit's own messages (notices, warnings, error lines, the --json error document). They mix
 *   fixed wording and ids ("the HMAC secret is 6 bytes", "[expired]") with values, so nothing is replaced that
 *   could be a word: only registered secrets of at least LONG_SECRET characters (tokens, keys — a collision with
 *   fixed wording is impossible) and shapes no word has (a JWT, a PEM private key). A short secret is never
 *   substituted into fixed text; apikit never interpolates a secret into a message in the first place, and text
 *   from outside apikit goes through `redact` before it is put into one.
 * - `redact(text)` — text that came from outside apikit (a server's error_description, a response body line):
 *   every registered value wherever it appears, and anything shaped like a credential. Nothing of apikit's own
 *   wording is in such text, so substring replacement corrupts nothing.
 * - exact values — the --verbose trace (src/http/trace.ts) redacts header values, form and query parameters and
 *   JSON fields by name (SECRET_HEADERS, SECRET_FIELDS) and registered secrets as whole values (`isSecret`),
 *   never by substring over whole lines.
 */
export const REDACTED = '[REDACTED]';

/**
 * Registered values at least this long are removed from messages wherever they appear. Tokens, keys, assertions
 * and real client secrets are longer; below it a value could be an ordinary word ("secret", "expired").
 */
export const LONG_SECRET = 16;

/**
 * The one list of fields whose values are secrets — OAuth parameters in forms, queries and JSON bodies. The
 * token endpoint registers the values of these fields in what it sends and receives; the trace redacts them by
 * name.
 */
export const SECRET_FIELDS: readonly string[] = [
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'code_verifier',
  'client_secret',
  'client_assertion',
  'assertion',
  'device_code',
  'password',
  'token',
  'subject_token',
  'actor_token',
  'state',
  'nonce',
];

/** The one list of header names whose values are credentials (lower case). */
export const SECRET_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'dpop',
];

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.includes(name.toLowerCase());
}

/** A form, query or JSON field whose value is a secret: an OAuth secret parameter or a credential header's name. */
export function isSecretField(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_FIELDS.includes(lower) || SECRET_HEADERS.includes(lower);
}

const PARAM_RE = new RegExp(`(^|[?&\\s])(${SECRET_FIELDS.join('|')})=([^&\\s"]+)`, 'g');
const JSON_RE = new RegExp(`("(?:${SECRET_FIELDS.join('|')})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'g');
const HEADER_RE = new RegExp(`^(\\s*[<>]?\\s*(?:${SECRET_HEADERS.join('|')})\\s*:\\s*)(.*)$`, 'gim');
/** An auth scheme and its credential ("Bearer abc…"): kept for the scheme, the credential removed. */
const SCHEME_RE = /\b(Bearer|Basic|DPoP|Token)\s+[A-Za-z0-9._~+/=-]{8,}/g;
// Three base64url segments, the first two starting like a JSON object ("eyJ"): a JWS or the head of a JWE.
const JWT_RE =
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?/g;
// PEM private key blocks.
const PEM_RE = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;

export class Redactor {
  readonly #values = new Set<string>();
  /** Registered values, longest first (so that a secret containing another is removed whole); built lazily. */
  #sorted: { all: string[]; long: string[] } | undefined;

  /** Registers a secret value so that it never appears in redacted text. Short values are ignored (noise). */
  add(value: string | undefined | null): void {
    if (!value || value.length < 4) return;
    this.#sorted = undefined;
    this.#values.add(value);
    let encoded: string;
    try {
      encoded = encodeURIComponent(value);
    } catch {
      return; // a lone surrogate has no URL encoding, so it cannot appear encoded either
    }
    if (encoded !== value) this.#values.add(encoded);
    const form = new URLSearchParams({ v: value }).toString().slice(2);
    if (form !== value) this.#values.add(form);
  }

  /**
   * Whether a header carries a credential (SECRET_HEADERS). A method as well as a function so that code loaded
   * lazily asks the redactor it was handed instead of importing this module (it stays in the core chunk).
   */
  isSecretHeader(name: string): boolean {
    return isSecretHeader(name);
  }

  /** Whether a form, query or JSON field of this name carries a secret (SECRET_FIELDS, SECRET_HEADERS). */
  isSecretField(name: string): boolean {
    return isSecretField(name);
  }

  /** Whether `value` as a whole is a registered secret (or the URL or form encoding of one). */
  isSecret(value: string): boolean {
    return this.#values.has(value);
  }

  /** Registers the values of every secret field (SECRET_FIELDS) present in a form or JSON object. */
  addSecretFields(fields: URLSearchParams | Record<string, unknown>): void {
    for (const name of SECRET_FIELDS) {
      const values = fields instanceof URLSearchParams ? fields.getAll(name) : [fields[name]];
      for (const value of values) if (typeof value === 'string') this.add(value);
    }
  }

  /**
   * For apikit's own messages: long registered secrets (LONG_SECRET) and credential shapes no word has (JWTs,
   * PEM private keys). Never rewrites ids or fixed wording, however short a registered secret is.
   */
  message(text: string): string {
    return removeShapes(replaceAll(text, this.#lists().long));
  }

  /**
   * For text from outside apikit (a server's words, a body line): every registered secret wherever it appears,
   * and anything shaped like a credential — the value-level check for untrusted text before it goes into a
   * message, and for trace text that has no structure to go by.
   */
  redact(text: string): string {
    let out = removeShapes(replaceAll(text, this.#lists().all));
    out = out.replace(HEADER_RE, (_m, head: string, value: string) => {
      const scheme = /^(Bearer|Basic|DPoP|Token)\s/i.exec(value);
      return `${head}${scheme ? scheme[0] : ''}${REDACTED}`;
    });
    out = out.replace(SCHEME_RE, (_m, scheme: string) => `${scheme} ${REDACTED}`);
    out = out.replace(PARAM_RE, (_m, lead: string, name: string) => `${lead}${name}=${REDACTED}`);
    out = out.replace(JSON_RE, (_m, head: string) => `${head}"${REDACTED}"`);
    return out;
  }

  /**
   * A value apikit sends or a protocol value (a header value, a form or query parameter): [REDACTED] if it is a
   * registered secret as a whole, else `message` plus an auth scheme's credential ("Bearer abc…"). For the trace
   * (src/http/trace.ts), which asks these methods rather than importing this module, so that the module stays in the
   * core bundle chunk instead of becoming a chunk of its own that every command loads.
   */
  value(text: string): string {
    if (this.#values.has(text)) return REDACTED;
    return this.message(text).replace(SCHEME_RE, (_m, scheme: string) => `${scheme} ${REDACTED}`);
  }

  /** What stands in for a secret: "[REDACTED]". */
  get placeholder(): string {
    return REDACTED;
  }

  #lists(): { all: string[]; long: string[] } {
    if (!this.#sorted) {
      const all = [...this.#values].sort((a, b) => b.length - a.length);
      this.#sorted = { all, long: all.filter((v) => v.length >= LONG_SECRET) };
    }
    return this.#sorted;
  }
}

function replaceAll(text: string, values: readonly string[]): string {
  let out = text;
  for (const value of values) if (out.includes(value)) out = out.split(value).join(REDACTED);
  return out;
}

function removeShapes(text: string): string {
  return text
    .replace(PEM_RE, `-----BEGIN PRIVATE KEY-----${REDACTED}-----END PRIVATE KEY-----`)
    .replace(JWT_RE, REDACTED);
}
