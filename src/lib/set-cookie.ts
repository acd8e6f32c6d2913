/**
 * One Set-Cookie line as a user agent parses it (RFC 6265bis, draft-ietf-httpbis-rfc6265bis-20 §5.6 "The
 * Set-Cookie Header Field"), keeping the raw attribute list. Written here rather than taken from a cookie library
 * on purpose: an audit must see what was SENT, and the libraries normalise exactly that away (undici's
 * parseCookie and tough-cookie drop an invalid `SameSite=Bogus` and turn an empty `Path` into `/`). Pure.
 */

export interface CookieAttribute {
  /** As sent, trimmed (case kept). */
  name: string;
  value: string;
}

export interface SetCookie {
  /** The field line as received. */
  line: string;
  name: string;
  value: string;
  /** Every cookie-av in order (§5.6 step "unparsed-attributes"), values over 1024 octets dropped as §5.6 says. */
  attributes: CookieAttribute[];
  secure: boolean;
  httpOnly: boolean;
  /** The last valid SameSite attribute (§5.6.7: an invalid one is ignored, an earlier valid one stands). */
  sameSite?: 'Strict' | 'Lax' | 'None';
  /** SameSite values that are not Strict, Lax or None (browsers ignore them): `Bogus`, `` (empty). */
  invalidSameSite: string[];
  /** The Domain attribute, lower-case, without a leading dot; absent means host-only (§5.6.3). */
  domain?: string;
  /** The last Path attribute's value when it starts with "/", else undefined (the default-path applies). */
  path?: string;
  /** A Path attribute is present at all (the __Host- prefix needs one, §5.7 step 23). */
  hasPathAttribute: boolean;
}

// §5.6 step 1: CTLs other than HTAB make the user agent ignore the whole line.
// eslint-disable-next-line no-control-regex
const CTL_EXCEPT_HTAB = /[\x00-\x08\x0A-\x1F\x7F]/;
const trimWsp = (s: string) => s.replace(/^[ \t]+|[ \t]+$/g, '');

/** The cookie in a line, or null when a user agent ignores the line entirely (§5.6 steps 1, 5 and 6). */
export function parseSetCookie(line: string): SetCookie | null {
  if (CTL_EXCEPT_HTAB.test(line)) return null;
  const semi = line.indexOf(';');
  const pair = semi === -1 ? line : line.slice(0, semi);
  const unparsed = semi === -1 ? '' : line.slice(semi + 1);
  const eq = pair.indexOf('=');
  const name = trimWsp(eq === -1 ? '' : pair.slice(0, eq));
  const value = trimWsp(eq === -1 ? pair : pair.slice(eq + 1));
  if (name === '' && value === '') return null;
  if (name.length + value.length > 4096) return null;

  const cookie: SetCookie = {
    line,
    name,
    value,
    attributes: [],
    secure: false,
    httpOnly: false,
    invalidSameSite: [],
    hasPathAttribute: false,
  };
  if (unparsed === '') return cookie;
  for (const av of unparsed.split(';')) {
    const i = av.indexOf('=');
    const attrName = trimWsp(i === -1 ? av : av.slice(0, i));
    const attrValue = trimWsp(i === -1 ? '' : av.slice(i + 1));
    if (attrName === '' && attrValue === '') continue;
    if (attrValue.length > 1024) continue;
    cookie.attributes.push({ name: attrName, value: attrValue });
    switch (attrName.toLowerCase()) {
      case 'secure':
        cookie.secure = true;
        break;
      case 'httponly':
        cookie.httpOnly = true;
        break;
      case 'samesite': {
        const v = attrValue.toLowerCase();
        if (v === 'strict') cookie.sameSite = 'Strict';
        else if (v === 'lax') cookie.sameSite = 'Lax';
        else if (v === 'none') cookie.sameSite = 'None';
        else cookie.invalidSameSite.push(attrValue);
        break;
      }
      case 'domain': {
        const d = attrValue.replace(/^\./, '').toLowerCase();
        if (d === '') delete cookie.domain;
        else cookie.domain = d;
        break;
      }
      case 'path':
        cookie.hasPathAttribute = true;
        if (attrValue.startsWith('/')) cookie.path = attrValue;
        else delete cookie.path;
        break;
      default:
        break;
    }
  }
  return cookie;
}

/** RFC 6265bis §5.1.4 default-path of a request URL's path. */
export function defaultPath(requestPath: string): string {
  if (!requestPath.startsWith('/')) return '/';
  const last = requestPath.lastIndexOf('/');
  return last <= 0 ? '/' : requestPath.slice(0, last);
}

/** Every Set-Cookie line of a response, parsed; lines a user agent ignores entirely are left out. */
export function setCookies(lines: readonly string[]): SetCookie[] {
  return lines.map(parseSetCookie).filter((c): c is SetCookie => c !== null);
}
