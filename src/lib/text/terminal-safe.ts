/**
 * The one sanitiser for text that came from a server, a token or a file on its way to a terminal. Such text may
 * carry terminal escape sequences (ESC [2J clears the screen, ESC ]0; retitles the window, BEL rings) or
 * Unicode bidirectional overrides that make "evil" read as "live". Control characters (C0, DEL, C1) and bidi
 * controls become "?", so what the user reads is what was sent, minus the power to rewrite the screen; long
 * values are cut (a hostile server can send megabytes of "description").
 * It is pure, so it lives in lib/ (lib code that reads server answers, such as the login callback, uses it
 * too); every human renderer passes such text through it on its way to the terminal.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export const DEFAULT_MAX_CHARS = 500;

export function terminalSafe(text: string, maxChars = DEFAULT_MAX_CHARS): string {
  return text.replace(UNSAFE, '?').slice(0, maxChars);
}

/** Like terminalSafe, for a value that may be absent. */
export function terminalSafeOptional(text: string | null | undefined, maxChars = DEFAULT_MAX_CHARS) {
  return text === null || text === undefined || text === '' ? undefined : terminalSafe(text, maxChars);
}
