import { parseItem, Token } from 'structured-headers';
import { fieldLines } from '../../headers.js';
import type { AuditFinding, AuditRule, CheckSpec, RuleContext } from '../types.js';
import { absentEvidence, findingOf, lineEvidence } from './header-common.js';

/**
 * The cross-origin isolation headers, each read as its specification says:
 * - Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy are structured-field Items (HTML Standard: "obtain
 *   an opener policy" / "obtain an embedder policy" get a structured field of type item): the lines are joined and
 *   parsed with `structured-headers`, so two lines, or a value that is not one of the known tokens, leave the
 *   default `unsafe-none` — the Observatory reads them the same way.
 * - Cross-Origin-Resource-Policy is not a structured field: Fetch's "cross-origin resource policy check" gets the
 *   combined value and compares it byte for byte with `same-origin`, `same-site` or `cross-origin`; anything else
 *   (two lines, `Same-Origin`) is no policy at all.
 * COOP only means something for documents (html kind). CORP protects any response from being pulled into another
 * site's page in no-cors mode, which for an authenticated API is worth knowing — but it is not in OWASP's REST
 * list, so its absence only informs.
 */

const COOP = 'cross-origin-opener-policy';
const COEP = 'cross-origin-embedder-policy';
const CORP = 'cross-origin-resource-policy';

export const COOP_VALUES = [
  'unsafe-none',
  'same-origin-allow-popups',
  'same-origin',
  'noopener-allow-popups',
] as const;
export const COEP_VALUES = ['unsafe-none', 'require-corp', 'credentialless'] as const;
export const CORP_VALUES = ['same-origin', 'same-site', 'cross-origin'] as const;

export const CROSS_ORIGIN_CHECKS = {
  coopMissing: {
    id: 'audit.cross-origin.coop-missing',
    category: 'headers',
    severity: 'low',
    points: -5,
    kinds: ['html'],
    title: 'No Cross-Origin-Opener-Policy on an HTML page',
    advice:
      'Send `Cross-Origin-Opener-Policy: same-origin` (or same-origin-allow-popups if the page opens OAuth or ' +
      'payment popups). Points: -5: without it a page this one opens, or that opens it, keeps a handle on its ' +
      'window (XS-Leaks, tabnabbing) and it shares a process with them.',
    reference: 'HTML Living Standard (Cross-Origin-Opener-Policy); OWASP Secure Headers Project',
  },
  coopInvalid: {
    id: 'audit.cross-origin.coop-invalid',
    category: 'headers',
    severity: 'low',
    points: -5,
    kinds: ['api', 'html'],
    title: 'Cross-Origin-Opener-Policy is invalid, so unsafe-none applies',
    advice:
      'Send one line with one of: same-origin, same-origin-allow-popups, noopener-allow-popups, unsafe-none. ' +
      "Points: -5, the Observatory's value for an invalid header.",
    reference: 'HTML Living Standard (obtain an opener policy: structured field item); RFC 9651',
  },
  coepInvalid: {
    id: 'audit.cross-origin.coep-invalid',
    category: 'headers',
    severity: 'low',
    points: -5,
    kinds: ['api', 'html'],
    title: 'Cross-Origin-Embedder-Policy is invalid, so unsafe-none applies',
    advice:
      "Send one line with require-corp, credentialless or unsafe-none. Points: -5, the Observatory's value.",
    reference: 'HTML Living Standard (obtain an embedder policy: structured field item); RFC 9651',
  },
  corpMissing: {
    id: 'audit.cross-origin.corp-missing',
    category: 'headers',
    severity: 'info',
    points: 0,
    kinds: ['api', 'html'],
    title: 'No Cross-Origin-Resource-Policy',
    advice:
      'Send `Cross-Origin-Resource-Policy: same-origin` (same-site if sibling hosts embed it) unless other ' +
      'sites are meant to embed the response. Points: 0 — not in the OWASP REST list; the Observatory gives 0.',
    reference: 'WHATWG Fetch (Cross-Origin-Resource-Policy header); OWASP Secure Headers Project',
  },
  corpInvalid: {
    id: 'audit.cross-origin.corp-invalid',
    category: 'headers',
    severity: 'low',
    points: -5,
    kinds: ['api', 'html'],
    title: 'Cross-Origin-Resource-Policy is invalid, so browsers apply none',
    advice:
      'Send exactly one of same-origin, same-site, cross-origin (lower case, one line). Points: -5, the ' +
      "Observatory's value for an invalid header.",
    reference: 'WHATWG Fetch (cross-origin resource policy check: byte-for-byte match)',
  },
  corpCrossOrigin: {
    id: 'audit.cross-origin.corp-cross-origin',
    category: 'headers',
    severity: 'info',
    points: 0,
    kinds: ['api'],
    title: 'An authenticated API response allows cross-origin embedding (CORP cross-origin)',
    advice:
      'Unless other sites must embed it, use same-origin or same-site. Points: 0 — a choice, not a fault; ' +
      'said because the response was fetched with a credential.',
    reference: 'WHATWG Fetch (Cross-Origin-Resource-Policy)',
  },
} as const satisfies Record<string, CheckSpec>;

