/**
 * The Observatory's content-security-policy test and its CSP parser, ported from the Mozilla HTTP Observatory
 * (https://github.com/mdn/mdn-http-observatory, commit 94042bbfbf9f1af722ad9114ada6d271dcb525b9,
 * src/analyzer/tests/csp.js and src/analyzer/cspParser.js), Copyright Mozilla Foundation, MPL-2.0
 * (https://mozilla.org/MPL/2.0/); this file stays under the MPL. Ported on purpose rather than re-derived from
 * CSP3: the point is to score exactly as Observatory does, its quirks included (it merges several policies into
 * one source list per directive and calls a repeated directive invalid). apikit's own CSP judgement, per CSP3, is
 * rules/csp.ts. Only response headers are read: <meta http-equiv> policies are left out (data.ts).
 */

import type { ObservatoryResult } from './data.js';

const SHORTEST_DIRECTIVE_LENGTH = 'img-src'.length - 1;
const ALLOWED_DUPLICATE_KEYS = new Set(['report-uri', 'report-to']);
export const DUPLICATE_WARNINGS_KEY = '_observatory_duplicate_key_warnings';

const DANGEROUSLY_BROAD = new Set([
  'ftp:',
  'http:',
  'https:',
  '*',
  'http://*',
  'http://*.*',
  'https://*',
  'https://*.*',
]);
const UNSAFE_INLINE = new Set(["'unsafe-inline'", 'data:']);
const DANGEROUSLY_BROAD_AND_UNSAFE_INLINE = new Set([...DANGEROUSLY_BROAD, ...UNSAFE_INLINE]);
const PASSIVE_DIRECTIVES = ['img-src', 'media-src'];
const NONCES_HASHES = ["'sha256-", "'sha384-", "'sha512-", "'nonce-"];

const compareString = new Intl.Collator('en').compare;

interface SourceEntry {
  source: string;
  index: number;
  keep: boolean;
}

/** cspParser.js parseCsp: one map of directive → sources over every policy; throws on what it calls invalid. */
export function parseCsp(cspList: readonly string[]): Map<string, Set<string>> {
  const cleanCspList = cspList.map((s) => s.replace(/[\r\n]/g, '').trim());
  if (cleanCspList.length === 0) return new Map();
  for (const cspString of cleanCspList) {
    if (!cspString || cspString.length < SHORTEST_DIRECTIVE_LENGTH) {
      throw new Error(`Invalid policy: ${cspString}`);
    }
  }

  const csp = new Map<string, SourceEntry[]>();
  const duplicateWarnings = new Set<string>();

  cleanCspList.forEach((policy, policyIndex) => {
    const seen = new Set<string>();
    for (const entry of policy.split(';').map((e) => e.trim().split(/\s+/))) {
      const [directiveEntry, ...valueEntries] = entry;
      if (!directiveEntry) continue;
      const directive = directiveEntry.toLowerCase();
      if (seen.has(directive)) {
        if (ALLOWED_DUPLICATE_KEYS.has(directive)) duplicateWarnings.add(directive);
        else throw new Error(`Duplicate directive ${directive} in policy ${policyIndex}`);
      } else {
        seen.add(directive);
      }

      const keep = policyIndex === 0;
      const values: SourceEntry[] = [];
      if (valueEntries.length > 0) {
        for (const raw of valueEntries) {
          values.push({ source: raw.trim().toLocaleLowerCase(), index: policyIndex, keep });
        }
      } else if (directive.endsWith('-src')) {
        values.push({ source: "'none'", index: policyIndex, keep });
      }
      const combined = policyIndex === 0 ? [...values] : [...(csp.get(directive) ?? []), ...values];
      combined.sort((a, b) => compareString(a.source, b.source));
      for (let i = 1; i < combined.length; i++) {
        const source = combined[i]!;
        const prev = combined[i - 1]!;
        if (source.index === prev.index && source.source.startsWith(prev.source)) source.keep = false;
        if (source.index !== prev.index && pathPartMatch(prev.source, source.source)) source.keep = true;
      }
      csp.set(
        directive,
        combined.filter((s) => s.keep),
      );
      if (policyIndex === 0 && cspList.length > 1) {
        for (const s of csp.get(directive) ?? []) s.keep = false;
      }
    }
  });

  const finalCsp = new Map<string, Set<string>>();
  for (const [directive, sources] of csp) {
    finalCsp.set(directive, sources.length > 0 ? new Set(sources.map((s) => s.source)) : new Set(["'none'"]));
  }
  if (duplicateWarnings.size > 0) finalCsp.set(DUPLICATE_WARNINGS_KEY, duplicateWarnings);
  return finalCsp;
}

/** cspParser.js pathPartMatch (decodeURIComponent may throw: then the whole policy is invalid, as there). */
function pathPartMatch(pathA: string, pathB: string): boolean {
  if (pathA.length === 0) return true;
  if (pathA === '/' && pathB.length === 0) return true;
  const exactMatch = !pathA.endsWith('/');
  const listA = pathA.split('/');
  const listB = pathB.split('/');
  if (listA.length > listB.length) return false;
  if (exactMatch && listA.length !== listB.length) return false;
  if (!exactMatch) listA.pop();
  for (const [i, a] of listA.entries()) {
    const b = listB[i];
    if (b === undefined) return false;
    if (decodeURIComponent(a) !== decodeURIComponent(b)) return false;
  }
  return true;
}

