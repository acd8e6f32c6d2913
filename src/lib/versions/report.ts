import { sortFindings, type FindingEvidence } from '../findings.js';
import { daysFrom, isoDay, lifecycleIssues, readLifecycle } from '../lifecycle/index.js';
import type { Lifecycle } from '../lifecycle/types.js';
import { check, LIFECYCLE_CHECKS, type VersionsCheckId } from './checks.js';
import { answers, type Tried } from './planner.js';
import {
  requestFor,
  schemeUses,
  statedVersions,
  urlScheme,
  versionInUrl,
  type Detected,
  type Stated,
} from './scheme.js';
import { compareTokens, formatToken, sameVersion, tokenKey, type VersionToken } from './token.js';
import type {
  DefaultVersion,
  VersionAnswer,
  VersionEntry,
  VersionFinding,
  VersionRequest,
  VersionsReport,
  VersionStatus,
} from './types.js';

/**
 * The report from what the probe gathered: each version's status and lifecycle, what the unversioned request got,
 * and the findings. Pure: `nowMs` is the probe's clock.
 */
export interface VersionsFacts {
  url: string;
  method: string;
  nowMs: number;
  detected: Detected[];
  primary: Detected | null;
  /** Every version known (planner.all): tried, or named and not tried. */
  tried: Tried[];
  /** The unversioned request and its answer (undefined: not sent; null: it failed); null without a scheme. */
  unversioned: { request: VersionRequest; answer: VersionAnswer | null | undefined } | null;
  headerName?: string;
  requestsSent: number;
  durationMs: number;
  budget: VersionsReport['budget'];
  stopped: VersionsReport['stopped'];
  error: VersionsReport['error'];
}

const LIFECYCLE_RELS = [
  'successor-version',
  'predecessor-version',
  'latest-version',
  'deprecation',
  'sunset',
];

interface Judged {
  entry: VersionEntry;
  token: VersionToken;
  lifecycle: Lifecycle | null;
  stated: Stated[];
  answerHash: string | null;
}

export function versionsReport(facts: VersionsFacts): VersionsReport {
  const primary = facts.primary;
  // A neighbour never asked for is no version of the API's: only what was tried or named is reported.
  const reported = facts.tried.filter(
    (t) => t.answer !== undefined || t.namedBy.some((b) => b !== 'neighbour'),
  );
  const judged: Judged[] = primary === null ? [] : reported.map((t) => judge(t, primary, facts));
  const versions = judged.map((j) => j.entry);
  const defaultVersion =
    primary === null || facts.unversioned === null
      ? null
      : defaultOf(facts.unversioned, judged, primary, facts);
  const findings = sortFindings([
    ...(primary === null ? [noScheme(facts)] : []),
    ...judged.flatMap((j) => versionFindings(j, primary!, facts)),
    ...apiFindings(judged, defaultVersion),
  ]) as VersionFinding[];
  return {
    url: facts.url,
    method: facts.method,
    now: new Date(facts.nowMs).toISOString(),
    schemes: schemeUses(facts.detected, primary),
    versions,
    default_version: defaultVersion,
    findings,
    requests_sent: facts.requestsSent,
    duration_ms: facts.durationMs,
    budget: facts.budget,
    stopped: facts.stopped,
    error: facts.error,
  };
}

/** An answer's status (see VersionStatus). */
export function classify(answer: VersionAnswer | null | undefined, fallback: boolean): VersionStatus {
  if (answer == null) return 'not-tested';
  const s = answer.status;
  if (answers(s)) return fallback ? 'fallback' : 'live';
  if (s === 410) return 'retired';
  if (s === 404) return 'gone';
  if (s >= 300 && s < 400) return 'redirected';
  if (s === 400 || s === 406 || s === 415 || s === 422) return 'rejected';
  return 'error';
}

