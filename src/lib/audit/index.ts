// Wiring only: every audit rule in a fixed order, the catalogue of checks, and the pipeline over them.
import type { AuditFacts, AuditReport, AuditRule, CheckSpec } from './types.js';
import { checksOf, runAudit, type AuditOptions } from './pipeline.js';
import * as transport from './rules/transport.js';
import * as hsts from './rules/hsts.js';
import * as csp from './rules/csp.js';
import * as framing from './rules/framing.js';
import * as nosniff from './rules/nosniff.js';
import * as referrer from './rules/referrer.js';
import * as permissions from './rules/permissions.js';
import * as crossOrigin from './rules/cross-origin.js';
import * as cookies from './rules/cookies.js';
import * as cors from './rules/cors.js';
import * as cache from './rules/cache.js';
import * as contentType from './rules/content-type.js';
import * as problem from './rules/problem.js';
import * as deprecated from './rules/deprecated.js';
import * as leaks from './rules/leaks.js';
import * as versioning from './rules/versioning.js';

export { decideKind, runAudit, type AuditOptions } from './pipeline.js';
export { auditScore, gradeOf, GRADE_BANDS, SCORE_START } from './score.js';
export { observatoryScore, observatorySum, observatoryGrade } from './observatory.js';
export { OBSERVATORY_COMMIT, OBSERVATORY_SOURCE, OBSERVATORY_LICENSE } from './observatory/data.js';
export { redactSetCookie, REDACTED } from './redact.js';

const isRule = (v: unknown): v is AuditRule =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as AuditRule).name === 'string' &&
  Array.isArray((v as AuditRule).checks) &&
  typeof (v as AuditRule).run === 'function';

/** Every AuditRule a module exports (each rule file exports one; the export's name does not matter here). */
const rulesOf = (mod: Record<string, unknown>): AuditRule[] => [
  ...new Set(Object.values(mod).filter(isRule)),
];

/** Every rule, in report order: transport, headers, cookies, CORS, content, disclosure, versioning. */
export const RULES: readonly AuditRule[] = [
  transport,
  hsts,
  csp,
  framing,
  nosniff,
  referrer,
  permissions,
  crossOrigin,
  cookies,
  cors,
  cache,
  contentType,
  problem,
  deprecated,
  leaks,
  versioning,
].flatMap((m) => rulesOf(m as Record<string, unknown>));

/** Every check of every rule: the README's table, SARIF's rule descriptors. Ids are unique (tested). */
export const ALL_CHECKS: readonly CheckSpec[] = checksOf(RULES);

/** The audit of one set of facts with every rule: the `--json` document. */
export function auditReport(facts: AuditFacts, opts: AuditOptions): AuditReport {
  return runAudit(RULES, facts, opts);
}
