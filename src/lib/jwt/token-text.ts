/**
 * Finding the token in what the user pasted: a bare token, `Bearer <token>`, a whole `Authorization:` header
 * line, with surrounding whitespace or the trailing newline of a pipe. Pure string work, no decoding.
 */
export const DEFAULT_MAX_TOKEN_BYTES = 64 * 1024;

export type TokenShape =
  | { kind: 'jws'; parts: [string, string, string] }
  | { kind: 'jwe'; parts: string[] }
  | { kind: 'json'; text: string };

/** Thrown for input that is not a token at all; `code` is the stable verdict code. */
export class TokenFormatError extends Error {
  constructor(
    message: string,
    readonly code: 'malformed' | 'too_large' | 'jwe_not_supported' | 'json_serialization_not_supported',
  ) {
    super(message);
    this.name = 'TokenFormatError';
  }
}

const TOKEN_FORMAT_CODES: ReadonlySet<unknown> = new Set([
  'malformed',
  'too_large',
  'jwe_not_supported',
  'json_serialization_not_supported',
]);

/** Whether `err` is a TokenFormatError: told apart by name and code, not instanceof (STYLE.md habit 5). */
export function isTokenFormatError(err: unknown): err is TokenFormatError {
  return (
    err instanceof Error &&
    err.name === 'TokenFormatError' &&
    TOKEN_FORMAT_CODES.has((err as { code?: unknown }).code)
  );
}

const HEADER_LINE_RE = /^(?:proxy-)?authorization\s*:\s*/i;
const SCHEME_RE = /^(?:bearer|dpop)\s+/i;
// RFC 7515 §2: base64url without padding. `+`, `/` and `=` are the other alphabet and are refused (RFC 7515 §3.1).
const B64URL_RE = /^[A-Za-z0-9_-]*$/;

/** Strips the wrapping around one token. The result may still be malformed: see `tokenShape`. */
export function extractToken(input: string): string {
  let text = input.trim();
  text = text.replace(HEADER_LINE_RE, '');
  text = text.replace(SCHEME_RE, '');
  return text.trim();
}

/**
 * Classifies a token by its serialisation (RFC 7515 §7, RFC 7516 §7) so that an encrypted or JSON-serialised
 * token gets a message saying what it is, rather than a base64 error.
 */
export function tokenShape(token: string, maxBytes = DEFAULT_MAX_TOKEN_BYTES): TokenShape {
  const size = Buffer.byteLength(token, 'utf8');
  if (size > maxBytes) {
    throw new TokenFormatError(`token is ${size} bytes, over the ${maxBytes}-byte limit`, 'too_large');
  }
  if (token === '') throw new TokenFormatError('no token: the input is empty', 'malformed');
  if (token.startsWith('{')) {
    throw new TokenFormatError(
      'this is a JWS or JWE in JSON serialisation (RFC 7515 §7.2), not a compact JWT (header.payload.signature)',
      'json_serialization_not_supported',
    );
  }
  if (/\s/.test(token)) {
    throw new TokenFormatError('the input holds more than one word; expected one token', 'malformed');
  }
  const parts = token.split('.');
  if (parts.length === 5) {
    return { kind: 'jwe', parts };
  }
  if (parts.length !== 3) {
    throw new TokenFormatError(
      `a JWT has 3 dot-separated parts (header.payload.signature); this has ${parts.length}`,
      'malformed',
    );
  }
  const names = ['header', 'payload', 'signature'];
  parts.forEach((part, i) => {
    if (!B64URL_RE.test(part)) {
      const bad = /[+/=]/.test(part) ? ' (it uses "+", "/" or "=" padding: base64, not base64url)' : '';
      throw new TokenFormatError(`the ${names[i]} is not base64url${bad}`, 'malformed');
    }
  });
  if (parts[0] === '') throw new TokenFormatError('the header is empty', 'malformed');
  return { kind: 'jws', parts: parts as [string, string, string] };
}
