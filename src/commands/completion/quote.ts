/** A string in single quotes for bash and zsh: `it's` → `'it'\''s'`. */
export function shQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A string in single quotes for fish, where `\\` and `\'` are the only escapes inside them. */
export function fishQuote(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** A `word:description` item of zsh's _describe: a colon in the word is escaped. */
export function zshItem(word: string, description: string): string {
  return shQuote(`${word.replace(/:/g, '\\:')}:${description}`);
}
