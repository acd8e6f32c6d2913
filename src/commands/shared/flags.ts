/** commander helpers every verb shares. */

/** A repeatable flag: `--aud a --aud b` → ['a', 'b']. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
