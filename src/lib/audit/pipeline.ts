import { countBySeverity, sortFindings } from '../findings.js';
import { fieldLines } from '../headers.js';
import type {
  AuditFacts,
  AuditFinding,
  AuditKind,
  AuditReport,
  AuditRule,
  AuditTarget,
  CheckSpec,
} from './types.js';
import { auditScore, gradeOf } from './score.js';
import { observatoryScore } from './observatory.js';
import { cookieSecrets, redactFinding, redactHeaders } from './redact.js';

/**
 * The audit pipeline over any list of rules (index.ts gives it every rule): decide the kind, run the rules,
 * keep each finding within its check (the kinds it belongs to, never more points off than the check says), score,
 * grade, the Observatory-equivalent score, sort worst first, and redact cookie values. Pure: `now` comes in.
 */

export interface AuditOptions {
  target: AuditTarget;
  /** Epoch ms. */
  now: number;
}

const HTML_MEDIA_TYPES = new Set(['text/html', 'application/xhtml+xml']);

/** `--target auto`: an HTML (or XHTML) Content-Type is a page, anything else — JSON, none at all — an API. */
export function decideKind(facts: AuditFacts, target: AuditTarget): AuditKind {
  if (target !== 'auto') return target;
  const contentType = fieldLines(facts.response.headers, 'content-type')[0] ?? '';
  const essence = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return HTML_MEDIA_TYPES.has(essence) ? 'html' : 'api';
}

export function checksOf(rules: readonly AuditRule[]): CheckSpec[] {
  return rules.flatMap((r) => r.checks);
}

/** A finding held to its check: dropped outside the check's kinds, points never below the check's. */
function withinCheck(f: AuditFinding, spec: CheckSpec | undefined, kind: AuditKind): AuditFinding | null {
  if (spec === undefined) return f;
  if (!spec.kinds.includes(kind)) return null;
  const points = Math.min(0, Math.max(f.points, spec.points));
  return points === f.points ? f : { ...f, points };
}

export function runAudit(rules: readonly AuditRule[], facts: AuditFacts, opts: AuditOptions): AuditReport {
  const kind = decideKind(facts, opts.target);
  const specs = new Map(checksOf(rules).map((c) => [c.id, c]));
  const ctx = { facts, kind, now: opts.now };
  const found = rules
    .flatMap((r) => r.run(ctx))
    .map((f) => withinCheck(f, specs.get(f.id), kind))
    .filter((f): f is AuditFinding => f !== null);
  const secrets = cookieSecrets(facts.response.headers);
  const findings = (sortFindings(found) as AuditFinding[]).map((f) => redactFinding(f, secrets));
  const score = auditScore(findings);
  return {
    url: facts.url,
    method: facts.response.method,
    status: facts.response.status,
    source: facts.source,
    target: opts.target,
    kind,
    score,
    grade: gradeOf(score),
    observatory: observatoryScore(facts),
    findings,
    counts: countBySeverity(findings),
    headers: redactHeaders(facts.response.headers, secrets),
    tls: facts.tls ?? null,
    redirect: facts.redirect ?? null,
    cors:
      facts.cors === undefined
        ? null
        : {
            origin: facts.cors.origin,
            preflightStatus: facts.cors.preflight?.status ?? null,
            error: facts.cors.error ?? null,
          },
    requests: facts.requests,
    assumeHttps: facts.assumeHttps,
    authenticated: facts.authenticated,
  };
}
