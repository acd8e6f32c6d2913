import { HMAC_MIN_BYTES } from '../keys/algorithms.js';
import type { JwtWarning } from './lint.js';
import { isWeakSecret } from './weak-secrets.js';

/**
 * What `jwt verify` (and the library's verifier) says about an HMAC secret it verifies with. A weak secret (on the
 * well-known list) and a short one (under the HS256 output, RFC 7518 §3.2) are two facts; a secret may be both.
 * They are warnings: verification goes ahead. The messages name where the secret came from (`what`: `key "k.txt"`, `secret in $S`), never the secret itself.
 */
export function verifyingSecretWarnings(text: string, what: string): JwtWarning[] {
  const warnings: JwtWarning[] = [];
  if (isWeakSecret(text)) {
    warnings.push({
      id: 'weak_secret',
      message: `${what} is on the list of well-known HMAC secrets: anyone can forge tokens with it`,
    });
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  const min = HMAC_MIN_BYTES.HS256;
  if (bytes < min) {
    warnings.push({
      id: 'short_secret',
      message: `${what} is ${bytes} bytes, under the ${min} of the HS256 output (RFC 7518 §3.2)`,
    });
  }
  return warnings;
}
