/**
 * The request-side definitions of the Fetch standard that decide whether a request needs a preflight and what the
 * preflight must allow: method normalisation, CORS-safelisted methods and request headers (with their value
 * rules), and the CORS-unsafe request-header names. Section names are https://fetch.spec.whatwg.org anchors.
 */

/** #concept-method-normalize: these six are upper-cased by fetch() and XHR; every other method is sent as written. */
const NORMALIZED_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'];

export function normalizeMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALIZED_METHODS.includes(upper) ? upper : method;
}

/** #cors-safelisted-method: GET, HEAD, POST — byte-exact, after normalisation. */
export function isSafelistedMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'POST';
}

/** #cors-unsafe-request-header-byte */
function hasUnsafeByte(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || '"():<>?@[\\]{}'.includes(value[i]!)) return true;
  }
  return false;
}

const SAFELISTED_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/**
 * #cors-safelisted-request-header: Accept, Accept-Language, Content-Language, Content-Type and Range, each only
 * with a value that passes its rule, and no value longer than 128 bytes. `Content-Type: application/json` is
 * NOT safelisted (only the three form/text types are), so a JSON request is always preflighted.
 */
export function isSafelistedRequestHeader(name: string, value: string): boolean {
  if (value.length > 128) return false;
  switch (name.toLowerCase()) {
    case 'accept':
      return !hasUnsafeByte(value);
    case 'accept-language':
    case 'content-language':
      return /^[0-9A-Za-z *,\-.;=]*$/.test(value);
    case 'content-type': {
      if (hasUnsafeByte(value)) return false;
      const essence = mimeEssence(value);
      return essence !== null && SAFELISTED_CONTENT_TYPES.includes(essence);
    }
    case 'range':
      // A single range with a first position, no whitespace (#simple-range-header-value, allowWhitespace false).
      return /^bytes=\d+-\d*$/.test(value) && rangeOrdered(value);
    default:
      return false;
  }
}

function rangeOrdered(value: string): boolean {
  const [start, end] = value.slice('bytes='.length).split('-');
  return end === '' || Number(start) <= Number(end);
}

/** The essence (`type/subtype`, lower-case) of a MIME type string, or null when it does not parse. */
function mimeEssence(value: string): string | null {
  const head = (value.split(';')[0] ?? '').replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  const m = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\/([!#$%&'*+\-.^_`|~0-9A-Za-z]+)$/.exec(head);
  return m ? `${m[1]}/${m[2]}`.toLowerCase() : null;
}

/**
 * #cors-unsafe-request-header-names: the lower-cased, sorted, de-duplicated names of the headers that are not
 * safelisted — and all of them once the safelisted values together exceed 1024 bytes.
 */
export function corsUnsafeRequestHeaderNames(headers: readonly (readonly [string, string])[]): string[] {
  const unsafe = new Set<string>();
  const safe = new Set<string>();
  let safelistValueSize = 0;
  for (const [name, value] of headers) {
    if (isSafelistedRequestHeader(name, value)) {
      safelistValueSize += value.length;
      safe.add(name.toLowerCase());
    } else {
      unsafe.add(name.toLowerCase());
    }
  }
  if (safelistValueSize > 1024) for (const n of safe) unsafe.add(n);
  return [...unsafe].sort();
}

/**
 * #cors-non-wildcard-request-header-name: `Authorization` is never covered by `Access-Control-Allow-Headers: *`;
 * it has to be named.
 */
export const NON_WILDCARD_REQUEST_HEADERS: readonly string[] = ['authorization'];