/** A structured-field Item header reduced to its token, or undefined when it does not parse as one of `known`. */
export function readTokenItem<T extends string>(
  lines: readonly string[],
  known: readonly T[],
): T | undefined {
  if (lines.length === 0) return undefined;
  try {
    const [bare] = parseItem(lines.join(', '));
    if (!(bare instanceof Token)) return undefined;
    const token = bare.toString();
    return known.find((k) => k === token);
  } catch {
    return undefined;
  }
}

/** Fetch's CORP value: the combined lines matched exactly, else null (no policy). */
export function readCorp(lines: readonly string[]): (typeof CORP_VALUES)[number] | undefined {
  if (lines.length === 0) return undefined;
  const value = lines.join(', ').replace(/^[\t ]+|[\t ]+$/g, '');
  return CORP_VALUES.find((v) => v === value);
}

function run(ctx: RuleContext): AuditFinding[] {
  const headers = ctx.facts.response.headers;
  const C = CROSS_ORIGIN_CHECKS;
  const findings: AuditFinding[] = [];

  const coop = fieldLines(headers, COOP);
  if (coop.length === 0) {
    if (ctx.kind === 'html') {
      findings.push(
        findingOf(C.coopMissing, 'No Cross-Origin-Opener-Policy header', [absentEvidence(COOP)], {
          header: COOP,
        }),
      );
    }
  } else if (readTokenItem(coop, COOP_VALUES) === undefined) {
    const why = coop.length > 1 ? `sent ${coop.length} times` : 'not a known policy';
    findings.push(
      findingOf(
        C.coopInvalid,
        `Cross-Origin-Opener-Policy is ${why}: unsafe-none applies`,
        coop.map((l) => lineEvidence(COOP, l)),
        {
          header: COOP,
        },
      ),
    );
  }

  const coep = fieldLines(headers, COEP);
  if (coep.length > 0 && readTokenItem(coep, COEP_VALUES) === undefined) {
    const why = coep.length > 1 ? `sent ${coep.length} times` : 'not a known policy';
    findings.push(
      findingOf(
        C.coepInvalid,
        `Cross-Origin-Embedder-Policy is ${why}: unsafe-none applies`,
        coep.map((l) => lineEvidence(COEP, l)),
        {
          header: COEP,
        },
      ),
    );
  }

  const corpLines = fieldLines(headers, CORP);
  const corp = readCorp(corpLines);
  if (corpLines.length === 0) {
    findings.push(
      findingOf(C.corpMissing, 'No Cross-Origin-Resource-Policy header', [absentEvidence(CORP)], {
        header: CORP,
      }),
    );
  } else if (corp === undefined) {
    const why =
      corpLines.length > 1
        ? `sent ${corpLines.length} times (the joined value matches no policy)`
        : 'not exactly same-origin, same-site or cross-origin';
    findings.push(
      findingOf(
        C.corpInvalid,
        `Cross-Origin-Resource-Policy is ${why}: no policy applies`,
        corpLines.map((l) => lineEvidence(CORP, l)),
        {
          header: CORP,
        },
      ),
    );
  } else if (corp === 'cross-origin' && ctx.kind === 'api' && ctx.facts.authenticated) {
    findings.push(
      findingOf(
        C.corpCrossOrigin,
        'Cross-Origin-Resource-Policy: cross-origin on an authenticated response',
        corpLines.map((l) => lineEvidence(CORP, l)),
        {
          header: CORP,
        },
      ),
    );
  }
  return findings;
}

export const crossOriginRule: AuditRule = {
  name: 'cross-origin',
  checks: Object.values(CROSS_ORIGIN_CHECKS),
  run,
};
