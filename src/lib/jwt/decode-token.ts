import { InputError } from '../../errors.js';
import { terminalSafe } from '../text/terminal-safe.js';
import { decodeJws, decodeSegment, type DecodedJws } from './parse.js';
import { isTokenFormatError, TokenFormatError, tokenShape } from './token-text.js';

/**
 * The decoding step of `apikit jwt decode` and the library's decodeJwt: a compact JWS taken apart WITHOUT
 * verifying it, or an InputError with the code the CLI exits with. Verification (src/lib/jwt/verify.ts) turns the
 * same failures into verdicts instead.
 */
export interface DecodeTokenOptions {
  /**
   * Whether the errors suggest the CLI's next step (`--max-size`, decrypting first); the default. The library turns
   * it off: its caller has no flag to raise.
   */
  hints?: boolean;
}

const FORMAT_CODES: Record<TokenFormatError['code'], string> = {
  malformed: 'ERR_JWT_MALFORMED',
  too_large: 'ERR_JWT_TOO_LARGE',
  jwe_not_supported: 'ERR_JWT_JWE',
  json_serialization_not_supported: 'ERR_JWT_JSON_SERIALIZATION',
};

/** Decodes `token` (already extracted from `Bearer …` or a header line) if it is a compact JWS of at most `maxBytes`. */
export function decodeToken(token: string, maxBytes: number, options: DecodeTokenOptions = {}): DecodedJws {
  const hints = options.hints !== false;
  try {
    const shape = tokenShape(token, maxBytes);
    if (shape.kind === 'jwe') throw jweError(shape.parts[0]!, hints);
    if (shape.kind !== 'jws') throw new TokenFormatError('not a compact JWS', 'malformed');
    return decodeJws(shape.parts);
  } catch (err) {
    if (isTokenFormatError(err)) throw formatError(err, hints);
    throw err;
  }
}

function formatError(err: TokenFormatError, hints: boolean): InputError {
  const hint = hints && err.code === 'too_large' ? 'raise the limit with --max-size BYTES' : undefined;
  // The message may quote the token (a duplicate member's name): sanitised for the error line.
  return new InputError(
    `cannot decode token: ${terminalSafe(err.message)}`,
    FORMAT_CODES[err.code],
    hint ? { hint } : {},
  );
}

/** A 5-part token is a JWE (RFC 7516 §7.1): say what it is, and what it is encrypted with when readable. */
function jweError(protectedHeader: string, hints: boolean): InputError {
  let detail = '';
  try {
    const h = decodeSegment(protectedHeader, 'header');
    detail = terminalSafe(`; alg ${JSON.stringify(h.alg)}, enc ${JSON.stringify(h.enc)}`, 120);
  } catch {
    // The header is unreadable too; the part count alone identifies it.
  }
  return new InputError(
    `cannot decode token: it is a JWE (5 parts, encrypted${detail}); its claims can only be read with the decryption key`,
    'ERR_JWT_JWE',
    hints
      ? { hint: "decrypt it with the recipient's key first; apikit jwt decode reads signed JWTs (JWS)" }
      : {},
  );
}
