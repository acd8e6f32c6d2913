/** A word for a command line the user may paste: bare when it is plainly safe, else single-quoted (POSIX sh). */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9._/:=@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
