import { loadKeys, type KeySet } from '../lib/keys/load.js';
import type { KeyInput } from './types.js';

/**
 * Turns a library caller's key (text, bytes or a parsed JWK/JWKS) into the bytes the one key loader reads, so
 * that a key given to the library is read exactly as the same key in a file given to the CLI. `source` names it
 * in messages ("key", "keys[1]"). Internal: not part of the public API.
 */
export function readKeyInput(input: KeyInput, source: string, passphrase?: string): KeySet {
  const bytes =
    typeof input === 'string'
      ? Buffer.from(input, 'utf8')
      : input instanceof Uint8Array
        ? input
        : Buffer.from(JSON.stringify(input), 'utf8');
  // No "try: apikit keys inspect FILE" hint: a library caller has no file to inspect.
  return loadKeys(bytes, source, {
    inspectHint: false,
    ...(passphrase === undefined ? {} : { passphrase }),
  });
}

/** Epoch milliseconds from a number, a Date or the clock. */
export function instantMs(value: number | Date | undefined, fallback: () => number): number {
  if (value === undefined) return fallback();
  return typeof value === 'number' ? value : value.getTime();
}
