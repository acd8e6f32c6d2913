import type { Severity } from '../findings.js';
import type { LifecycleIssueKind } from '../lifecycle/types.js';

/**
 * Every finding `apikit probe versions` can report: its stable id, severity and advice (the README's table is
 * checked against this list). Severities follow what a consumer loses: a version past its Sunset that still answers
 * is a switch-off that can come any day (high); missing or too-short notice, a retirement that looks like a bug
 * (404), a scheme that contradicts itself (medium); policy advice (low); facts (info).
 */
export interface VersionsCheck {
  id: string;
  severity: Severity;
  title: string;
  advice: string;
}

export const VERSIONS_CHECKS = [
  {
    id: 'versions.sunset-past-still-serving',
    severity: 'high',
    title: 'the Sunset date has passed and the version still answers',
    advice: 'switch it off with 410 Gone, or send a new Sunset date if it was extended',
  },
  {
    id: 'versions.sunset-within-30-days',
    severity: 'medium',
    title: 'the Sunset date is at most 30 days away',
    advice: 'give consumers 6–12 months of notice; tell the ones still calling it',
  },
  {
    id: 'versions.sunset-before-deprecation',
    severity: 'medium',
    title: 'Sunset is earlier than Deprecation (RFC 9745 §4)',
    advice: 'a version is deprecated first and sunset later: fix one of the two dates',
  },
  {
    id: 'versions.deprecated-without-sunset',
    severity: 'medium',
    title: 'deprecated with no Sunset date (RFC 8594)',
    advice: 'send Sunset: <HTTP-date> so that consumers can plan the move',
  },
  {
    id: 'versions.deprecated-without-successor',
    severity: 'low',
    title: 'deprecated with no successor-version or latest-version link (RFC 5829)',
    advice: 'send Link: <…/v2/…>; rel="successor-version"',
  },
  {
    id: 'versions.retired-answers-404-not-410',
    severity: 'medium',
    title: 'a version the API names answers 404, not 410 Gone',
    advice: 'answer retired versions 410 Gone (RFC 9110 §15.5.11), so clients know it is gone for good',
  },
  {
    id: 'versions.too-many-live-versions',
    severity: 'low',
    title: 'more than 3 versions answer',
    advice: 'support two or three versions at a time; deprecate and sunset the oldest',
  },
  {
    id: 'versions.unversioned-default-unstated',
    severity: 'low',
    title: 'an unversioned request is served without saying which version it got',
    advice:
      'redirect to the versioned URL, send the version in a response header, or refuse (400) without one',
  },
  {
    id: 'versions.inconsistent-scheme',
    severity: 'medium',
    title: 'two ways of selecting the version disagree',
    advice: 'select versions one way; make every header and link agree with it',
  },
  {
    id: 'versions.version-ignored',
    severity: 'low',
    title: 'a version asked for was answered with another one',
    advice: 'refuse unknown versions (400, 406 or 410) instead of serving another',
  },
  {
    id: 'versions.lifecycle-malformed',
    severity: 'medium',
    title: 'a Deprecation, Sunset or Link value could not be read',
    advice: 'Deprecation: @<epoch seconds> (RFC 9745), Sunset: <HTTP-date> (RFC 8594), Link per RFC 8288',
  },
  {
    id: 'versions.legacy-deprecation-form',
    severity: 'low',
    title: 'Deprecation in a pre-RFC 9745 draft form (`true` or an HTTP-date)',
    advice: 'send Deprecation: @<epoch seconds> (RFC 9745 §2.1)',
  },
  {
    id: 'versions.deprecated',
    severity: 'info',
    title: 'the version is deprecated',
    advice: 'move to the successor before the Sunset date',
  },
  {
    id: 'versions.deprecation-scheduled',
    severity: 'info',
    title: 'a deprecation is announced for a future date',
    advice: 'plan the move to the successor',
  },
  {
    id: 'versions.sunset-without-deprecation',
    severity: 'info',
    title: 'a Sunset date on a version that is not deprecated (allowed by RFC 8594)',
    advice: 'send Deprecation too, so that clients that read only it are warned',
  },
  {
    id: 'versions.no-scheme-found',
    severity: 'info',
    title: 'no versioning scheme was found in the URL or the response',
    advice: 'give a versioned URL, or --scheme header with --header-name',
  },
] as const satisfies readonly VersionsCheck[];

export type VersionsCheckId = (typeof VERSIONS_CHECKS)[number]['id'];

export function check(id: VersionsCheckId): VersionsCheck {
  return VERSIONS_CHECKS.find((c) => c.id === id)!;
}

/** The lifecycle judgements (src/lib/lifecycle) as versions findings. */
export const LIFECYCLE_CHECKS: Record<LifecycleIssueKind, VersionsCheckId> = {
  'sunset-past': 'versions.sunset-past-still-serving',
  'sunset-within-30-days': 'versions.sunset-within-30-days',
  'sunset-before-deprecation': 'versions.sunset-before-deprecation',
  'deprecated-without-successor': 'versions.deprecated-without-successor',
  'deprecated-without-sunset': 'versions.deprecated-without-sunset',
  'deprecation-scheduled': 'versions.deprecation-scheduled',
  deprecated: 'versions.deprecated',
  'sunset-without-deprecation': 'versions.sunset-without-deprecation',
  malformed: 'versions.lifecycle-malformed',
  'legacy-deprecation-form': 'versions.legacy-deprecation-form',
};
