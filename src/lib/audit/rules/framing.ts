import { fieldLines, splitFieldValues } from '../../headers.js';
import type { AuditFinding, AuditRule, CheckSpec, RuleContext } from '../types.js';
import { enforcedPolicies, isBroadSource, type CspPolicy } from './csp.js';
import { absentEvidence, findingOf, lineEvidence } from './header-common.js';

/**
 * Clickjacking: who may put this response in a frame. Decided the way the HTML Standard decides it ("check a
 * navigation response's adherence to X-Frame-Options"): when any enforced CSP has `frame-ancestors`,
 * X-Frame-Options is ignored and the policies decide (each must allow the ancestor); otherwise X-Frame-Options is
 * got, decoded and split, lower-cased into a set — several values that include deny/sameorigin/allowall block
 * framing, several others allow it, a single `deny`/`sameorigin` protects, and everything else (`ALLOWALL`,
 * the obsolete `ALLOW-FROM uri`, junk) protects nothing.
 *
 * API kind: OWASP's REST cheat sheet asks for `X-Frame-Options: DENY` and `frame-ancestors 'none'` — an API
 * response is never meant to be framed; either one protects.
 */

const XFO = 'x-frame-options';
const CSP = 'content-security-policy';

export const FRAMING_CHECKS = {
  missing: {
    id: 'audit.framing.missing',
    category: 'headers',
    severity: 'high',
    points: -20,
    kinds: ['html'],
    title: 'The page can be framed by any site (clickjacking)',
    advice:
      "Send `Content-Security-Policy: frame-ancestors 'none'` (or 'self') and `X-Frame-Options: DENY`. " +
      "Points: -20, the Observatory's value for a page without X-Frame-Options or frame-ancestors.",
    reference:
      'HTML Living Standard (X-Frame-Options processing); W3C CSP Level 3 §6.4.2 (frame-ancestors); RFC 7034',
  },
  apiMissing: {
    id: 'audit.framing.api-missing',
    category: 'headers',
    severity: 'medium',
    points: -10,
    kinds: ['api'],
    title: 'The API response can be framed by any site',
    advice:
      "Send `Content-Security-Policy: frame-ancestors 'none'` and `X-Frame-Options: DENY`. Points: -10: " +
      'framing a JSON response allows drag-and-drop clickjacking, a smaller risk than for a page.',
    reference: 'OWASP REST Security Cheat Sheet (Security Headers); W3C CSP Level 3 §6.4.2; RFC 7034',
  },
  xfoInvalid: {
    id: 'audit.framing.xfo-invalid',
    category: 'headers',
    severity: 'low',
    points: -5,
    kinds: ['api', 'html'],
    title: 'X-Frame-Options has a value browsers do not enforce',
    advice:
      'Use DENY or SAMEORIGIN; ALLOW-FROM is obsolete and ALLOWALL allows everything — use CSP frame-ancestors ' +
      'for an allow-list. Points: -5: the header shows an intent it does not carry out.',
    reference: 'HTML Living Standard (X-Frame-Options processing); RFC 7034 §2.1',
  },
  xfoConflicting: {
    id: 'audit.framing.xfo-conflicting',
    category: 'headers',
    severity: 'low',
    points: -2,
    kinds: ['api', 'html'],
    title: 'X-Frame-Options has several different values',
    advice:
      'Send one value. Points: -2: current browsers treat conflicting values as DENY (HTML Standard), older ones ' +
      'disagree.',
    reference: 'HTML Living Standard (X-Frame-Options processing, step "size greater than 1")',
  },
  apiNotDeny: {
    id: 'audit.framing.api-not-deny',
    category: 'headers',
    severity: 'info',
    points: 0,
    kinds: ['api'],
    title: "The API allows some framing where 'none' / DENY would do",
    advice:
      "API responses need never be framed: `frame-ancestors 'none'`, `X-Frame-Options: DENY`. Points: 0 — " +
      'framing is still limited to the listed origins.',
    reference: 'OWASP REST Security Cheat Sheet (Security Headers)',
  },
} as const satisfies Record<string, CheckSpec>;

/** Who may frame the response, most restrictive first. */
export type FramingLevel = 'deny' | 'same-origin' | 'allow-list' | 'any';
const LEVELS: readonly FramingLevel[] = ['deny', 'same-origin', 'allow-list', 'any'];

function frameAncestorsLevel(list: readonly string[]): FramingLevel {
  const sources = list.map((s) => s.toLowerCase());
  if (sources.length === 0 || (sources.length === 1 && sources[0] === "'none'")) return 'deny';
  const real = sources.filter((s) => s !== "'none'");
  if (real.some(isBroadSource)) return 'any';
  if (real.every((s) => s === "'self'")) return 'same-origin';
  return 'allow-list';
}

