import { fieldLines } from '../../headers.js';
import type { AuditFinding, AuditRule, CheckSpec, RuleContext } from '../types.js';
import { absentEvidence, clip, findingOf, judgedAsHttps, lineEvidence } from './header-common.js';

/**
 * HTTP Strict Transport Security (RFC 6797). Read the way browsers read it, which is stricter than "has a
 * max-age": a field that does not match §6.1's grammar, repeats a directive, or lacks max-age is ignored whole
 * (§8.1, Chromium's ParseHSTSHeader), so it is judged like no field at all. Two field lines are a fault of their
 * own: RFC 6797 §8.1 says use the first, but Chromium and Firefox join the lines with ", " before parsing, and the
 * comma makes the joined value invalid — in practice HSTS is off.
 *
 * Thresholds: one year (31 536 000 s) is what hstspreload.org and the OWASP HSTS Cheat Sheet ask for; six months
 * is 15 552 000 s (180 days), the Observatory's reading of "six months", so both scores agree on the boundary.
 */

export const HSTS_ONE_YEAR = 31_536_000;
export const HSTS_SIX_MONTHS = 15_552_000;

const HEADER = 'strict-transport-security';
const REF = 'RFC 6797';
const kinds = ['api', 'html'] as const;

export const HSTS_CHECKS = {
  missing: {
    id: 'audit.hsts.missing',
    category: 'headers',
    severity: 'high',
    points: -25,
    kinds,
    title: 'No Strict-Transport-Security on an https response',
    advice:
      'Send `Strict-Transport-Security: max-age=31536000; includeSubDomains` on every https response. ' +
      "Points: -25, more than the Observatory's -20, because every API request carries a credential that one " +
      'stripped or typed http:// request exposes.',
    reference: `${REF} §6.1, §7.1; OWASP REST Security Cheat Sheet (Security Headers)`,
  },
  malformed: {
    id: 'audit.hsts.malformed',
    category: 'headers',
    severity: 'high',
    points: -25,
    kinds,
    title: 'Strict-Transport-Security is malformed, so browsers ignore it',
    advice:
      'Use exactly `max-age=<seconds>` plus optional valueless `includeSubDomains` and `preload`, each once. ' +
      'Points: as missing (-25): a field browsers ignore protects nothing.',
    reference: `${REF} §6.1 (grammar; each directive once; max-age required), §8.1 (ignore a non-conforming field)`,
  },
  multiple: {
    id: 'audit.hsts.multiple',
    category: 'headers',
    severity: 'high',
    points: -25,
    kinds,
    title: 'Strict-Transport-Security is sent more than once',
    advice:
      'Send one Strict-Transport-Security line (often a proxy and the app both add one). Points: as missing ' +
      '(-25): browsers join the lines with a comma, which makes the value invalid.',
    reference: `${REF} §8.1; RFC 9110 §5.3 (combining field lines)`,
  },
  disabled: {
    id: 'audit.hsts.disabled',
    category: 'headers',
    severity: 'high',
    points: -25,
    kinds,
    title: 'Strict-Transport-Security max-age=0 turns HSTS off',
    advice:
      "max-age=0 tells browsers to forget the host's HSTS policy; set max-age=31536000. Points: as missing (-25).",
    reference: `${REF} §6.1.1 (max-age of zero: cease to regard the host as a Known HSTS Host)`,
  },
  short: {
    id: 'audit.hsts.max-age-short',
    category: 'headers',
    severity: 'medium',
    points: -10,
    kinds,
    title: 'Strict-Transport-Security max-age is under six months',
    advice:
      'Raise max-age to at least 15552000 (six months), better 31536000 (one year). Points: -10, the ' +
      "Observatory's value for a max-age under six months: the policy lapses between visits.",
    reference: `${REF} §6.1.1, §11.2; OWASP HTTP Strict Transport Security Cheat Sheet`,
  },
  underYear: {
    id: 'audit.hsts.max-age-under-year',
    category: 'headers',
    severity: 'info',
    points: 0,
    kinds,
    title: 'Strict-Transport-Security max-age is acceptable but under one year',
    advice:
      "One year (31536000) is recommended and is the HSTS preload list's minimum. Points: 0 — six months is " +
      'acceptable (the Observatory counts it as a pass too).',
    reference: `${REF} §6.1.1; https://hstspreload.org (submission requirements)`,
  },
  noSubdomains: {
    id: 'audit.hsts.no-include-subdomains',
    category: 'headers',
    severity: 'low',
    points: -5,
    kinds,
    title: 'Strict-Transport-Security lacks includeSubDomains',
    advice:
      'Add `includeSubDomains` once every subdomain serves https. Points: -5: without it a sibling host ' +
      'reachable over http can set or read domain cookies of this API.',
    reference: `${REF} §6.1.2, §14.4 (domain cookies); OWASP Secure Headers Project`,
  },
  preloadNotEligible: {
    id: 'audit.hsts.preload-not-eligible',
    category: 'headers',
    severity: 'info',
    points: 0,
    kinds,
    title: "Strict-Transport-Security asks for preload without meeting the preload list's requirements",
    advice:
      'The preload list needs max-age >= 31536000 and includeSubDomains with preload. Points: 0 — the missing ' +
      'parts are already counted by their own checks.',
    reference: 'https://hstspreload.org (submission requirements); preload is not part of RFC 6797',
  },
  overHttp: {
    id: 'audit.hsts.over-http',
    category: 'headers',
    severity: 'info',
    points: 0,
    kinds,
    title: 'Strict-Transport-Security sent over plain http is ignored',
    advice:
      'Browsers only honour HSTS received over https; judge a loopback http target with --assume-https, or ' +
      'audit the https URL. Points: 0 — a fact about this run, not a fault of the header.',
    reference: `${REF} §8.1 (ignore STS received over non-secure transport)`,
  },
} as const satisfies Record<string, CheckSpec>;

