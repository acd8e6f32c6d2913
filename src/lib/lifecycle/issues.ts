import type { FindingEvidence } from '../findings.js';
import { DAY_MS, daysFrom, isoDay } from './days.js';
import type { Lifecycle, LifecycleIssue, LifecycleProblem } from './types.js';

/** "Within 30 days" is the issue's threshold (issues 12 and 13): a month is the least notice that helps. */
export const SUNSET_SOON_DAYS = 30;

const FIELD_NAMES: Record<LifecycleProblem['field'], string> = {
  deprecation: 'Deprecation',
  sunset: 'Sunset',
  link: 'Link',
};

/**
 * The judgements audit and versions share, in a fixed order: unreadable values first, then the deprecation state,
 * the sunset's distance, and what is missing. A "missing" judgement is left out when the field is there but could
 * not be read: the `malformed` issue already says so, and "no Sunset" would misdescribe a response that sent one.
 */
export function lifecycleIssues(l: Lifecycle, nowMs: number): LifecycleIssue[] {
  const issues: LifecycleIssue[] = [];
  for (const p of l.problems) {
    issues.push({
      kind: p.legacy ? 'legacy-deprecation-form' : 'malformed',
      message: `${FIELD_NAMES[p.field]} "${clipped(p.raw)}": ${p.reason}`,
      evidence: [{ header: p.field, value: p.raw }],
    });
  }
  const unreadable = (field: LifecycleProblem['field']) =>
    l.problems.some((p) => p.field === field && !p.legacy);

  const dep = l.deprecation;
  const depEvidence: FindingEvidence[] = dep ? [{ header: 'deprecation', value: dep.raw }] : [];
  const sunsetEvidence: FindingEvidence[] = l.sunset ? [{ header: 'sunset', value: l.sunset.raw }] : [];
  const deprecatedNow = dep !== undefined && (dep.at === undefined || dep.at.epochMs <= nowMs);

  if (dep && deprecatedNow) {
    const days = dep.at ? daysFrom(nowMs, dep.at.epochMs) : undefined;
    issues.push({
      kind: 'deprecated',
      message: dep.at
        ? `deprecated since ${isoDay(dep.at.epochMs)} (${ago(days!)})`
        : 'deprecated (no date given)',
      evidence: depEvidence,
      ...(days === undefined ? {} : { days }),
    });
  } else if (dep?.at) {
    const days = daysFrom(nowMs, dep.at.epochMs);
    issues.push({
      kind: 'deprecation-scheduled',
      message: `deprecation announced for ${isoDay(dep.at.epochMs)} (${ahead(days)})`,
      evidence: depEvidence,
      days,
    });
  }

  const sunset = l.sunset;
  if (sunset) {
    const days = daysFrom(nowMs, sunset.epochMs);
    if (sunset.epochMs <= nowMs) {
      issues.push({
        kind: 'sunset-past',
        message: `Sunset ${isoDay(sunset.epochMs)} passed ${ago(days)}`,
        evidence: sunsetEvidence,
        days,
      });
    } else if (sunset.epochMs - nowMs <= SUNSET_SOON_DAYS * DAY_MS) {
      issues.push({
        kind: 'sunset-within-30-days',
        message: `Sunset ${isoDay(sunset.epochMs)} is ${ahead(days)}`,
        evidence: sunsetEvidence,
        days,
      });
    }
  }

  if (sunset && dep?.at && sunset.epochMs < dep.at.epochMs) {
    issues.push({
      kind: 'sunset-before-deprecation',
      message: `Sunset ${isoDay(sunset.epochMs)} is before Deprecation ${isoDay(dep.at.epochMs)}: the resource would go away before it is deprecated`,
      evidence: [...depEvidence, ...sunsetEvidence],
      days: daysFrom(nowMs, sunset.epochMs),
    });
  }

  if (deprecatedNow && l.successor === undefined && l.latest === undefined && !unreadable('link')) {
    issues.push({
      kind: 'deprecated-without-successor',
      message: 'deprecated, and no Link rel="successor-version" or rel="latest-version" says what to move to',
      evidence: [...depEvidence, { header: 'link', note: 'no successor-version or latest-version link' }],
    });
  }
  if (deprecatedNow && !sunset && !unreadable('sunset')) {
    issues.push({
      kind: 'deprecated-without-sunset',
      message: 'deprecated with no Sunset date: consumers cannot plan when to move',
      evidence: [...depEvidence, { header: 'sunset', note: 'absent' }],
    });
  }
  if (sunset && !dep && !unreadable('deprecation')) {
    issues.push({
      kind: 'sunset-without-deprecation',
      message: `Sunset ${isoDay(sunset.epochMs)} on a resource with no Deprecation header`,
      evidence: sunsetEvidence,
      days: daysFrom(nowMs, sunset.epochMs),
    });
  }
  return issues;
}

/** A value quoted in a one-line message stays short; the evidence carries it whole. */
const MESSAGE_VALUE_MAX = 120;

function clipped(value: string): string {
  return value.length > MESSAGE_VALUE_MAX ? `${value.slice(0, MESSAGE_VALUE_MAX)}…` : value;
}

function ago(days: number): string {
  const n = -days;
  if (n <= 0) return 'less than a day ago';
  return n === 1 ? '1 day ago' : `${n} days ago`;
}

function ahead(days: number): string {
  if (days <= 0) return 'in less than a day';
  return days === 1 ? 'in 1 day' : `in ${days} days`;
}
