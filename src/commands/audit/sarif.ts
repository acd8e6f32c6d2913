import type { AuditReport, CheckSpec } from '../../lib/audit/types.js';
import type { AuditPartial } from './summary.js';
import { evidenceText } from '../../lib/report/evidence.js';
import type { Severity } from '../../lib/findings.js';

/**
 * `--format sarif`: the report as a SARIF 2.1.0 log (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/) for
 * code-scanning dashboards (GitHub's `upload-sarif`). One run; the tool's rules are every check apikit can report
 * (ALL_CHECKS, so a dashboard can show a rule that did not fire), each result names its rule by id and index, and
 * its location is the audited URL — an endpoint, not a file in the repository. The points and the grade ride in
 * `properties`, the bag SARIF leaves to the producer (§3.8). Values are written as received: JSON escaping is all
 * a SARIF consumer needs, and it renders text, not markup.
 */

export const SARIF_SCHEMA =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const INFORMATION_URI = 'https://www.npmjs.com/package/apikit';

type SarifLevel = 'error' | 'warning' | 'note' | 'none';

/** SARIF §3.27.10: error for what must be fixed, warning for what should, note for the rest. */
export function sarifLevel(severity: Severity): SarifLevel {
  switch (severity) {
    case 'critical':
    case 'high':
      return 'error';
    case 'medium':
      return 'warning';
    case 'low':
    case 'info':
      return 'note';
  }
}

/**
 * GitHub code scanning's `security-severity` (a CVSS-like 0.0–10.0 string: ≥ 9 critical, 7–8.9 high, 4–6.9 medium,
 * 0.1–3.9 low); info findings get none, so GitHub shows them as plain notes.
 */
const SECURITY_SEVERITY: Record<Severity, string | undefined> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: undefined,
};

function pascalName(id: string): string {
  return id
    .replace(/^audit\./, '')
    .split(/[.-]+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function ruleOf(check: CheckSpec): Record<string, unknown> {
  const security = SECURITY_SEVERITY[check.severity];
  return {
    id: check.id,
    // SARIF §3.49.7: a readable identifier beside the stable id (`HstsMissing` for audit.hsts.missing).
    name: pascalName(check.id),
    shortDescription: { text: check.title },
    fullDescription: { text: `${check.title}. ${check.advice}` },
    help: { text: `${check.advice} (${check.reference})` },
    defaultConfiguration: { level: sarifLevel(check.severity) },
    properties: {
      tags: ['security', 'http', check.category],
      category: check.category,
      severity: check.severity,
      points: check.points,
      kinds: [...check.kinds],
      reference: check.reference,
      ...(security === undefined ? {} : { 'security-severity': security }),
    },
  };
}

function driverOf(checks: readonly CheckSpec[], version: string): Record<string, unknown> {
  return {
    name: 'apikit',
    version,
    semanticVersion: version,
    informationUri: INFORMATION_URI,
    rules: checks.map(ruleOf),
  };
}

/**
 * The audited request failed (exit 3): a run with no results whose invocation says it did not succeed and why
 * (SARIF §3.20.14, §3.20.21), so a dashboard does not read "no alerts" as "fixed".
 */
export function failedSarif(
  partial: AuditPartial,
  checks: readonly CheckSpec[],
  version: string,
): Record<string, unknown> {
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: driverOf(checks, version) },
        invocations: [
          {
            executionSuccessful: false,
            toolExecutionNotifications: [
              {
                level: 'error',
                message: { text: partial.error.message },
                descriptor: { id: partial.error.code },
              },
            ],
          },
        ],
        results: [],
        properties: { url: partial.url, method: partial.method },
      },
    ],
  };
}

/** The SARIF log object (JSON.stringify it to print). */
export function auditSarif(
  report: AuditReport,
  checks: readonly CheckSpec[],
  version: string,
): Record<string, unknown> {
  const index = new Map(checks.map((c, i) => [c.id, i]));
  const results = report.findings.map((f) => {
    const ruleIndex = index.get(f.id);
    const evidence = f.evidence.map(evidenceText).filter((t) => t !== '');
    return {
      ruleId: f.id,
      ...(ruleIndex === undefined ? {} : { ruleIndex }),
      level: sarifLevel(f.severity),
      message: { text: f.advice === undefined ? f.message : `${f.message}. ${f.advice}` },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: report.url } },
          ...(f.header === undefined
            ? {}
            : {
                logicalLocations: [
                  { name: f.header, kind: 'member', fullyQualifiedName: `header:${f.header}` },
                ],
              }),
        },
      ],
      // One alert per check per endpoint: a dashboard keeps it open across runs and closes it when fixed.
      partialFingerprints: { 'apikitAudit/v1': `${f.id} ${report.url}` },
      properties: {
        severity: f.severity,
        points: f.points,
        category: f.category,
        ...(f.header === undefined ? {} : { header: f.header }),
        ...(evidence.length === 0 ? {} : { evidence }),
      },
    };
  });
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: driverOf(checks, version) },
        invocations: [{ executionSuccessful: true }],
        results,
        properties: {
          url: report.url,
          method: report.method,
          status: report.status,
          kind: report.kind,
          score: report.score,
          grade: report.grade,
          observatory: { score: report.observatory.score, grade: report.observatory.grade },
        },
      },
    ],
  };
}
