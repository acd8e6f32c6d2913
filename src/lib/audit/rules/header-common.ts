import type { FindingEvidence } from '../../findings.js';
import type { AuditFinding, CheckSpec, RuleContext } from '../types.js';

/**
 * Small pieces shared by the header rules (hsts, csp, framing, nosniff, referrer, permissions, cross-origin,
 * deprecated, leaks): turning a CheckSpec into a finding, the "judged as https" decision, and Fetch's
 * "get, decode, and split" of a list-valued field. No header grammar lives here: each rule owns its own.
 */

/** Server-supplied values are cut here in evidence, like the Observatory does (1024), so a hostile header stays small. */
export const EVIDENCE_MAX = 1024;

export function clip(value: string, max = EVIDENCE_MAX): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

export interface FindingExtras {
  /** The header the finding is about (lower-case). */
  header?: string;
  /** Scaled points: never more negative than the spec's (AuditFinding.points). */
  points?: number;
}

/** A finding for one check: severity, advice and category from the spec, message and evidence from the rule. */
export function findingOf(
  spec: CheckSpec,
  message: string,
  evidence: FindingEvidence[],
  extras: FindingExtras = {},
): AuditFinding {
  const points = extras.points === undefined ? spec.points : Math.max(spec.points, extras.points);
  const finding: AuditFinding = {
    id: spec.id,
    severity: spec.severity,
    message,
    evidence,
    advice: spec.advice,
    points,
    category: spec.category,
  };
  if (extras.header !== undefined) finding.header = extras.header;
  return finding;
}

/** The evidence of one header line (the value clipped). */
export function lineEvidence(header: string, value: string, note?: string): FindingEvidence {
  const e: FindingEvidence = { header, value: clip(value) };
  if (note !== undefined) e.note = note;
  return e;
}

/** The evidence of a header that is absent: the name, no value. */
export function absentEvidence(header: string, note?: string): FindingEvidence {
  // No value: evidenceText writes `header (absent)`; a note only when it adds something.
  return note === undefined ? { header } : { header, note };
}

/**
 * Whether the response is judged as delivered over https. Only an explicit `http:` URL is plain: offline input
 * without a URL (`file:…`) is judged as https (the brief's rule for --headers), and --assume-https turns a
 * loopback http target into an https one for the header rules.
 */
export function judgedAsHttps(ctx: RuleContext): boolean {
  if (ctx.facts.assumeHttps) return true;
  return !/^http:/i.test(ctx.facts.response.url || ctx.facts.url);
}

/** Whether a check belongs to the kind being audited. */
export function inKind(spec: CheckSpec, ctx: RuleContext): boolean {
  return spec.kinds.includes(ctx.kind);
}

/**
 * Limits what one area of the report can cost: the findings keep their order, each takes its points until `cap`
 * (a positive number of points) is spent, the rest are scaled towards 0. So a weak policy never costs more than
 * having none (CSP, clickjacking), which would reward removing a header.
 */
export function capPoints(findings: AuditFinding[], cap: number): AuditFinding[] {
  let left = cap;
  return findings.map((f) => {
    const cost = Math.min(-f.points, left);
    left -= cost;
    return cost === -f.points ? f : { ...f, points: cost === 0 ? 0 : -cost };
  });
}
