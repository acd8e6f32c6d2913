import type { JsonWebKey } from 'node:crypto';
import { calculateJwkThumbprint, calculateJwkThumbprintUri } from 'jose/jwk/thumbprint';
import type { JWK } from 'jose';

/** RFC 7638 SHA-256 thumbprint (the default kid) and its RFC 9278 URI form, computed by jose. */
export async function thumbprint(jwk: JsonWebKey): Promise<{ thumbprint: string; uri: string }> {
  const j = jwk as JWK;
  const [tp, uri] = await Promise.all([
    calculateJwkThumbprint(j, 'sha256'),
    calculateJwkThumbprintUri(j, 'sha256'),
  ]);
  return { thumbprint: tp, uri };
}
