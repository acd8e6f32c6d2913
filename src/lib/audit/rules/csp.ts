import { fieldLines } from '../../headers.js';
import type { AuditFinding, AuditRule, CheckSpec, RuleContext } from '../types.js';
import { absentEvidence, capPoints, clip, findingOf, lineEvidence } from './header-common.js';

/**
 * Content Security Policy, read as CSP Level 3 says a browser reads it (§2.2.1 "parse a serialized CSP", §2.2.2
 * "parse a response's Content Security Policies"): every field line, and every comma-separated part of a line, is a
 * policy of its own; each enforced policy is applied separately, so a resource loads only when EVERY policy allows
 * it. A directive missing from one policy is therefore not weakened by another — and a weakness in one policy is
 * covered when another policy blocks the same thing. Within a policy a repeated directive is ignored (the first
 * wins), names are case-insensitive, and unknown directives are ignored. CSP is not a structured field.
 *
 * `Content-Security-Policy-Report-Only` only reports: it is noted, never counted as protection.
 *
 * API kind: what an API needs is `default-src 'none'; frame-ancestors 'none'` (OWASP REST Security Cheat Sheet) —
 * a JSON response rendered as a document then loads and runs nothing. HTML kind: the Observatory's questions
 * (script sources, 'unsafe-inline', 'unsafe-eval', broad sources, object-src). A `<meta http-equiv>` policy in an
 * HTML body is not read (the body is only sampled); frame-ancestors is judged by ./framing.ts.
 *
 * Points are capped per kind (-25 html, -10 api, the cost of having no policy): a weak policy never costs more than
 * no policy, which would reward deleting the header.
 */

const HEADER = 'content-security-policy';
const REPORT_ONLY = 'content-security-policy-report-only';
const REF = 'W3C Content Security Policy Level 3';
export const CSP_CAP = { html: 25, api: 10 } as const;

export const CSP_CHECKS = {
  missing: {
    id: 'audit.csp.missing',
    category: 'headers',
    severity: 'high',
    points: -25,
    kinds: ['html'],
    title: 'No enforced Content-Security-Policy on an HTML page',
    advice:
      "Send a policy such as `default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`. " +
      "Points: -25, the Observatory's value: without CSP nothing limits an injected script.",
    reference: `${REF} §3.1; OWASP Secure Headers Project; Mozilla Observatory (csp-not-implemented)`,
  },
  apiMissing: {
    id: 'audit.csp.api-missing',
    category: 'headers',
    severity: 'medium',
    points: -10,
    kinds: ['api'],
    title: 'No Content-Security-Policy on an API response',
    advice:
      "Send `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'`. Points: -10 (not the " +
      "Observatory's -25): JSON is not a page, the policy only matters when a response is rendered as one.",
    reference: `OWASP REST Security Cheat Sheet (Security Headers); ${REF} §6.1.1 (default-src)`,
  },
  apiNotNone: {
    id: 'audit.csp.api-not-none',
    category: 'headers',
    severity: 'low',
    points: -5,
    kinds: ['api'],
    title: "The API's Content-Security-Policy does not set default-src 'none'",
    advice:
      "An API response needs to load nothing: use `default-src 'none'; frame-ancestors 'none'`. Points: -5: " +
      'a page-style policy still lets a response rendered as HTML load what it allows.',
    reference: 'OWASP REST Security Cheat Sheet (Security Headers)',
  },
  malformed: {
    id: 'audit.csp.malformed',
    category: 'headers',
    severity: 'medium',
    points: -10,
    kinds: ['api', 'html'],
    title: 'Content-Security-Policy has parts browsers ignore',
    advice:
      "Fix the parts listed (quote keywords: 'self', not self; one directive once; no `:` after names). " +
      'Points: -10: an ignored part usually was meant to restrict something.',
    reference: `${REF} §2.2.1 (parse a serialized CSP), §2.3.1 (source lists)`,
  },
  unsafeInline: {
    id: 'audit.csp.unsafe-inline',
    category: 'headers',
    severity: 'high',
    points: -20,
    kinds: ['html'],
    title: "Content-Security-Policy allows inline scripts ('unsafe-inline')",
    advice:
      "Remove 'unsafe-inline' from script-src (use nonces or hashes). Points: -20, the Observatory's value: " +
      'inline script is what XSS injects.',
    reference: `${REF} §6.7.3.3 (allow all inline behavior); Mozilla Observatory (csp-implemented-with-unsafe-inline)`,
  },
  scriptData: {
    id: 'audit.csp.script-data',
    category: 'headers',
    severity: 'high',
    points: -20,
    kinds: ['html'],
    title: 'Content-Security-Policy allows data: scripts',
    advice:
      'Remove data: from script-src (and from default-src when script-src is absent). Points: -20: a data: URL ' +
      "is an inline script by another name (the Observatory counts it as 'unsafe-inline').",
    reference: `${REF} §2.3.1 (scheme-source); Mozilla Observatory (csp-implemented-with-unsafe-inline)`,
  },
  scriptWildcard: {
    id: 'audit.csp.script-wildcard',
    category: 'headers',
    severity: 'high',
    points: -20,
    kinds: ['html'],
    title: 'Content-Security-Policy lets scripts load from any host',
    advice:
      'Name the script hosts instead of *, https: or http:, and set script-src or default-src. Points: -20, the ' +
      "Observatory's value for overly broad script sources: any host can serve the attacker's script.",
    reference: `${REF} §6.1.11 (script-src), §6.7.2.7 (default-src fallback); Mozilla Observatory`,
  },
  unsafeEval: {
    id: 'audit.csp.unsafe-eval',
    category: 'headers',
    severity: 'medium',
    points: -10,
    kinds: ['html'],
    title: "Content-Security-Policy allows eval ('unsafe-eval')",
    advice: "Remove 'unsafe-eval' from script-src. Points: -10, the Observatory's value.",
    reference: `${REF} §6.1.11.3 (unsafe-eval); Mozilla Observatory (csp-implemented-with-unsafe-eval)`,
  },
  objectSrc: {
    id: 'audit.csp.object-src',
    category: 'headers',
    severity: 'low',
    points: -5,
    kinds: ['html'],
    title: 'Content-Security-Policy does not restrict plugins (object-src)',
    advice:
      "Add `object-src 'none'`. Points: -5: plugins are mostly gone from browsers, but <object> and <embed> " +
      'still load active content where object-src is open.',
    reference: `${REF} §6.1.9 (object-src); Mozilla Observatory`,
  },
  reportOnly: {
    id: 'audit.csp.report-only',
    category: 'headers',
    severity: 'info',
    points: 0,
    kinds: ['api', 'html'],
    title: 'Content-Security-Policy-Report-Only only reports, it does not protect',
    advice:
      'When the reports are clean, send the same policy as Content-Security-Policy. Points: 0 — it is neither ' +
      'protection nor a fault.',
    reference: `${REF} §3.2 (Content-Security-Policy-Report-Only)`,
  },
} as const satisfies Record<string, CheckSpec>;

