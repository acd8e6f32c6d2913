import { decode as b64urlDecode } from 'jose/base64url';
import { duplicateMember } from './json-members.js';
import { TokenFormatError } from './token-text.js';

/**
 * Reads the JOSE header and claims of a compact JWS (RFC 7515 §7.1) without verifying anything, naming the
 * exact problem when a part is not base64url, not UTF-8, not JSON, not an object, or repeats a member.
 * jose's base64url decoder does the decoding; the checks on top are what make the messages precise.
 */
export type JsonObject = Record<string, unknown>;

export interface DecodedJws {
  header: JsonObject;
  payload: JsonObject;
  /** The signature as it appears in the token (base64url). */
  signature: string;
  /** Signature bytes (empty for an unsigned token). */
  signatureBytes: Uint8Array;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeSegment(segment: string, name: string): JsonObject {
  let bytes: Uint8Array;
  try {
    bytes = b64urlDecode(segment);
  } catch {
    throw new TokenFormatError(`the ${name} is not valid base64url`, 'malformed');
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new TokenFormatError(`the ${name} is not UTF-8 text`, 'malformed');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TokenFormatError(`the ${name} is not JSON`, 'malformed');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
    throw new TokenFormatError(`the ${name} is JSON but ${got}, not an object`, 'malformed');
  }
  const dup = duplicateMember(text);
  if (dup !== undefined) {
    throw new TokenFormatError(
      `the ${name} has the member ${JSON.stringify(dup)} twice (RFC 7515 §5.2: rejected, parsers disagree on which wins)`,
      'malformed',
    );
  }
  return value as JsonObject;
}

export function decodeJws(parts: [string, string, string]): DecodedJws {
  const header = decodeSegment(parts[0], 'header');
  const payload = decodeSegment(parts[1], 'payload');
  let signatureBytes: Uint8Array;
  try {
    signatureBytes = b64urlDecode(parts[2]);
  } catch {
    throw new TokenFormatError('the signature is not valid base64url', 'malformed');
  }
  return { header, payload, signature: parts[2], signatureBytes };
}
