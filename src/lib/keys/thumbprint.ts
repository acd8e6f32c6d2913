import type { JsonWebKey } from 'node:crypto';
import { calculateJwkThumbprint, calculateJwkThumbprintUri } from 'jose/jwk/thumbprint';
import type { JWK } from 'jose';
import { InputError } from '../../errors.js';

/** RFC 7638 SHA-256 thumbprint (the default kid) and its RFC 9278 URI form, computed by jose. */
export async function thumbprint(jwk: JsonWebKey): Promise<{ thumbprint: string; uri: string }> {
  const j = jwk as JWK;
  try {
    const [tp, uri] = await Promise.all([
      calculateJwkThumbprint(j, 'sha256'),
      calculateJwkThumbprintUri(j, 'sha256'),
    ]);
    return { thumbprint: tp, uri };
  } catch (err) {
    // jose refuses JWKs it considers malformed: bad input, not a bug.
    throw new InputError(
      `cannot compute the key's thumbprint: ${(err as Error).message}`,
      'ERR_KEY_THUMBPRINT',
    );
  }
}