export interface FramingReading {
  level: FramingLevel;
  /** Which header decided. */
  by: 'csp' | 'x-frame-options' | 'none';
  /** X-Frame-Options values, lower-case, in order (also when CSP decided). */
  xfo: string[];
  xfoProblem?: 'invalid' | 'conflicting';
}

/** X-Frame-Options alone, per the HTML Standard's processing model. */
function readXfo(values: readonly string[]): { level: FramingLevel; problem?: 'invalid' | 'conflicting' } {
  const set = new Set(values.map((v) => v.toLowerCase()));
  if (set.size > 1) {
    const known = ['deny', 'sameorigin', 'allowall'].some((k) => set.has(k));
    return known ? { level: 'deny', problem: 'conflicting' } : { level: 'any', problem: 'invalid' };
  }
  const [only] = [...set];
  if (only === 'deny') return { level: 'deny' };
  if (only === 'sameorigin') return { level: 'same-origin' };
  return { level: 'any', problem: 'invalid' };
}

/** The framing protection of a response: CSP frame-ancestors first (it overrides), else X-Frame-Options. */
export function readFraming(xfoLines: readonly string[], policies: readonly CspPolicy[]): FramingReading {
  const xfo = xfoLines.length === 0 ? [] : splitFieldValues(xfoLines).map((v) => v.toLowerCase());
  const xfoRead = xfo.length === 0 ? undefined : readXfo(xfo);
  const withFa = policies.filter((p) => p.directives.has('frame-ancestors'));
  const base: Omit<FramingReading, 'level' | 'by'> = { xfo };
  if (xfoRead?.problem) base.xfoProblem = xfoRead.problem;
  if (withFa.length > 0) {
    // Each policy must allow the ancestor, so the strictest one decides.
    const levels = withFa.map((p) => frameAncestorsLevel(p.directives.get('frame-ancestors')!));
    const level = LEVELS.find((l) => levels.includes(l))!;
    return { ...base, level, by: 'csp' };
  }
  if (xfoRead) return { ...base, level: xfoRead.level, by: 'x-frame-options' };
  return { ...base, level: 'any', by: 'none' };
}

function run(ctx: RuleContext): AuditFinding[] {
  const headers = ctx.facts.response.headers;
  const xfoLines = fieldLines(headers, XFO);
  const cspLines = fieldLines(headers, CSP);
  const reading = readFraming(xfoLines, enforcedPolicies(headers));
  const C = FRAMING_CHECKS;
  const evidence = [
    ...xfoLines.map((l) => lineEvidence(XFO, l)),
    ...(reading.by === 'csp' ? cspLines.map((l) => lineEvidence(CSP, l)) : []),
  ];
  const findings: AuditFinding[] = [];

  if (reading.level === 'any') {
    const spec = ctx.kind === 'api' ? C.apiMissing : C.missing;
    let message: string;
    if (reading.by === 'csp')
      message = 'CSP frame-ancestors allows any origin (and overrides X-Frame-Options)';
    else if (reading.by === 'x-frame-options') message = 'X-Frame-Options does not block framing';
    else message = 'Neither X-Frame-Options nor CSP frame-ancestors is set';
    const ev =
      evidence.length > 0 ? evidence : [absentEvidence(XFO), absentEvidence(CSP, 'no frame-ancestors')];
    findings.push(findingOf(spec, message, ev, { header: reading.by === 'csp' ? CSP : XFO }));
  } else if (ctx.kind === 'api' && reading.level !== 'deny') {
    findings.push(
      findingOf(
        C.apiNotDeny,
        reading.level === 'same-origin'
          ? 'The API response can be framed by its own origin'
          : 'The API response can be framed by the listed origins',
        evidence,
        { header: reading.by === 'csp' ? CSP : XFO },
      ),
    );
  }
  if (reading.xfoProblem === 'invalid') {
    const shown = xfoLines.join(', ');
    const what = /^\s*allow-from\b/i.test(shown)
      ? 'ALLOW-FROM is obsolete: no current browser enforces it'
      : /^\s*allowall\s*$/i.test(shown)
        ? 'ALLOWALL is not a protection: it allows every site'
        : 'the value is not DENY or SAMEORIGIN';
    const ignored = reading.by === 'csp' ? ' (ignored anyway: CSP frame-ancestors decides)' : '';
    findings.push(
      findingOf(
        C.xfoInvalid,
        `X-Frame-Options: ${what}${ignored}`,
        xfoLines.map((l) => lineEvidence(XFO, l)),
        {
          header: XFO,
        },
      ),
    );
  } else if (reading.xfoProblem === 'conflicting') {
    findings.push(
      findingOf(
        C.xfoConflicting,
        `X-Frame-Options has ${new Set(reading.xfo).size} different values: browsers block framing, but send one`,
        xfoLines.map((l) => lineEvidence(XFO, l)),
        { header: XFO },
      ),
    );
  }
  return findings;
}

export const framingRule: AuditRule = {
  name: 'framing',
  checks: Object.values(FRAMING_CHECKS),
  run,
};