function judge(t: Tried, primary: Detected, facts: VersionsFacts): Judged {
  const sel = primary.selector;
  const request = requestFor(sel, facts.url, t.token);
  const answer = t.answer ?? null;
  const lifecycle = answer === null ? null : readLifecycle(answer.headers, request.url, facts.nowMs);
  const stated = answer === null ? [] : statedVersions(answer.headers, facts.headerName);
  // The same mechanism as the selector saying another version: the selector was ignored.
  const own = stated.find((s) => sameMechanism(s, sel.scheme));
  const fallback = own !== undefined && !sameVersion(own.token, t.token);
  const sunset = lifecycle?.sunset;
  const dep = lifecycle?.deprecation;
  const entry: VersionEntry = {
    id: formatToken(t.token, sel.style),
    url_or_header: request.label,
    status: classify(t.answer, fallback),
    http_status: answer?.status ?? null,
    location: answer?.location ?? null,
    served_as: stated[0] === undefined ? null : formatToken(stated[0].token, sel.style),
    named_by: [...t.namedBy],
    deprecation:
      dep === undefined ? null : { date: dep.at?.iso ?? null, raw: dep.raw, legacy: dep.legacy ?? null },
    sunset: sunset === undefined ? null : { date: sunset.iso, raw: sunset.raw },
    days_left: sunset === undefined ? null : daysFrom(facts.nowMs, sunset.epochMs),
    successor: lifecycle?.successor ?? lifecycle?.latest ?? null,
    links: (lifecycle?.links ?? [])
      .filter((l) => l.rel.some((r) => LIFECYCLE_RELS.includes(r)))
      .map((l) => ({ href: l.href, rel: [...l.rel] })),
  };
  return { entry, token: t.token, lifecycle, stated, answerHash: answer?.bodyHash ?? null };
}

function sameMechanism(s: Stated, scheme: string): boolean {
  return (s.via === 'header' && scheme === 'header') || (s.via === 'media-type' && scheme === 'media-type');
}

function finding(
  id: VersionsCheckId,
  version: string | null,
  message: string,
  evidence: FindingEvidence[],
): VersionFinding {
  const c = check(id);
  return { id, severity: c.severity, message, evidence, advice: c.advice, version };
}

function requestLine(e: VersionEntry, method: string): string {
  return e.url_or_header.startsWith('http')
    ? `${method} ${e.url_or_header}`
    : `${method} (${e.url_or_header})`;
}

function versionFindings(j: Judged, primary: Detected, facts: VersionsFacts): VersionFinding[] {
  const e = j.entry;
  const out: VersionFinding[] = [];
  const request = requestLine(e, facts.method);
  if (j.lifecycle !== null && (e.status === 'live' || e.status === 'fallback')) {
    for (const issue of lifecycleIssues(j.lifecycle, facts.nowMs)) {
      const message =
        issue.kind === 'sunset-past'
          ? `${e.id}: ${issue.message}, and it still answers ${e.http_status}`
          : `${e.id}: ${issue.message}`;
      out.push(
        finding(LIFECYCLE_CHECKS[issue.kind], e.id, message, [
          { request, status: e.http_status ?? undefined },
          ...issue.evidence,
        ]),
      );
    }
  }
  const namedBy = e.named_by.filter((b) => b !== 'neighbour' && b !== 'request');
  if (e.status === 'gone' && namedBy.length > 0) {
    out.push(
      finding(
        'versions.retired-answers-404-not-410',
        e.id,
        `${e.id} is named by the API (${namedBy.join(', ')}) but answers 404: retired without saying so`,
        [{ request, status: 404, note: `named by ${namedBy.join(', ')}` }],
      ),
    );
  }
  if (e.status === 'fallback') {
    out.push(
      finding('versions.version-ignored', e.id, `${e.id} was asked for and ${e.served_as} was served`, [
        { request, status: e.http_status ?? undefined, note: j.stated[0]?.evidence },
      ]),
    );
  }
  // Another mechanism than the selector naming another version: which one is the client on?
  for (const s of j.stated) {
    if (sameMechanism(s, primary.selector.scheme) || sameVersion(s.token, j.token)) continue;
    out.push(
      finding(
        'versions.inconsistent-scheme',
        e.id,
        `${e.id} selected by ${primary.selector.scheme}, but the response says ${formatToken(s.token, primary.selector.style)} (${s.evidence})`,
        [{ request, status: e.http_status ?? undefined, note: s.evidence }],
      ),
    );
  }
  // A lifecycle link that selects its version another way than the API's own scheme.
  if (primary.selector.scheme === 'path' || primary.selector.scheme === 'query') {
    for (const link of e.links) {
      if (!link.rel.some((r) => r.endsWith('-version'))) continue;
      const scheme = urlScheme(link.href);
      if (scheme === null || scheme === primary.selector.scheme) continue;
      if (versionInUrl(primary.selector, link.href) !== null) continue;
      out.push(
        finding(
          'versions.inconsistent-scheme',
          e.id,
          `${e.id}: Link rel="${link.rel.join(' ')}" selects its version by ${scheme}, the API by ${primary.selector.scheme}`,
          [{ request, header: 'link', value: link.href }],
        ),
      );
    }
  }
  return out;
}

