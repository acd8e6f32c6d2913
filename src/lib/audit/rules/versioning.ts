import { lifecycleIssues, readLifecycle } from '../../lifecycle/index.js';
import type { LifecycleIssueKind } from '../../lifecycle/types.js';
import type { AuditFinding, AuditRule, CheckSpec, RuleContext } from '../types.js';
import { capPoints, clip, findingOf } from './header-common.js';

/**
 * Versioning signals: what the response says about its own lifecycle — `Deprecation` (RFC 9745), `Sunset`
 * (RFC 8594) and the `Link` relations around them — read by src/lib/lifecycle (shared with `apikit probe
 * versions`) and judged there; this rule only maps each LifecycleIssue kind to a check.
 *
 * Points: these are promises to consumers, not security controls, so they cost little and together at most
 * VERSIONING_POINTS_CAP: a deprecated API must not grade like one with no HSTS. Announcing a sunset is right,
 * so a coming sunset costs nothing (it warns the consumer); one that has passed while the resource still answers,
 * contradictory dates and unreadable values cost points, because clients that plan by them are misled.
 */

export const VERSIONING_POINTS_CAP = 10;

const kinds = ['api', 'html'] as const;
const DEP = 'RFC 9745';
const SUN = 'RFC 8594';

export const VERSIONING_CHECKS = {
  'sunset-past': {
    id: 'audit.versioning.sunset-past',
    category: 'versioning',
    severity: 'medium',
    points: -5,
    kinds,
    title: 'The Sunset date has passed and the resource still answers',
    advice:
      'Retire the resource (410 Gone) as announced, or send a new Sunset date: clients that planned by the old ' +
      'one believe it is already gone, and those that did not can be cut off at any moment.',
    reference: `${SUN} §3 (Sunset), §5 (resource behaviour after the sunset)`,
  },
  'sunset-within-30-days': {
    id: 'audit.versioning.sunset-within-30-days',
    category: 'versioning',
    severity: 'low',
    points: 0,
    kinds,
    title: 'The Sunset date is at most 30 days away',
    advice:
      'Consumers: move to the successor now. Owners: announcing it is right (no points); make sure the successor ' +
      'link and the migration notes are in place.',
    reference: `${SUN} §3`,
  },
  'sunset-before-deprecation': {
    id: 'audit.versioning.sunset-before-deprecation',
    category: 'versioning',
    severity: 'medium',
    points: -5,
    kinds,
    title: 'Sunset is earlier than Deprecation',
    advice:
      'Fix the dates: a resource cannot go away before it is deprecated; Sunset should be the later one.',
    reference: `${DEP} §4 (Sunset should not be earlier than Deprecation)`,
  },
  'deprecated-without-successor': {
    id: 'audit.versioning.deprecated-without-successor',
    category: 'versioning',
    severity: 'low',
    points: -2,
    kinds,
    title: 'Deprecated with no successor-version or latest-version link',
    advice:
      'Add `Link: <…/v2/…>; rel="successor-version"` (RFC 5829) so that clients and tools can find the ' +
      'replacement, and `rel="deprecation"` to a page about the move (RFC 9745 §3).',
    reference: `RFC 5829 §3.4 (successor-version); ${DEP} §3`,
  },
  'deprecated-without-sunset': {
    id: 'audit.versioning.deprecated-without-sunset',
    category: 'versioning',
    severity: 'info',
    points: 0,
    kinds,
    title: 'Deprecated with no Sunset date',
    advice:
      'Send `Sunset: <HTTP-date>` (RFC 8594) when the end date is known, so consumers can plan the move.',
    reference: `${DEP} §4; ${SUN} §3`,
  },
  'deprecation-scheduled': {
    id: 'audit.versioning.deprecation-scheduled',
    category: 'versioning',
    severity: 'info',
    points: 0,
    kinds,
    title: 'Deprecation is announced for a future date',
    advice: 'Nothing to fix: the notice is there. Consumers: plan the move before that date.',
    reference: `${DEP} §2.1 (a date in the future)`,
  },
  deprecated: {
    id: 'audit.versioning.deprecated',
    category: 'versioning',
    severity: 'info',
    points: 0,
    kinds,
    title: 'The resource is deprecated',
    advice: 'Consumers: move to the successor named in the Link header.',
    reference: `${DEP} §2`,
  },
  'sunset-without-deprecation': {
    id: 'audit.versioning.sunset-without-deprecation',
    category: 'versioning',
    severity: 'info',
    points: 0,
    kinds,
    title: 'A Sunset date on a resource that is not deprecated',
    advice:
      'Allowed (RFC 8594 does not require deprecation); if the resource is being replaced, send Deprecation ' +
      'too, so that clients that read only RFC 9745 notice.',
    reference: `${SUN} §3; ${DEP} §4`,
  },
  malformed: {
    id: 'audit.versioning.malformed',
    category: 'versioning',
    severity: 'medium',
    points: -5,
    kinds,
    title: 'A Deprecation, Sunset or Link value cannot be read',
    advice:
      'Use `Deprecation: @<epoch seconds>` (RFC 9745 §2.1), `Sunset: <IMF-fixdate>` (RFC 8594 §3, e.g. ' +
      '`Sat, 31 Dec 2033 23:59:59 GMT`) and RFC 8288 `Link` syntax, each field once: a value clients cannot ' +
      'read announces nothing.',
    reference: `${DEP} §2.1; ${SUN} §3; RFC 8288 §3; RFC 9110 §5.6.7`,
  },
  'legacy-deprecation-form': {
    id: 'audit.versioning.legacy-deprecation-form',
    category: 'versioning',
    severity: 'low',
    points: -2,
    kinds,
    title: 'Deprecation uses a pre-RFC draft form',
    advice:
      'Replace `Deprecation: true` or `Deprecation: <HTTP-date>` with `Deprecation: @<epoch seconds>`: clients ' +
      'that implement RFC 9745 do not understand the draft forms.',
    reference: `${DEP} §2.1`,
  },
} as const satisfies Record<LifecycleIssueKind, CheckSpec>;

function run(ctx: RuleContext): AuditFinding[] {
  const response = ctx.facts.response;
  const lifecycle = readLifecycle(response.headers, response.url || ctx.facts.url, ctx.now);
  // 410 Gone after the sunset is the end RFC 8594 §5 asks for, not a resource that "still answers".
  const issues = lifecycleIssues(lifecycle, ctx.now).filter(
    (issue) => !(issue.kind === 'sunset-past' && response.status === 410),
  );
  const findings = issues.map((issue) => {
    const spec = VERSIONING_CHECKS[issue.kind];
    const message =
      issue.kind === 'sunset-past'
        ? `${issue.message}, and the resource still answers ${response.status}`
        : issue.message;
    const evidence = issue.evidence.map((e) => (e.value === undefined ? e : { ...e, value: clip(e.value) }));
    const header = issue.evidence[0]?.header;
    return findingOf(spec, message, evidence, header === undefined ? {} : { header });
  });
  return capPoints(findings, VERSIONING_POINTS_CAP);
}

export const versioningRule: AuditRule = {
  name: 'versioning',
  checks: Object.values(VERSIONING_CHECKS),
  run,
};