/** What a browser keeps from one Strict-Transport-Security value; `policy` is absent when it ignores the field. */
export interface HstsReading {
  policy?: { maxAge: number; includeSubDomains: boolean; preload: boolean };
  /** Why the field is ignored (empty when `policy` is set) — or, with a policy, what was odd but harmless. */
  problems: string[];
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

interface Directive {
  name: string;
  value?: string;
}

/**
 * RFC 6797 §6.1: `[ directive ] *( ";" [ directive ] )`, directive = token [ "=" ( token / quoted-string ) ],
 * optional whitespace around the separators. A hand-written tokenizer because the field is not a structured field
 * (RFC 9651 would reject `includeSubDomains`' capitals).
 */
function tokenize(value: string): { directives: Directive[]; error?: string } {
  const directives: Directive[] = [];
  let i = 0;
  const ws = (): void => {
    while (i < value.length && (value[i] === ' ' || value[i] === '\t')) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < value.length && TCHAR.test(value[i]!)) i++;
    return value.slice(start, i);
  };
  while (i <= value.length) {
    ws();
    if (i >= value.length) break;
    if (value[i] === ';') {
      i++;
      continue;
    }
    const name = token();
    if (name === '') return { directives, error: `unexpected "${value[i]}" at character ${i + 1}` };
    ws();
    const d: Directive = { name };
    if (value[i] === '=') {
      i++;
      ws();
      if (value[i] === '"') {
        i++;
        let v = '';
        let closed = false;
        while (i < value.length) {
          const c = value[i++]!;
          if (c === '\\' && i < value.length) v += value[i++]!;
          else if (c === '"') {
            closed = true;
            break;
          } else v += c;
        }
        if (!closed) return { directives, error: `unterminated quoted value of ${clip(name, 40)}` };
        d.value = v;
      } else {
        const v = token();
        if (v === '') return { directives, error: `${clip(name, 40)}= has no value` };
        d.value = v;
      }
      ws();
    }
    directives.push(d);
    if (i < value.length && value[i] !== ';') {
      return { directives, error: `unexpected "${value[i]}" at character ${i + 1}` };
    }
    i++;
  }
  return { directives };
}

