import type { HeaderLines } from '../headers.js';
import type { AuditFinding } from './types.js';
import { parseSetCookie } from '../set-cookie.js';

/**
 * Cookie values in an audit report: a Set-Cookie value is often a session secret, and the report goes to CI logs,
 * PR comments and SARIF dashboards. Names and attributes stay (they are what the findings are about); values
 * become `<redacted>`: `sid=<redacted>; Path=/; HttpOnly`. Pure.
 */
export const REDACTED = '<redacted>';

const COOKIE_FIELDS = new Set(['set-cookie', 'set-cookie2']);

/** One Set-Cookie line with its value replaced; an empty value (a deletion) is left as it is. */
export function redactSetCookie(line: string): string {
  const semi = line.indexOf(';');
  const pair = semi === -1 ? line : line.slice(0, semi);
  const rest = semi === -1 ? '' : line.slice(semi);
  const eq = pair.indexOf('=');
  if (eq === -1) return pair.trim() === '' ? line : `${REDACTED}${rest}`;
  if (pair.slice(eq + 1).trim() === '') return line;
  return `${pair.slice(0, eq)}=${REDACTED}${rest}`;
}

/** The cookie values of a response's Set-Cookie lines (non-empty ones): what must never be printed. */
export function cookieSecrets(headers: HeaderLines): string[] {
  const out = new Set<string>();
  for (const field of COOKIE_FIELDS) {
    for (const line of headers[field] ?? []) {
      const value = parseSetCookie(line)?.value ?? '';
      // Very short values ("1", "no") are not secrets and would blank unrelated text.
      if (value.length >= 4) out.add(value);
    }
  }
  // Longest first, so a value that contains another is replaced whole.
  return [...out].sort((a, b) => b.length - a.length);
}

const scrub = (text: string, secrets: readonly string[]): string =>
  secrets.reduce((t, s) => t.split(s).join(REDACTED), text);

/** The headers with Set-Cookie values redacted, and any cookie value found in another field's value too. */
export function redactHeaders(headers: HeaderLines, secrets = cookieSecrets(headers)): HeaderLines {
  const out: Record<string, string[]> = {};
  for (const [name, lines] of Object.entries(headers)) {
    out[name] = COOKIE_FIELDS.has(name) ? lines.map(redactSetCookie) : lines.map((l) => scrub(l, secrets));
  }
  return out;
}

/** A finding with cookie values taken out of its message, advice and evidence. */
export function redactFinding(f: AuditFinding, secrets: readonly string[]): AuditFinding {
  const text = (s: string) => scrub(s, secrets);
  const out: AuditFinding = {
    ...f,
    message: text(f.message),
    evidence: f.evidence.map((e) => {
      const copy = { ...e };
      if (copy.value !== undefined) {
        copy.value =
          copy.header !== undefined && COOKIE_FIELDS.has(copy.header.toLowerCase())
            ? text(redactSetCookie(copy.value))
            : text(copy.value);
      }
      if (copy.note !== undefined) copy.note = text(copy.note);
      if (copy.request !== undefined) copy.request = text(copy.request);
      return copy;
    }),
  };
  if (f.advice !== undefined) out.advice = text(f.advice);
  return out;
}
