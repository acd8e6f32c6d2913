import type { Redactor } from '../io/redact.js';

/**
 * The --verbose trace lines, redacted by structure rather than by substring over whole lines: a credential
 * header's value (Authorization, Cookie, X-API-Key, …) by the header's name; form, query and JSON fields by name
 * (SECRET_FIELDS); a registered secret wherever it is a whole header, parameter or JSON value. Method, URL layout,
 * header names, status lines and the JSON layout stay exactly as they were.
 *
 * Inside other values (header values, URLs, what apikit sends) only what cannot be a word goes: long registered
 * secrets, JWTs, PEM keys, "Bearer <credential>". A response body is the server's words, not apikit's: its values
 * and its free text go through `Redactor.redact`, so a secret the server echoes inside a sentence
 * (`"error_description": "bad secret s3cr"`) is removed however short it is.
 */

/** Bytes of a body the trace shows; redaction looks at a larger window so that no secret is cut in half. */
const SHOWN = 2048;
const WINDOW = 64 * 1024;

/** Who wrote a value: apikit (a request) or the server (a response). */
export type Origin = 'apikit' | 'server';

/** A value that is not a secret field's: whole registered secrets, and inside it as above. */
function inValue(r: Redactor, value: string, origin: Origin): string {
  if (r.isSecret(value)) return r.placeholder;
  return origin === 'server' ? r.redact(value) : r.value(value);
}

/**
 * `name: value` with a credential header's value removed (its auth scheme kept, so the trace says which). Header
 * values are protocol tokens (`application/json`, dates) whoever sent them: exact values only.
 */
export function traceHeader(r: Redactor, name: string, value: string): string {
  if (r.isSecretHeader(name)) {
    const scheme = /^(Bearer|Basic|DPoP|Token)\s/i.exec(value);
    return `${name}: ${scheme ? scheme[0] : ''}${r.placeholder}`;
  }
  const lower = name.toLowerCase();
  if (lower === 'location' || lower === 'content-location') return `${name}: ${traceUrl(r, value)}`;
  return `${name}: ${inValue(r, value, 'apikit')}`;
}

/** A URL with its password, secret query and fragment parameters (an implicit-flow token) removed. */
export function traceUrl(r: Redactor, href: string): string {
  const hashAt = href.indexOf('#');
  const beforeHash = hashAt < 0 ? href : href.slice(0, hashAt);
  const fragment = hashAt < 0 ? undefined : href.slice(hashAt + 1);
  const queryAt = beforeHash.indexOf('?');
  let base = queryAt < 0 ? beforeHash : beforeHash.slice(0, queryAt);
  const query = queryAt < 0 ? undefined : beforeHash.slice(queryAt + 1);
  base = base.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/?#]*)@/i, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    return `${scheme}${inValue(r, user, 'apikit')}${colon < 0 ? '' : `:${r.placeholder}`}@`;
  });
  let out = inValue(r, base, 'apikit');
  if (query !== undefined) out += `?${traceForm(r, query, 'apikit')}`;
  if (fragment !== undefined) out += `#${traceForm(r, fragment, 'apikit')}`;
  return out;
}

/**
 * application/x-www-form-urlencoded text (a body or a query) with each secret parameter's value replaced by
 * [REDACTED] as it is, not encoded, so the line stays readable; every other byte is kept.
 */
export function traceForm(r: Redactor, text: string, origin: Origin): string {
  return text
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return inValue(r, pair, origin);
      const rawName = pair.slice(0, eq);
      const rawValue = pair.slice(eq + 1);
      const name = formDecode(rawName);
      const value = formDecode(rawValue);
      if (r.isSecretField(name) || r.isSecret(value) || r.isSecret(rawValue))
        return `${rawName}=${r.placeholder}`;
      return `${rawName}=${inValue(r, rawValue, origin)}`;
    })
    .join('&');
}

function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * JSON text with the values of secret fields (by name, at any depth, including everything inside an array or
 * object that is such a field's value) and registered secrets as whole string values replaced, in place: the
 * rest of the text — layout, escapes, numbers, even invalid JSON — is kept as it came.
 */
export function traceJson(r: Redactor, text: string, origin: Origin): string {
  interface Frame {
    kind: '{' | '[';
    /** This container is (inside) a secret field's value. */
    secret: boolean;
    key: string | undefined;
    expectingKey: boolean;
  }
  const stack: Frame[] = [];
  const valueIsSecret = (): boolean => {
    const top = stack[stack.length - 1];
    if (!top) return false;
    return top.secret || (top.kind === '{' && top.key !== undefined && r.isSecretField(top.key));
  };
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      const end = stringEnd(text, i);
      const raw = text.slice(i, end);
      const value = jsonString(raw);
      const top = stack[stack.length - 1];
      if (top?.kind === '{' && top.expectingKey) {
        top.key = value;
        top.expectingKey = false;
        out += raw;
      } else if (valueIsSecret() || r.isSecret(value)) {
        out += `"${r.placeholder}"`;
      } else {
        const cleaned = inValue(r, value, origin);
        out += cleaned === value ? raw : JSON.stringify(cleaned);
      }
      i = end;
      continue;
    }
    if (ch === '{' || ch === '[') {
      stack.push({ kind: ch, secret: valueIsSecret(), key: undefined, expectingKey: ch === '{' });
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      const top = stack[stack.length - 1];
      if (top?.kind === '{') {
        top.expectingKey = true;
        top.key = undefined;
      }
    }
    out += ch;
    i++;
  }
  return out;
}

/** The index just past the string starting at `start` (a quote), or the end of the text if it is unterminated. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if (ch === '"') return i + 1;
  }
  return text.length;
}

function jsonString(raw: string): string {
  try {
    return JSON.parse(raw.endsWith('"') && raw.length > 1 ? raw : `${raw}"`) as string;
  } catch {
    return raw.slice(1, raw.endsWith('"') ? -1 : undefined);
  }
}

/**
 * The trace lines of a body: a form or JSON body redacted by structure, any other text as text from outside
 * apikit (every registered secret, every credential shape); binary bodies by size only.
 */
export function traceBody(
  r: Redactor,
  origin: Origin,
  contentType: string | undefined,
  body: Buffer,
): string[] {
  if (body.length === 0) return [];
  const dir = origin === 'apikit' ? '>' : '<';
  const textual = !contentType || /json|x-www-form-urlencoded|text\//i.test(contentType);
  if (!textual) return [`${dir} [${body.length} bytes of ${contentType}]`];
  const text = body.subarray(0, WINDOW).toString('utf8');
  let redacted: string;
  if (contentType && /x-www-form-urlencoded/i.test(contentType)) redacted = traceForm(r, text, origin);
  else if ((contentType && /json/i.test(contentType)) || /^\s*[[{]/.test(text))
    redacted = traceJson(r, text, origin);
  else redacted = r.redact(text);
  const lines = redacted
    .slice(0, SHOWN)
    .split('\n')
    .map((line) => `${dir} ${line}`);
  if (body.length > SHOWN) lines.push(`${dir} [… ${body.length - SHOWN} more bytes]`);
  return lines;
}