/** One policy: its directives (names lower-case, first occurrence kept) and what a browser ignored in it. */
export interface CspPolicy {
  /** 1-based position among the field's policies, for messages (`policy 2`). */
  index: number;
  text: string;
  directives: Map<string, string[]>;
  problems: string[];
}

/** CSP3 §6: every directive name the specification (and its still-honoured predecessors) defines. */
const KNOWN_DIRECTIVES = new Set([
  'child-src',
  'connect-src',
  'default-src',
  'fenced-frame-src',
  'font-src',
  'frame-src',
  'img-src',
  'manifest-src',
  'media-src',
  'object-src',
  'prefetch-src',
  'script-src',
  'script-src-elem',
  'script-src-attr',
  'style-src',
  'style-src-elem',
  'style-src-attr',
  'worker-src',
  'webrtc',
  'base-uri',
  'sandbox',
  'form-action',
  'frame-ancestors',
  'navigate-to',
  'report-uri',
  'report-to',
  'require-trusted-types-for',
  'trusted-types',
  'upgrade-insecure-requests',
  'block-all-mixed-content',
  'plugin-types',
  'require-sri-for',
]);

/** Directives whose value is a source list (CSP3 §2.3.1): the fetch directives plus base-uri and form-action. */
function takesSourceList(name: string): boolean {
  return name.endsWith('-src') || name === 'base-uri' || name === 'form-action' || name === 'frame-ancestors';
}

