/**
 * The one redaction function. Every trace and log line goes through `Redactor.redact`: it removes the exact
 * values registered as secrets (and their URL/form-encoded forms) and, as a second net, anything shaped like a
 * credential — Authorization/Cookie values, JWTs, and OAuth parameters that carry secrets.
 */
export const REDACTED = '[REDACTED]';

/**
 * The one list of fields whose values are secrets — OAuth parameters in forms, queries and JSON bodies. The
 * token endpoint registers the values of these fields in what it sends and receives; the second-net patterns
 * below blank them wherever they appear.
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

const PARAM_RE = new RegExp(`(^|[?&\\s])(${SECRET_FIELDS.join('|')})=([^&\\s"]+)`, 'g');
const JSON_RE = new RegExp(`("(?:${SECRET_FIELDS.join('|')})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'g');
const HEADER_RE = new RegExp(`^(\\s*[<>]?\\s*(?:${SECRET_HEADERS.join('|')})\\s*:\\s*)(.*)$`, 'gim');
const SCHEME_RE = /\b(Bearer|Basic|DPoP|Token)\s+[A-Za-z0-9._~+/=-]{8,}/g;
// Three base64url segments, the first two starting like a JSON object ("eyJ"): a JWS or the head of a JWE.
const JWT_RE =
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?/g;
// PEM private key blocks.
const PEM_RE = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;

export class Redactor {
  readonly #values = new Set<string>();

  /** Registers a secret value so that it never appears in redacted text. Short values are ignored (noise). */
  add(value: string | undefined | null): void {
    if (!value || value.length < 4) return;
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

  /** Registers the values of every secret field (SECRET_FIELDS) present in a form or JSON object. */
  addSecretFields(fields: URLSearchParams | Record<string, unknown>): void {
    for (const name of SECRET_FIELDS) {
      const values = fields instanceof URLSearchParams ? fields.getAll(name) : [fields[name]];
      for (const value of values) if (typeof value === 'string') this.add(value);
    }
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so that a secret containing another is removed whole.
    for (const value of [...this.#values].sort((a, b) => b.length - a.length)) {
      if (out.includes(value)) out = out.split(value).join(REDACTED);
    }
    out = out.replace(PEM_RE, `-----BEGIN PRIVATE KEY-----${REDACTED}-----END PRIVATE KEY-----`);
    out = out.replace(HEADER_RE, (_m, head: string, value: string) => {
      const scheme = /^(Bearer|Basic|DPoP|Token)\s/i.exec(value);
      return `${head}${scheme ? scheme[0] : ''}${REDACTED}`;
    });
    out = out.replace(SCHEME_RE, (_m, scheme: string) => `${scheme} ${REDACTED}`);
    out = out.replace(JWT_RE, REDACTED);
    out = out.replace(PARAM_RE, (_m, lead: string, name: string) => `${lead}${name}=${REDACTED}`);
    out = out.replace(JSON_RE, (_m, head: string) => `${head}"${REDACTED}"`);
    return out;
  }
}
