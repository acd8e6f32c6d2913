import type { Context } from '../../context.js';
import { InputError } from '../../errors.js';
import type { KeySet } from '../../lib/keys/load.js';
import { readKeyFile as readSharedKeyFile } from '../shared/key-files.js';

/** Helpers shared by the `keys` verbs that read key files (inspect, convert, jwks). */
/** Reads and loads a key file; inside `keys`, the loader's "try: apikit keys inspect" hint is noise. */
export async function readKeyFile(
  ctx: Context,
  path: string,
  passphrase: string | undefined,
): Promise<KeySet> {
  try {
    return await readSharedKeyFile(ctx, path, passphrase);
  } catch (err) {
    if (err instanceof InputError && err.hint?.startsWith('try: apikit keys inspect')) {
      throw new InputError(err.message, err.code);
    }
    throw err;
  }
}

export function octalMode(mode: number): string {
  return '0' + mode.toString(8);
}
