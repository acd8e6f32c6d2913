import { isInnerList, parseDictionary, Token, type BareItem, type Dictionary } from 'structured-headers';
import { fieldLines } from '../../headers.js';
import type { AuditFinding, AuditRule, CheckSpec, RuleContext } from '../types.js';
import { absentEvidence, clip, findingOf, lineEvidence } from './header-common.js';

/**
 * Permissions-Policy (W3C Permissions Policy §5): a structured-field Dictionary (RFC 9651), so it is parsed with
 * `structured-headers` after joining its lines with ", " (RFC 9651 §4.2). A field that does not parse is ignored
 * whole by browsers; a member whose value is not an allowlist (`*`, `self`, an origin string, or an inner list of
 * those) is skipped. Only the HTML kind is judged: the features are a document's (camera, geolocation, …), an
 * API response has none to give away (OWASP REST lists the header among those for HTML responses).
 */

const HEADER = 'permissions-policy';
const REF = 'W3C Permissions Policy';

/** Features whose `*` hands a powerful capability to any embedded origin. */
const SENSITIVE = new Set([
  'camera',
  'microphone',
  'geolocation',
  'payment',
  'usb',
  'serial',
  'hid',
  'bluetooth',
  'display-capture',
  'publickey-credentials-get',
  'clipboard-read',
  'screen-wake-lock',
  'xr-spatial-tracking',
]);

export const PERMISSIONS_CHECKS = {
  missing: {
    id: 'audit.permissions.missing',
    category: 'headers',
    severity: 'low',
    points: -5,
    kinds: ['html'],
    title: 'No Permissions-Policy on an HTML page',
    advice:
      'Turn off the features the page does not use, e.g. `Permissions-Policy: camera=(), microphone=(), ' +
      'geolocation=(), payment=()`. Points: -5: defence in depth — an injected or embedded script cannot ask ' +
      'for them.',
    reference: `${REF} §5; OWASP Secure Headers Project; OWASP REST Security Cheat Sheet (HTML responses)`,
  },
  malformed: {
    id: 'audit.permissions.malformed',
    category: 'headers',
    severity: 'low',
    points: -5,
    kinds: ['html'],
    title: 'Permissions-Policy is malformed, so browsers ignore it (or parts of it)',
    advice:
      'Write it as a structured-field dictionary: `feature=()`, `feature=self`, `feature=(self "https://a.example")`' +
      " — not Feature-Policy's `feature 'none'`. Points: as missing (-5).",
    reference: `${REF} §5 (the header is a Dictionary); RFC 9651 §3.2`,
  },
  wildcard: {
    id: 'audit.permissions.wildcard',
    category: 'headers',
    severity: 'low',
    points: -5,
    kinds: ['html'],
    title: 'Permissions-Policy grants a powerful feature to every origin',
    advice: 'Replace `*` by `self` or the origins that need it. Points: -5: any embedded frame may use it.',
    reference: `${REF} §5 (allowlists)`,
  },
} as const satisfies Record<string, CheckSpec>;

export interface PermissionsReading {
  /** Feature → allowlist as written: '*', 'self', origins; undefined when the whole field failed to parse. */
  features?: Map<string, string[]>;
  problems: string[];
}

function allowEntry(item: BareItem): string | undefined {
  if (item instanceof Token) {
    const t = item.toString().toLowerCase();
    return t === '*' || t === 'self' || t === 'src' ? t : undefined;
  }
  return typeof item === 'string' ? item : undefined;
}

/** The field as a browser reads it (all lines joined, RFC 9651 §4.2). */
export function readPermissionsPolicy(lines: readonly string[]): PermissionsReading {
  let dict: Dictionary;
  try {
    dict = parseDictionary(lines.join(', '));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { problems: [`not a structured-field dictionary (${clip(why, 80)})`] };
  }
  const features = new Map<string, string[]>();
  const problems: string[] = [];
  if (dict.size === 0) return { problems: ['empty'] };
  for (const [name, value] of dict) {
    const inner = isInnerList(value);
    const items = inner ? value[0] : [value];
    const list: string[] = [];
    let bad = false;
    for (const [bare] of items) {
      const entry = allowEntry(bare);
      if (entry === undefined) bad = true;
      else list.push(entry);
    }
    if (bad)
      problems.push(
        `${clip(name, 40)}: ${inner ? 'an entry' : 'the value'} is not *, self or an origin string (ignored)`,
      );
    features.set(name, list);
  }
  return { features, problems };
}

function run(ctx: RuleContext): AuditFinding[] {
  if (ctx.kind !== 'html') return [];
  const lines = fieldLines(ctx.facts.response.headers, HEADER);
  const C = PERMISSIONS_CHECKS;
  const on = { header: HEADER };
  if (lines.length === 0) {
    return [findingOf(C.missing, 'No Permissions-Policy header', [absentEvidence(HEADER)], on)];
  }
  const ev = lines.map((l) => lineEvidence(HEADER, l));
  const reading = readPermissionsPolicy(lines);
  if (!reading.features) {
    return [
      findingOf(C.malformed, `Permissions-Policy is ${reading.problems[0]}: browsers ignore it`, ev, on),
    ];
  }
  const findings: AuditFinding[] = [];
  if (reading.problems.length > 0) {
    findings.push(
      findingOf(
        C.malformed,
        `Permissions-Policy: ${reading.problems[0]}`,
        [...ev, ...reading.problems.slice(0, 10).map((note) => ({ header: HEADER, note }))],
        on,
      ),
    );
  }
  const open = [...reading.features]
    .filter(([f, list]) => SENSITIVE.has(f) && list.includes('*'))
    .map(([f]) => f);
  if (open.length > 0) {
    findings.push(
      findingOf(C.wildcard, `Permissions-Policy allows ${open.join(', ')} to every origin`, ev, on),
    );
  }
  return findings;
}

export const permissionsRule: AuditRule = {
  name: 'permissions',
  checks: Object.values(PERMISSIONS_CHECKS),
  run,
};
