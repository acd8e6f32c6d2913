import { fieldLines } from '../headers.js';
import type { Lifecycle } from '../lifecycle/types.js';
import { versionInUrl, type Selector } from './scheme.js';
import { parseToken, tokensInText, type VersionToken } from './token.js';
import type { NamedBy, VersionAnswer } from './types.js';

/**
 * The versions an API names itself, before any guessing: the RFC 5829 links of a response (`successor-version`,
 * `predecessor-version`, `latest-version`) whose target selects a version in the scheme; the headers that list
 * versions (`api-supported-versions`, `api-deprecated-versions`: comma lists, as ASP.NET API Versioning and Azure
 * send them); and the version lists of error bodies (`{"supported_versions": ["v1", "v2"]}`, or a message that
 * says "supported versions are 2023-01-01, 2024-06-01"). A version named and then gone is a 410 that was due.
 */
export interface Named {
  token: VersionToken;
  by: NamedBy;
}

const LINK_RELS = ['successor-version', 'predecessor-version', 'latest-version'] as const;
const LIST_HEADERS = ['api-supported-versions', 'api-deprecated-versions'] as const;
/** How much of an error body is read for a version list. */
export const BODY_SCAN_CHARS = 64 * 1024;

export function namedIn(answer: VersionAnswer, lifecycle: Lifecycle, sel: Selector): Named[] {
  const named: Named[] = [];
  for (const link of lifecycle.links) {
    for (const rel of LINK_RELS) {
      if (!link.rel.includes(rel)) continue;
      const token = versionInUrl(sel, link.href);
      if (token !== null) named.push({ token, by: `link:${rel}` });
    }
  }
  for (const name of LIST_HEADERS) {
    for (const line of fieldLines(answer.headers, name)) {
      for (const item of line.split(',')) {
        // ASP.NET writes ranges and statuses too (`1.0-beta`): what is not an id is skipped.
        const token = parseToken(item);
        if (token !== null) named.push({ token, by: `header:${name}` });
      }
    }
  }
  if (answer.status >= 400) {
    for (const token of bodyVersions(answer.body)) named.push({ token, by: 'body' });
  }
  return named;
}

/**
 * The version ids of an error body: in JSON, the strings (and whole numbers) of every array or string under a key
 * that says "version" (`supported_versions`, `supportedVersions`, `available_api_versions`) but not the one asked
 * for (`requested_version`), and the ids in any message text; in text, the `v<N>` and date ids. Bounded: the first BODY_SCAN_CHARS, nesting 6 deep.
 */
export function bodyVersions(body: string): VersionToken[] {
  const text = body.slice(0, BODY_SCAN_CHARS);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return listsVersions(text) ? tokensInText(text) : [];
  }
  const found: VersionToken[] = [];
  walk(json, false, 0, found);
  return found;
}

/** A message that lists versions (`supported versions are v1, v2`), not one that names the version asked for. */
function listsVersions(text: string): boolean {
  return /version/i.test(text) && /\b(supported|available|valid|allowed|accepted)\b/i.test(text);
}

function walk(value: unknown, versionKey: boolean, depth: number, found: VersionToken[]): void {
  if (depth > 6 || found.length > 100) return;
  if (typeof value === 'string') {
    if (versionKey) {
      for (const item of value.split(/[,\s]+/)) {
        const t = parseToken(item);
        if (t !== null) found.push(t);
      }
    } else if (listsVersions(value)) {
      found.push(...tokensInText(value));
    }
    return;
  }
  if (typeof value === 'number') {
    if (versionKey && Number.isSafeInteger(value) && value >= 0) found.push({ kind: 'number', major: value });
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value.slice(0, 100)) walk(item, versionKey, depth + 1, found);
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value).slice(0, 100)) {
      // `requested_version: "v9"` echoes what was asked, which names nothing.
      if (/request|asked|given|received/i.test(key)) continue;
      walk(item, versionKey || /version/i.test(key), depth + 1, found);
    }
  }
}
