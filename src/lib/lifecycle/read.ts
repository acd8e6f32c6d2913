import { fieldLines, type HeaderLines } from '../headers.js';
import { parseDeprecation } from './deprecation.js';
import { parseLinks } from './links.js';
import { parseSunset } from './sunset.js';
import type { Lifecycle, LifecycleLink } from './types.js';

/**
 * Everything a response says about its lifecycle: Deprecation, Sunset, every Link, and the first link of each
 * lifecycle relation as a shortcut. `baseUrl` is the URL the response came from (relative link targets resolve
 * against it); `nowMs`, when given, settles the century of an obsolete two-digit-year HTTP-date.
 */
export function readLifecycle(headers: HeaderLines, baseUrl: string, nowMs?: number): Lifecycle {
  const deprecation = parseDeprecation(fieldLines(headers, 'deprecation'), nowMs);
  const sunset = parseSunset(fieldLines(headers, 'sunset'), nowMs);
  const { links, problems: linkProblems } = parseLinks(fieldLines(headers, 'link'), baseUrl);
  const lifecycle: Lifecycle = {
    links,
    problems: [...deprecation.problems, ...sunset.problems, ...linkProblems],
  };
  if (deprecation.value) lifecycle.deprecation = deprecation.value;
  if (sunset.value) lifecycle.sunset = sunset.value;
  const first = (rel: string) => ownLinks(links, baseUrl).find((l) => l.rel.includes(rel))?.href;
  const shortcuts = {
    successor: first('successor-version'),
    predecessor: first('predecessor-version'),
    latest: first('latest-version'),
    deprecationInfo: first('deprecation'),
    sunsetInfo: first('sunset'),
  };
  for (const [key, href] of Object.entries(shortcuts)) {
    if (href !== undefined) lifecycle[key as keyof typeof shortcuts] = href;
  }
  return lifecycle;
}

/** Links about this response's resource: no anchor, or an anchor naming the resource itself (RFC 8288 §3.2). */
function ownLinks(links: readonly LifecycleLink[], baseUrl: string): LifecycleLink[] {
  let self: string | undefined;
  try {
    self = new URL(baseUrl).href;
  } catch {
    self = undefined;
  }
  return links.filter((l) => l.anchor === undefined || l.anchor === self);
}
