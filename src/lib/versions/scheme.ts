import { fieldLines, fieldValue, type HeaderLines } from '../headers.js';
import { formatToken, parseToken, styleOf, type TokenStyle, type VersionToken } from './token.js';
import type { Scheme, SchemeChoice, SchemeUse, VersionAnswer, VersionRequest } from './types.js';

/**
 * How an API selects a version, read from the request given and its answer, and how to write a request for another
 * version in the same scheme:
 * - path: a segment `v1`, `v1.2` or `2024-06-01` (`/v1/`, `/api/v1.2/`, `/2024-06-01/`); a bare number is an id,
 *   not a version;
 * - query: `version`, `api-version`, `api_version`, `apiversion` or `v` with a version value;
 * - header: `API-Version` / `X-API-Version` (names are case-insensitive, so `Api-Version` is the first) or
 *   --header-name, sent by the user (-H) or echoed by the response;
 * - media-type: a Content-Type `application/vnd.<vendor>.v2+json`, or `application/vnd.<vendor>+json; version=2`.
 * Several may be in use at once: all are reported, one (the primary) is enumerated.
 */

export const VERSION_HEADERS = ['api-version', 'x-api-version'] as const;
export const VERSION_PARAMS = ['version', 'api-version', 'api_version', 'apiversion', 'v'] as const;

/** How to select a version: the scheme and what it needs to write a request. */
export type Selector =
  | { scheme: 'path'; segment: number; style: TokenStyle }
  | { scheme: 'query'; param: string; style: TokenStyle }
  | { scheme: 'header'; header: string; style: TokenStyle }
  | {
      scheme: 'media-type';
      vendor: string;
      /** `+json`, `+xml`, or '' for none. */
      suffix: string;
      form: 'dotted' | 'parameter';
      style: TokenStyle;
    };

/** A scheme found, with how to use it and the version the given request is. */
export interface Detected {
  selector: Selector;
  current: VersionToken | null;
  /** The id as the request or response wrote it. */
  currentText: string | null;
  evidence: string[];
}

export interface DetectInput {
  url: string;
  /** The user's headers (-H lines), to see an `API-Version` or `Accept` they chose. */
  requestHeaders: Record<string, string>;
  /** The answer to the request given; null when it failed. */
  answer: VersionAnswer | null;
  /** --header-name: a version header of the API's own. */
  headerName?: string;
}

/** Every scheme the evidence shows, in the order path, query, media-type, header. */
export function detectSchemes(input: DetectInput): Detected[] {
  const url = new URL(input.url);
  const found: Detected[] = [];
  const path = pathVersion(url);
  if (path !== null) {
    found.push({
      selector: { scheme: 'path', segment: path.segment, style: styleOf(path.text) },
      current: path.token,
      currentText: path.text,
      evidence: [`path segment ${path.segment + 1} is "${path.text}"`],
    });
  }
  const query = queryVersion(url);
  if (query !== null) {
    found.push({
      selector: { scheme: 'query', param: query.param, style: styleOf(query.text) },
      current: query.token,
      currentText: query.text,
      evidence: [`query parameter ${query.param}=${query.text}`],
    });
  }
  const media = mediaTypeOf(input.answer?.headers ?? {}, input.requestHeaders);
  if (media !== null) found.push(media);
  const header = headerVersion(input);
  if (header !== null) found.push(header);
  return found;
}

/** The schemes as reported, the primary marked. */
export function schemeUses(found: readonly Detected[], primary: Detected | null): SchemeUse[] {
  return found.map((d) => ({
    scheme: d.selector.scheme,
    name: selectorName(d.selector),
    current: d.currentText,
    format: d.selector.style.format,
    evidence: [...d.evidence],
    primary: d === primary,
  }));
}

/** The scheme to enumerate: the one --scheme names, else the first found (path, query, media-type, header). */
export function primaryScheme(found: readonly Detected[], choice: SchemeChoice): Detected | null {
  if (choice === 'auto') return found[0] ?? null;
  return found.find((d) => d.selector.scheme === choice) ?? null;
}

/**
 * A selector for a scheme named with --scheme that the evidence did not show, where one can be made without it:
 * a header (`API-Version`, or --header-name) with numbers from 1. Path and query need the URL to carry a version
 * (the command refuses them otherwise); a media type needs the vendor from a Content-Type.
 */
