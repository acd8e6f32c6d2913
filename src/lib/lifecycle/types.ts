import type { FindingEvidence } from '../findings.js';

/**
 * What a response says about its own lifecycle (shared by `apikit audit` and `apikit probe versions`, written
 * once): `Deprecation` (RFC 9745: a structured-field Date, `@1688169599`), `Sunset` (RFC 8594: an HTTP-date), and
 * the `Link` relations around them (RFC 8288 syntax): `deprecation` (RFC 9745 §3), `sunset` (RFC 8594 §6),
 * `successor-version` / `predecessor-version` / `latest-version` (RFC 5829). Pure: the caller passes `now`.
 */

/** A point in time read from a header. */
export interface HeaderDate {
  /** ISO 8601, UTC (`2026-06-30T23:59:59.000Z`). */
  iso: string;
  epochMs: number;
  /** The field value as received (one line, untrimmed text is trimmed). */
  raw: string;
}

/** One link of a `Link` field, its target resolved against the response's URL. */
export interface LifecycleLink {
  href: string;
  /** Relation types, lower-case (a link may carry several: `rel="successor-version latest-version"`). */
  rel: string[];
  type?: string;
  /** `title*` (RFC 8288 §3.4.1: preferred when both are given) or `title`. */
  title?: string;
  /**
   * `anchor`, resolved: the link is about that resource, not the response's (RFC 8288 §3.2). Such links are kept
   * here but never taken as this resource's successor, sunset or deprecation links.
   */
  anchor?: string;
}

/** A value that could not be read: reported, never a crash, never a guessed date. */
export interface LifecycleProblem {
  field: 'deprecation' | 'sunset' | 'link';
  /** The value as received, sanitised by the renderer. */
  raw: string;
  /** One line: why it was not read (`not a structured-field Date (RFC 9745 §2.1 wants @<epoch seconds>)`). */
  reason: string;
  /**
   * The value WAS read, in a pre-RFC 9745 draft form (`Deprecation: true`, `Deprecation: <HTTP-date>`): reported
   * as the issue `legacy-deprecation-form`, not `malformed`.
   */
  legacy?: true;
}

export interface Lifecycle {
  /**
   * `Deprecation`: the date the resource is (or will be) deprecated. `legacy` marks the pre-RFC draft forms
   * (`Deprecation: true`, `Deprecation: <HTTP-date>`): still read as deprecated — now, or at the date — and also
   * reported as a problem, since RFC 9745 clients will not understand them.
   */
  deprecation?: { at?: HeaderDate; legacy?: 'true' | 'http-date'; raw: string };
  /** `Sunset`: when the resource is expected to stop answering. */
  sunset?: HeaderDate;
  /** Every link of every `Link` line (all relations, not only the lifecycle ones: callers filter). */
  links: LifecycleLink[];
  /** Shortcuts to the first link of each lifecycle relation, resolved. */
  successor?: string;
  predecessor?: string;
  latest?: string;
  /** `rel=deprecation`: a page about the deprecation (RFC 9745 §3). */
  deprecationInfo?: string;
  /** `rel=sunset`: a page about the sunset (RFC 8594 §6). */
  sunsetInfo?: string;
  problems: LifecycleProblem[];
}

/**
 * Judgements both callers make, as kinds plus text; each caller maps a kind to its own finding id, severity and
 * points (`audit.versioning.sunset-past`, `versions.sunset-past-still-serving`, …).
 */
export const LIFECYCLE_ISSUE_KINDS = [
  /** The Sunset date has passed and the resource still answers. */
  'sunset-past',
  /** The Sunset date is at most 30 days away. */
  'sunset-within-30-days',
  /** Sunset is earlier than Deprecation: RFC 9745 §4: the Sunset timestamp "MUST NOT be earlier than" the Deprecation one. */
  'sunset-before-deprecation',
  /** Deprecated (now or in the past) and no `successor-version` / `latest-version` link names what to move to. */
  'deprecated-without-successor',
  /** Deprecated and no Sunset date: consumers cannot plan. */
  'deprecated-without-sunset',
  /** Deprecation announced for a future date: information, with the days of notice. */
  'deprecation-scheduled',
  /** Deprecated now (the date has passed or is `true`): information. */
  'deprecated',
  /** A Sunset on a resource that is not deprecated: allowed (RFC 8594), noted. */
  'sunset-without-deprecation',
  /** A Deprecation, Sunset or Link value that could not be read (one per LifecycleProblem). */
  'malformed',
  /** The pre-RFC 9745 draft forms of Deprecation. */
  'legacy-deprecation-form',
] as const;
export type LifecycleIssueKind = (typeof LIFECYCLE_ISSUE_KINDS)[number];

export interface LifecycleIssue {
  kind: LifecycleIssueKind;
  /** One line for people, with the dates in it (`Sunset 2026-03-01 passed 275 days ago`). */
  message: string;
  evidence: FindingEvidence[];
  /** Whole days from now to the date the issue is about (negative: in the past); absent when no date applies. */
  days?: number;
}