const KEYWORDS = new Set([
  "'self'",
  "'none'",
  "'unsafe-inline'",
  "'unsafe-eval'",
  "'strict-dynamic'",
  "'unsafe-hashes'",
  "'report-sample'",
  "'unsafe-allow-redirects'",
  "'wasm-unsafe-eval'",
  "'inline-speculation-rules'",
  "'trusted-types-eval'",
  "'report-sha256'",
  "'report-sha384'",
  "'report-sha512'",
]);
const NONCE_OR_HASH = /^'(?:nonce|sha256|sha384|sha512)-[A-Za-z0-9+/\-_]+={0,2}'$/i;
const SCHEME_SOURCE = /^[A-Za-z][A-Za-z0-9+\-.]*:$/;
// CSP3 §2.3.1 host-source: [ scheme "://" ] host [ ":" port ] [ path ]. Linear: the groups cannot overlap.
const HOST_SOURCE =
  /^(?:[A-Za-z][A-Za-z0-9+\-.]*:\/\/)?(?:\*|(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?)(?::(?:[0-9]+|\*))?(?:\/[^\s;,]*)?$/;

/** Why a source expression is not one (undefined when it is). */
function sourceProblem(directive: string, source: string): string | undefined {
  if (source.length > 2048)
    return `${directive}: a source of ${source.length} characters is not a source expression`;
  const shown = clip(source, 80);
  const lower = source.toLowerCase();
  if (lower.startsWith("'")) {
    if (KEYWORDS.has(lower) || NONCE_OR_HASH.test(source)) {
      if (directive === 'frame-ancestors' && lower !== "'self'" && lower !== "'none'") {
        return `${directive}: ${shown} has no meaning here (only 'self', 'none', hosts and schemes)`;
      }
      return undefined;
    }
    return `${directive}: ${shown} is not a CSP keyword, nonce or hash`;
  }
  if (KEYWORDS.has(`'${lower}'`)) {
    return `${directive}: ${shown} without quotes is a host name, not the keyword '${lower}'`;
  }
  if (SCHEME_SOURCE.test(source) || HOST_SOURCE.test(source)) return undefined;
  return `${directive}: ${shown} is not a valid source expression`;
}

// CSP3 §2.2.1 uses "ASCII whitespace": tab, LF, FF, CR, space.
const ASCII_WS = /[\t\n\f\r ]+/;

/** CSP3 §2.2.1: one serialized policy → its directives, noting what a browser would skip. */
export function parseCspPolicy(text: string, index: number): CspPolicy {
  const directives = new Map<string, string[]>();
  const problems: string[] = [];
  for (const raw of text.split(';')) {
    const token = raw.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '');
    if (token === '') continue;
    // eslint-disable-next-line no-control-regex
    if (!/^[\x00-\x7f]*$/.test(token)) {
      problems.push(`"${clip(token, 60)}" contains non-ASCII characters (the directive is skipped)`);
      continue;
    }
    const [rawName = '', ...values] = token.split(ASCII_WS);
    const name = rawName.toLowerCase();
    if (directives.has(name)) {
      problems.push(`${clip(name, 60)} appears twice: the second is ignored`);
      continue;
    }
    if (!/^[a-z0-9-]+$/.test(name)) {
      problems.push(`"${clip(rawName, 60)}" is not a directive name (ignored)`);
    } else if (!KNOWN_DIRECTIVES.has(name)) {
      problems.push(`${clip(name, 60)} is not a CSP directive (ignored)`);
    }
    directives.set(name, values);
    if (takesSourceList(name)) {
      for (const v of values) {
        const p = sourceProblem(clip(name, 60), v);
        if (p) problems.push(p);
      }
      if (values.length > 1 && values.some((v) => v.toLowerCase() === "'none'")) {
        problems.push(`${name}: 'none' is ignored when other sources are listed`);
      }
    }
  }
  return { index, text, directives, problems };
}

/**
 * CSP3 §2.2.2: every line, split on commas (a serialized policy cannot contain one), each a policy; a policy with
 * no directives is dropped, as browsers drop it.
 */
export function parseCspPolicies(lines: readonly string[]): CspPolicy[] {
  const policies: CspPolicy[] = [];
  let index = 0;
  for (const line of lines) {
    for (const part of line.split(',')) {
      index++;
      const p = parseCspPolicy(part, index);
      if (p.directives.size > 0) policies.push(p);
    }
  }
  return policies;
}

/** The enforced policies of a response (the `Content-Security-Policy` lines). */
export function enforcedPolicies(headers: RuleContext['facts']['response']['headers']): CspPolicy[] {
  return parseCspPolicies(fieldLines(headers, HEADER));
}

/** A source list as it governs a directive: the directive's own, else default-src's, else undefined (no limit). */
export function effectiveSources(p: CspPolicy, directive: string): string[] | undefined {
  const list = p.directives.get(directive) ?? p.directives.get('default-src');
  return list?.map((s) => s.toLowerCase());
}

const BROAD = new Set(['*', 'http:', 'https:', 'ftp:', 'http://*', 'https://*', 'http://*.*', 'https://*.*']);

export function isBroadSource(source: string): boolean {
  return BROAD.has(source.toLowerCase());
}

interface ScriptFreedom {
  inline: boolean;
  data: boolean;
  anyHost: boolean;
  eval: boolean;
}

/**
 * What one policy lets scripts do. Inline: CSP3 §6.7.3.3 — 'unsafe-inline' counts only without a nonce, a hash or
 * 'strict-dynamic' in the list. 'strict-dynamic' also makes host and scheme sources ignored (CSP3 §8.2), so a
 * broad or data: source next to it opens nothing.
 */
