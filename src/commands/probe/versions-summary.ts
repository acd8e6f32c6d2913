import { severityCountsText } from '../../lib/report/numbers.js';
import { PARTIAL_STOPS, sentText, stoppedText } from '../../lib/report/probe-summary.js';
import { dayOf } from '../../lib/versions/report.js';
import { relative } from '../../lib/versions/timeline.js';
import type { DefaultVersion, SchemeUse, VersionEntry, VersionsReport } from '../../lib/versions/types.js';

/**
 * What the terminal view and the Markdown report both say about a versions probe, as plain (unsanitised,
 * unescaped) text: each renderer makes it safe for where it goes. Much of it quotes the server.
 */
export function versionsSummaryRows(report: VersionsReport): [string, string][] {
  return [
    ['schemes', schemesText(report.schemes)],
    ['versions', versionsText(report.versions)],
    ['unversioned', defaultText(report.default_version)],
    ['findings', severityCountsText(report.findings)],
    ['requests', sentText(report.requests_sent, report.duration_ms, report.budget)],
    ['stopped', stoppedText(STOPPED, report)],
  ];
}

const STOPPED: Record<VersionsReport['stopped'], string> = {
  done: 'done',
  budget: 'the request budget ran out: versions left over are not tested',
  deadline: 'the deadline came: versions left over are not tested',
  ...PARTIAL_STOPS,
};

export function schemesText(schemes: readonly SchemeUse[]): string {
  if (schemes.length === 0) return 'none found';
  return schemes
    .map((s) => {
      const name = s.name === null ? '' : ` ${s.name}`;
      const current = s.current === null ? '' : `, at ${s.current}`;
      const primary = s.primary ? ', enumerated' : '';
      return `${s.scheme}${name} (${s.format}${current}${primary}: ${s.evidence.join('; ')})`;
    })
    .join('; ');
}

function versionsText(versions: readonly VersionEntry[]): string {
  if (versions.length === 0) return 'none tried';
  const by = (status: VersionEntry['status']) => versions.filter((v) => v.status === status).map((v) => v.id);
  const parts: string[] = [];
  for (const status of [
    'live',
    'retired',
    'gone',
    'redirected',
    'rejected',
    'fallback',
    'error',
    'not-tested',
  ] as const) {
    const ids = by(status);
    if (ids.length > 0) parts.push(`${status} ${ids.join(', ')}`);
  }
  return parts.join('; ');
}

export function defaultText(d: DefaultVersion | null): string {
  if (d === null) return 'not tried (no scheme)';
  if (d.answer === 'not-tested') return 'not tested';
  const what =
    d.answer === 'error'
      ? `an error (${d.http_status})`
      : d.answer === 'unknown'
        ? `${d.http_status}, no version known`
        : `${d.version} (${d.answer})`;
  const said = d.answer === 'error' ? '' : d.stated ? ', stated' : ', not stated';
  return `${what}${said}${d.how === null ? '' : `: ${d.how}`}`;
}

export const VERSION_HEAD = [
  'version',
  'status',
  'deprecation',
  'sunset',
  'days left',
  'successor',
  'request',
];

/**
 * A version's row. URLs on the probed origin are shown from their path (`/v2/items`): the table stays narrow, and
 * the whole URL is in --json.
 */
export function versionCells(v: VersionEntry, base: string): string[] {
  const status =
    v.http_status === null
      ? v.status
      : v.status === 'redirected' && v.location !== null
        ? `redirected (${v.http_status} → ${sameOriginPath(v.location, base)})`
        : v.status === 'fallback' && v.served_as !== null
          ? `fallback (${v.http_status}, served ${v.served_as})`
          : `${v.status} (${v.http_status})`;
  const dep =
    v.deprecation === null ? '-' : v.deprecation.date === null ? 'yes (no date)' : dayOf(v.deprecation.date)!;
  const sunset = v.sunset === null ? '-' : dayOf(v.sunset.date)!;
  const days = v.days_left === null ? '-' : daysText(v.days_left);
  const local = (href: string): string => sameOriginPath(href, base);
  return [
    v.id,
    status,
    dep,
    sunset,
    days,
    v.successor === null ? '-' : local(v.successor),
    local(v.url_or_header),
  ];
}

function daysText(days: number): string {
  return days < 0 ? `${relative(days)} (passed)` : relative(days);
}

/** `/v2/items?x=1` for a URL on the origin of `base`; anything else (another origin, a header line) as it is. */
export function sameOriginPath(href: string, base: string): string {
  try {
    const url = new URL(href);
    return url.origin === new URL(base).origin ? `${url.pathname}${url.search}` : href;
  } catch {
    return href;
  }
}
