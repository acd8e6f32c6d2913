/** A word for a POSIX shell: as it is when it needs no quoting, else in single quotes (a ' as '\''). */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