function scriptFreedom(p: CspPolicy): ScriptFreedom {
  const list = effectiveSources(p, 'script-src');
  if (list === undefined) return { inline: true, data: true, anyHost: true, eval: true };
  const nonceOrHash = list.some((s) => NONCE_OR_HASH.test(s));
  const strictDynamic = list.includes("'strict-dynamic'");
  return {
    inline: list.includes("'unsafe-inline'") && !nonceOrHash && !strictDynamic,
    data: !strictDynamic && list.includes('data:'),
    anyHost: !strictDynamic && list.some(isBroadSource),
    eval: list.includes("'unsafe-eval'"),
  };
}

function objectOpen(p: CspPolicy): boolean {
  const list = effectiveSources(p, 'object-src');
  return list === undefined || list.some(isBroadSource);
}

/** Some enforced policy has `default-src 'none'` (an empty value is 'none' too, CSP3 §2.3.1). */
export function hasDefaultNone(policies: readonly CspPolicy[]): boolean {
  return policies.some((p) => {
    const d = p.directives.get('default-src');
    return d !== undefined && (d.length === 0 || (d.length === 1 && d[0]!.toLowerCase() === "'none'"));
  });
}

function run(ctx: RuleContext): AuditFinding[] {
  const headers = ctx.facts.response.headers;
  const lines = fieldLines(headers, HEADER);
  const reportLines = fieldLines(headers, REPORT_ONLY);
  const policies = parseCspPolicies(lines);
  const C = CSP_CHECKS;
  const evidence = lines.map((l, i) =>
    lineEvidence(HEADER, l, lines.length > 1 ? `line ${i + 1}` : undefined),
  );
  const on = { header: HEADER };
  const findings: AuditFinding[] = [];

  if (reportLines.length > 0) {
    findings.push(
      findingOf(
        C.reportOnly,
        policies.length === 0
          ? 'Only a report-only CSP is sent: it reports violations and blocks nothing'
          : 'A report-only CSP is sent beside the enforced one (not counted as protection)',
        reportLines.map((l) => lineEvidence(REPORT_ONLY, l)),
        { header: REPORT_ONLY },
      ),
    );
  }
  if (policies.length === 0) {
    const spec = ctx.kind === 'api' ? C.apiMissing : C.missing;
    const why =
      lines.length > 0
        ? 'Content-Security-Policy has no directive a browser keeps'
        : 'No Content-Security-Policy header';
    return [findingOf(spec, why, lines.length > 0 ? evidence : [absentEvidence(HEADER)], on), ...findings];
  }

  const problems = lines.some((l) => l.trim() === '') ? ['an empty Content-Security-Policy line'] : [];
  for (const p of policies) {
    for (const problem of p.problems)
      problems.push(policies.length > 1 ? `policy ${p.index}: ${problem}` : problem);
  }
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (+${problems.length - 1} more)` : '';
    findings.push(
      findingOf(
        C.malformed,
        `Content-Security-Policy: ${problems[0]}${more}`,
        [...evidence, ...problems.slice(0, 10).map((note) => ({ header: HEADER, note }))],
        on,
      ),
    );
  }

  if (ctx.kind === 'api') {
    if (!hasDefaultNone(policies)) {
      findings.push(findingOf(C.apiNotNone, "No enforced policy sets default-src 'none'", evidence, on));
    }
    return capPoints(findings, CSP_CAP.api);
  }

  // A browser allows a thing only when every enforced policy allows it.
  const freedoms = policies.map(scriptFreedom);
  const all = (k: keyof ScriptFreedom): boolean => freedoms.every((f) => f[k]);
  const scope = policies.length === 1 ? 'the policy allows' : `all ${policies.length} policies allow`;
  if (all('inline'))
    findings.push(findingOf(C.unsafeInline, `Inline scripts run: ${scope} them`, evidence, on));
  if (all('data')) findings.push(findingOf(C.scriptData, `data: scripts run: ${scope} them`, evidence, on));
  if (all('anyHost')) {
    const unset = policies.every((p) => effectiveSources(p, 'script-src') === undefined);
    const message = unset
      ? 'Neither script-src nor default-src is set: scripts load from anywhere'
      : `Scripts load from any host: ${scope} it`;
    findings.push(findingOf(C.scriptWildcard, message, evidence, on));
  }
  if (all('eval'))
    findings.push(findingOf(C.unsafeEval, `eval() runs: ${scope} 'unsafe-eval'`, evidence, on));
  if (policies.every(objectOpen)) {
    findings.push(findingOf(C.objectSrc, 'object-src is not restricted', evidence, on));
  }
  return capPoints(findings, CSP_CAP.html);
}

export const cspRule: AuditRule = {
  name: 'csp',
  checks: Object.values(CSP_CHECKS),
  run,
};