export interface ObservatoryCsp {
  result: ObservatoryResult;
  pass: boolean;
  /** The merged policy, as Observatory's `data` (absent when not implemented or unparseable). */
  data: Map<string, Set<string>> | null;
}

const startsWithNoncesHash = (sources: Iterable<string>): boolean =>
  [...sources].some((s) => NONCES_HASHES.some((n) => s.startsWith(n)));

/**
 * csp.js contentSecurityPolicyTest for the field lines of `Content-Security-Policy` (Node joins repeated lines
 * with ", ", and Observatory splits the policies on commas again) and whether a report-only policy is present.
 */
export function observatoryCsp(
  cspLines: readonly string[],
  reportOnlyPresent: boolean,
  https: boolean,
): ObservatoryCsp {
  const policies = cspLines.flatMap((v) => v.split(',').map((s) => s.trim()));
  let csp: Map<string, Set<string>>;
  try {
    csp = parseCsp(policies);
  } catch {
    return { result: 'csp-header-invalid', pass: false, data: null };
  }
  if (csp.size === 0) {
    return {
      result: reportOnlyPresent ? 'csp-not-implemented-but-reporting-enabled' : 'csp-not-implemented',
      pass: false,
      data: null,
    };
  }

  let result: ObservatoryResult | null = null;
  const get = (d: string): Set<string> | undefined => csp.get(d);
  const objectSrc = get('object-src') ?? get('default-src') ?? new Set(['*']);
  const scriptSrc = get('script-src') ?? get('default-src') ?? new Set(['*']);
  const styleSrc = get('style-src') ?? get('default-src') ?? new Set(['*']);

  // As in csp.js, these delete from the parsed sets themselves (script-src may be default-src's set).
  for (const list of [scriptSrc, styleSrc]) {
    if (startsWithNoncesHash(list) && list.has("'unsafe-inline'")) list.delete("'unsafe-inline'");
  }
  if (startsWithNoncesHash(scriptSrc) && scriptSrc.has("'strict-dynamic'")) {
    for (const source of [...scriptSrc]) {
      if (
        [...DANGEROUSLY_BROAD].some((s) => source.startsWith(s)) ||
        source === "'self'" ||
        source === "'unsafe-inline'"
      ) {
        scriptSrc.delete(source);
      }
    }
  } else if (scriptSrc.has("'strict-dynamic'")) {
    result = 'csp-header-invalid';
  }

  const activeSources = [...csp]
    .filter(([d]) => !PASSIVE_DIRECTIVES.includes(d) && d !== 'script-src')
    .flatMap(([, list]) => [...list]);
  activeSources.push(...scriptSrc);
  const passiveSources = PASSIVE_DIRECTIVES.flatMap((d) => [...(get(d) ?? get('default-src') ?? [])]);
  const insecure = (s: string) => s.startsWith('http:') || s.startsWith('ftp:');

  const set = (r: ObservatoryResult) => {
    if (result === null) result = r;
  };
  if (
    [...scriptSrc].some((s) => DANGEROUSLY_BROAD_AND_UNSAFE_INLINE.has(s)) ||
    [...objectSrc].some((s) => DANGEROUSLY_BROAD.has(s))
  ) {
    set('csp-implemented-with-unsafe-inline');
  }
  if (https && activeSources.some(insecure)) set('csp-implemented-with-insecure-scheme');
  if (scriptSrc.has("'unsafe-eval'") || styleSrc.has("'unsafe-eval'"))
    set('csp-implemented-with-unsafe-eval');
  if (https && passiveSources.some(insecure))
    set('csp-implemented-with-insecure-scheme-in-passive-content-only');
  if ([...styleSrc].some((s) => DANGEROUSLY_BROAD_AND_UNSAFE_INLINE.has(s))) {
    set('csp-implemented-with-unsafe-inline-in-style-src-only');
  }
  const defaultSrc = get('default-src');
  if (defaultSrc?.has("'none'") && defaultSrc.size === 1)
    set('csp-implemented-with-no-unsafe-default-src-none');
  else set('csp-implemented-with-no-unsafe');

  const final = result as ObservatoryResult | null;
  const pass = (
    [
      'csp-implemented-with-no-unsafe',
      'csp-implemented-with-no-unsafe-default-src-none',
      'csp-implemented-with-unsafe-inline-in-style-src-only',
      'csp-implemented-with-insecure-scheme-in-passive-content-only',
    ] as (ObservatoryResult | null)[]
  ).includes(final);
  let outcome: ObservatoryResult = final ?? 'csp-implemented-with-no-unsafe';
  if (pass && csp.has(DUPLICATE_WARNINGS_KEY)) outcome = 'csp-implemented-but-duplicate-directives';
  const data = new Map([...csp].filter(([k]) => k !== DUPLICATE_WARNINGS_KEY));
  return { result: outcome, pass, data };
}