export function assumedSelector(choice: SchemeChoice, headerName?: string): Detected | null {
  if (choice !== 'header') return null;
  const header = headerName ?? 'API-Version';
  return {
    selector: { scheme: 'header', header, style: { format: 'number', prefix: '' } },
    current: null,
    currentText: null,
    evidence: [`--scheme header: ${header} (nothing in the response names a version)`],
  };
}

export function selectorName(s: Selector): string | null {
  switch (s.scheme) {
    case 'path':
      return null;
    case 'query':
      return s.param;
    case 'header':
      return s.header;
    case 'media-type':
      return s.vendor;
  }
}

/** The request that selects `token` (null: the unversioned request) in the scheme, from the URL given. */
export function requestFor(sel: Selector, baseUrl: string, token: VersionToken | null): VersionRequest {
  const url = new URL(baseUrl);
  switch (sel.scheme) {
    case 'path': {
      const segments = url.pathname.split('/');
      // segments[0] is the empty string before the leading "/".
      if (token === null) segments.splice(sel.segment + 1, 1);
      else segments[sel.segment + 1] = formatToken(token, sel.style);
      url.pathname = segments.join('/') || '/';
      return { url: url.href, headers: {}, drop: [], label: url.href };
    }
    case 'query': {
      if (token === null) url.searchParams.delete(sel.param);
      else url.searchParams.set(sel.param, formatToken(token, sel.style));
      return { url: url.href, headers: {}, drop: [], label: url.href };
    }
    case 'header': {
      if (token === null) {
        return { url: url.href, headers: {}, drop: [sel.header], label: `no ${sel.header} header` };
      }
      const value = formatToken(token, sel.style);
      return {
        url: url.href,
        headers: { [sel.header]: value },
        drop: [sel.header],
        label: `${sel.header}: ${value}`,
      };
    }
    case 'media-type': {
      const accept = token === null ? 'application/json' : mediaType(sel, token);
      return { url: url.href, headers: { Accept: accept }, drop: ['accept'], label: `Accept: ${accept}` };
    }
  }
}

function mediaType(sel: Extract<Selector, { scheme: 'media-type' }>, token: VersionToken): string {
  const id = formatToken(token, sel.style);
  return sel.form === 'dotted'
    ? `application/vnd.${sel.vendor}.${id}${sel.suffix}`
    : `application/vnd.${sel.vendor}${sel.suffix}; version=${id}`;
}

/** The version a URL selects in the scheme (a link's target, a redirect's Location), or null. */
export function versionInUrl(sel: Selector, href: string): VersionToken | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (sel.scheme === 'path') {
    const seg = url.pathname.split('/')[sel.segment + 1];
    const at = seg === undefined ? null : parseToken(seg, { bareNumber: false });
    return at ?? pathVersion(url)?.token ?? null;
  }
  if (sel.scheme === 'query') {
    const value = url.searchParams.get(sel.param);
    return value === null ? null : parseToken(value);
  }
  return null;
}

/** The scheme a URL selects its version by, when it does (a link pointing into another scheme). */
export function urlScheme(href: string): Scheme | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (pathVersion(url) !== null) return 'path';
  if (queryVersion(url) !== null) return 'query';
  return null;
}

/** What a response says its own version is: a version header, or a versioned Content-Type. */
export interface Stated {
  via: 'header' | 'media-type';
  token: VersionToken;
  evidence: string;
}

export function statedVersions(headers: HeaderLines, headerName?: string): Stated[] {
  const stated: Stated[] = [];
  for (const name of versionHeaderNames(headerName)) {
    const value = fieldValue(headers, name);
    const token = value === undefined ? null : parseToken(value);
    if (token !== null) stated.push({ via: 'header', token, evidence: `${name}: ${value}` });
  }
  const type = fieldValue(headers, 'content-type');
  const media = type === undefined ? null : parseVendorType(type);
  if (media !== null)
    stated.push({ via: 'media-type', token: media.token, evidence: `content-type: ${type}` });
  return stated;
}

function versionHeaderNames(headerName?: string): string[] {
  const names: string[] = [...VERSION_HEADERS];
  if (headerName !== undefined && !names.includes(headerName.toLowerCase()))
    names.unshift(headerName.toLowerCase());
  return names;
}

function pathVersion(url: URL): { segment: number; text: string; token: VersionToken } | null {
  const segments = url.pathname.split('/').slice(1);
  for (const [i, raw] of segments.entries()) {
    let text: string;
    try {
      text = decodeURIComponent(raw);
    } catch {
      continue;
    }
    const token = parseToken(text, { bareNumber: false });
    if (token !== null) return { segment: i, text, token };
  }
  return null;
}

