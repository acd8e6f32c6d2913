import { UsageError } from '../../errors.js';
import { terminalSafe } from '../text/terminal-safe.js';
import { publicJwk, type LoadedKey } from './load.js';
import { thumbprint } from './thumbprint.js';

/** How the caller names what it was given, for the messages. */
export interface PickKeyNames {
  /** The key file or input: `stdin`, `jwks.json`, `key`. */
  source: string;
  /** The input that chooses a key: `--kid` on the command line, `kid` in the library. */
  kidInput: string;
  /** Whether "not found" suggests `apikit keys inspect SOURCE` (as the CLI does). */
  inspectHint: boolean;
}

/**
 * The one key of a key file, or the one `kid` names (`keys convert --kid`, the library's convertKey): by kid, else
 * by RFC 7638 thumbprint (what `keys inspect` shows), so keys without a kid can be picked too.
 */
export async function pickKey(
  keys: LoadedKey[],
  kid: string | undefined,
  names: PickKeyNames,
): Promise<LoadedKey> {
  const { source, kidInput } = names;
  if (kid === undefined) {
    if (keys.length === 1) return keys[0]!;
    // The kids are text from the file: terminalSafe keeps a hostile JWKS from driving the terminal.
    const kids = terminalSafe(keys.map((k) => k.kid ?? '(no kid)').join(', '));
    throw new UsageError(
      `"${source}" holds ${keys.length} keys; pick one with ${kidInput} (kids: ${kids})`,
      'ERR_KEYS_PICK',
    );
  }
  for (const key of keys) {
    if (key.kid === kid) return key;
  }
  for (const key of keys) {
    if (key.kind === 'secret' || key.rsaPssOid) continue;
    if ((await thumbprint(publicJwk(key))).thumbprint === kid) return key;
  }
  throw new UsageError(
    `"${source}" has no key with kid or thumbprint "${terminalSafe(kid, 100)}"`,
    'ERR_KEYS_KID_NOT_FOUND',
    names.inspectHint ? { hint: `list them: apikit keys inspect ${source === 'stdin' ? '-' : source}` } : {},
  );
}