/** One Strict-Transport-Security value as a browser reads it. */
export function readHsts(value: string): HstsReading {
  const { directives, error } = tokenize(value);
  if (error) return { problems: [error] };
  const seen = new Set<string>();
  let maxAge: number | undefined;
  let includeSubDomains = false;
  let preload = false;
  const problems: string[] = [];
  for (const d of directives) {
    const name = d.name.toLowerCase();
    if (seen.has(name)) return { problems: [`directive ${clip(name, 40)} appears more than once`] };
    seen.add(name);
    if (name === 'max-age') {
      if (d.value === undefined || !/^[0-9]+$/.test(d.value)) {
        return { problems: [`max-age=${clip(d.value ?? '', 40)} is not a number of seconds`] };
      }
      maxAge = Number(d.value);
    } else if (name === 'includesubdomains') {
      if (d.value !== undefined) return { problems: ['includeSubDomains takes no value'] };
      includeSubDomains = true;
    } else if (name === 'preload') {
      if (d.value !== undefined) problems.push('preload takes no value: not counted');
      else preload = true;
    } else {
      problems.push(`unknown directive ${clip(d.name, 40)} (ignored)`);
    }
  }
  if (maxAge === undefined) return { problems: ['max-age is missing'] };
  return { policy: { maxAge, includeSubDomains, preload }, problems };
}

function run(ctx: RuleContext): AuditFinding[] {
  const lines = fieldLines(ctx.facts.response.headers, HEADER);
  const C = HSTS_CHECKS;
  if (!judgedAsHttps(ctx)) {
    // Over plain http the field means nothing (RFC 6797 §8.1); a missing one is the transport rules' business.
    if (lines.length === 0) return [];
    return [
      findingOf(
        C.overHttp,
        'Strict-Transport-Security arrived over plain http: browsers ignore it',
        [lineEvidence(HEADER, lines[0]!, 'judged as plain http (no --assume-https)')],
        { header: HEADER },
      ),
    ];
  }
  if (lines.length === 0) {
    return [
      findingOf(C.missing, 'No Strict-Transport-Security header', [absentEvidence(HEADER)], {
        header: HEADER,
      }),
    ];
  }
  if (lines.length > 1) {
    return [
      findingOf(
        C.multiple,
        `Strict-Transport-Security is sent ${lines.length} times: browsers join the lines and ignore the result`,
        lines.map((l) => lineEvidence(HEADER, l)),
        { header: HEADER },
      ),
    ];
  }
  const value = lines[0]!;
  const reading = readHsts(value);
  if (!reading.policy) {
    return [
      findingOf(
        C.malformed,
        `Strict-Transport-Security is malformed (${reading.problems[0]}): browsers ignore it`,
        [lineEvidence(HEADER, value)],
        { header: HEADER },
      ),
    ];
  }
  const { maxAge, includeSubDomains, preload } = reading.policy;
  const ev = [lineEvidence(HEADER, value)];
  const findings: AuditFinding[] = [];
  if (maxAge === 0) {
    return [
      findingOf(C.disabled, 'Strict-Transport-Security max-age=0 removes HSTS', ev, { header: HEADER }),
    ];
  }
  if (maxAge < HSTS_SIX_MONTHS) {
    findings.push(
      findingOf(C.short, `HSTS max-age=${maxAge} is under six months (${HSTS_SIX_MONTHS})`, ev, {
        header: HEADER,
      }),
    );
  } else if (maxAge < HSTS_ONE_YEAR) {
    findings.push(
      findingOf(C.underYear, `HSTS max-age=${maxAge} is under one year (${HSTS_ONE_YEAR})`, ev, {
        header: HEADER,
      }),
    );
  }
  if (!includeSubDomains) {
    findings.push(
      findingOf(C.noSubdomains, 'HSTS does not cover subdomains (no includeSubDomains)', ev, {
        header: HEADER,
      }),
    );
  }
  if (preload && (maxAge < HSTS_ONE_YEAR || !includeSubDomains)) {
    findings.push(
      findingOf(C.preloadNotEligible, 'HSTS asks for preload but the preload list would refuse it', ev, {
        header: HEADER,
      }),
    );
  }
  return findings;
}

export const hstsRule: AuditRule = {
  name: 'hsts',
  checks: Object.values(HSTS_CHECKS),
  run,
};