function queryVersion(url: URL): { param: string; text: string; token: VersionToken } | null {
  for (const [name, value] of url.searchParams) {
    if (!(VERSION_PARAMS as readonly string[]).includes(name.toLowerCase())) continue;
    const token = parseToken(value);
    if (token !== null) return { param: name, text: value, token };
  }
  return null;
}

/** `application/vnd.acme.v2+json` or `application/vnd.acme+json; version=2`: the vendor, the form, the version. */
export function parseVendorType(value: string): {
  vendor: string;
  suffix: string;
  form: 'dotted' | 'parameter';
  text: string;
  token: VersionToken;
} | null {
  const [essence = '', ...params] = value.split(';').map((p) => p.trim());
  const m =
    /^application\/vnd\.([a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*?)(?:\.([vV]?\d{1,6}(?:\.\d{1,6})?|\d{4}-\d{2}-\d{2}))?(\+[a-z0-9-]+)?$/i.exec(
      essence,
    );
  if (m === null) return null;
  const vendor = m[1]!.toLowerCase();
  const suffix = (m[3] ?? '').toLowerCase();
  if (m[2] !== undefined) {
    const token = parseToken(m[2]);
    if (token !== null) return { vendor, suffix, form: 'dotted', text: m[2], token };
  }
  for (const p of params) {
    const pm = /^version\s*=\s*"?([^";]+)"?$/i.exec(p);
    const token = pm === null ? null : parseToken(pm[1]!);
    if (token !== null) return { vendor, suffix, form: 'parameter', text: pm![1]!, token };
  }
  return null;
}

function mediaTypeOf(headers: HeaderLines, requestHeaders: Record<string, string>): Detected | null {
  const accept = Object.entries(requestHeaders).find(([n]) => n.toLowerCase() === 'accept')?.[1];
  const asked = accept === undefined ? null : parseVendorType(accept);
  const type = fieldValue(headers, 'content-type');
  const got = type === undefined ? null : parseVendorType(type);
  const seen = asked ?? got;
  if (seen === null) return null;
  const evidence: string[] = [];
  if (asked !== null) evidence.push(`request Accept: ${accept}`);
  if (got !== null) evidence.push(`response Content-Type: ${type}`);
  return {
    selector: {
      scheme: 'media-type',
      vendor: seen.vendor,
      suffix: seen.suffix,
      form: seen.form,
      style: styleOf(seen.text),
    },
    current: seen.token,
    currentText: seen.text,
    evidence,
  };
}

function headerVersion(input: DetectInput): Detected | null {
  const names = versionHeaderNames(input.headerName);
  const sent = Object.entries(input.requestHeaders).find(([n]) => names.includes(n.toLowerCase()));
  const sentToken = sent === undefined ? null : parseToken(sent[1]);
  const headers = input.answer?.headers ?? {};
  const echoed = names
    .map((name) => ({ name, value: fieldLines(headers, name)[0] }))
    .find((h) => h.value !== undefined && parseToken(h.value) !== null);
  const vary = (fieldValue(headers, 'vary') ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .find((v) => names.includes(v));
  if (sentToken === null && echoed === undefined && vary === undefined) return null;
  const evidence: string[] = [];
  if (sent !== undefined && sentToken !== null) evidence.push(`request header ${sent[0]}: ${sent[1]}`);
  if (echoed !== undefined) evidence.push(`response header ${echoed.name}: ${echoed.value}`);
  if (vary !== undefined) evidence.push(`response Vary names ${vary}`);
  const text = sentToken !== null ? sent![1].trim() : (echoed?.value?.trim() ?? null);
  const header = sent?.[0] ?? displayName(echoed?.name ?? vary ?? names[0]!, input.headerName);
  return {
    selector: {
      scheme: 'header',
      header,
      style: text === null ? { format: 'number', prefix: '' } : styleOf(text),
    },
    current: text === null ? null : parseToken(text),
    currentText: text,
    evidence,
  };
}

/** `api-version` → `API-Version` (how the docs write it); --header-name as given. */
function displayName(lower: string, given?: string): string {
  if (given !== undefined && given.toLowerCase() === lower) return given;
  return lower
    .split('-')
    .map((w) => (w === 'api' ? 'API' : w.charAt(0).toUpperCase() + w.slice(1)))
    .join('-');
}