function apiFindings(judged: readonly Judged[], def: DefaultVersion | null): VersionFinding[] {
  const out: VersionFinding[] = [];
  const live = judged.filter((j) => j.entry.status === 'live');
  if (live.length > 3) {
    out.push(
      finding(
        'versions.too-many-live-versions',
        null,
        `${live.length} versions answer: ${live.map((j) => j.entry.id).join(', ')}`,
        [{ note: 'consumers are told to expect two or three at a time' }],
      ),
    );
  }
  if (def !== null && def.http_status !== null && answers(def.http_status) && !def.stated) {
    const which = def.version === null ? 'an unknown version' : `the body of ${def.version}`;
    out.push(
      finding(
        'versions.unversioned-default-unstated',
        null,
        `an unversioned request gets ${def.http_status} with ${which}, and nothing in the response says which version it is`,
        [
          {
            request: def.request,
            status: def.http_status,
            note: 'no redirect, version header or versioned Content-Type',
          },
        ],
      ),
    );
  }
  return out;
}

function noScheme(facts: VersionsFacts): VersionFinding {
  return finding(
    'versions.no-scheme-found',
    null,
    'no version in the URL, and none in the response headers',
    [
      {
        request: `${facts.method} ${facts.url}`,
        note: 'looked for /v1/, ?version=, API-Version and vnd.<vendor>.v1 types',
      },
    ],
  );
}

function defaultOf(
  unversioned: NonNullable<VersionsFacts['unversioned']>,
  judged: readonly Judged[],
  primary: Detected,
  facts: VersionsFacts,
): DefaultVersion {
  const { request, answer } = unversioned;
  const line =
    request.url === facts.url || !request.label.startsWith('http')
      ? `${facts.method} ${request.url} (${request.label})`
      : `${facts.method} ${request.url}`;
  if (answer == null) {
    return {
      request: line,
      http_status: null,
      answer: 'not-tested',
      version: null,
      stated: false,
      how: null,
    };
  }
  const live = judged
    .filter((j) => j.entry.status === 'live')
    .sort((a, b) => compareTokens(a.token, b.token));
  const place = (token: VersionToken | null): DefaultVersion['answer'] => {
    if (token === null) return 'unknown';
    const key = tokenKey(token);
    if (live.length > 0 && tokenKey(live.at(-1)!.token) === key) return 'latest';
    if (live.length > 0 && tokenKey(live[0]!.token) === key) return 'oldest';
    return 'other';
  };
  const base = { request: line, http_status: answer.status };
  const sel = primary.selector;
  if (answer.status >= 300 && answer.status < 400 && answer.location !== null) {
    const token = versionInUrl(sel, answer.location);
    return {
      ...base,
      answer: token === null ? 'unknown' : place(token),
      version: token === null ? null : formatToken(token, sel.style),
      stated: token !== null,
      how: `redirects to ${answer.location}`,
    };
  }
  if (!answers(answer.status)) {
    // An explicit refusal to guess: nothing is left unsaid.
    return { ...base, answer: 'error', version: null, stated: true, how: `answers ${answer.status}` };
  }
  const stated = statedVersions(answer.headers, facts.headerName)[0];
  if (stated !== undefined) {
    return {
      ...base,
      answer: place(stated.token),
      version: formatToken(stated.token, sel.style),
      stated: true,
      how: stated.evidence,
    };
  }
  const same = judged.filter((j) => j.entry.status === 'live' && j.answerHash === answer.bodyHash);
  if (same.length === 1) {
    return {
      ...base,
      answer: place(same[0]!.token),
      version: same[0]!.entry.id,
      stated: false,
      how: `the same body as ${same[0]!.entry.id}`,
    };
  }
  return { ...base, answer: 'unknown', version: null, stated: false, how: null };
}

/** `2026-06-30`: the day of an ISO date, for the view. */
export function dayOf(iso: string | null): string | null {
  return iso === null ? null : isoDay(Date.parse(iso));
}
