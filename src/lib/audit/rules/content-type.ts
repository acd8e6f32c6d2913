import { fieldLines } from '../../headers.js';
import type { AuditFinding, AuditRule, CheckSpec, RuleContext } from '../types.js';
import { absentEvidence, findingOf, lineEvidence } from './header-common.js';
import { isJsonType, readMediaType } from '../../media-type.js';

/**
 * The Content-Type says what the body is (OWASP REST Security Cheat Sheet, "Send safe response content types"):
 * a JSON API labels its JSON as JSON — `application/json` or a `+json` type (RFC 6839 §3.1) — never as
 * `text/html`, which a browser renders as a page, so any string in the JSON becomes markup; a text type names its
 * charset, or the browser guesses the encoding, and a guessed encoding (UTF-7, ISO-2022-JP) turns harmless bytes
 * into script (HTML §13.2.3, the encoding sniffing algorithm). `application/json` needs no charset: RFC 8259 §11
 * defines none and §8.1 makes JSON UTF-8, so its absence is only noted.
 *
 * The media type is read by RFC 9110 §8.3.1's grammar (type "/" subtype, then `; name=value` with a token or a
 * quoted string): no media-type parser is among apikit's dependencies, and the grammar is four productions.
 */

const HEADER = 'content-type';
const both = ['api', 'html'] as const;
const api = ['api'] as const;
const OWASP = 'OWASP REST Security Cheat Sheet (Send safe response content types)';

export const CONTENT_TYPE_CHECKS = {
  missing: {
    id: 'audit.content-type.missing',
    category: 'content',
    severity: 'medium',
    points: -5,
    kinds: both,
    title: 'A response with a body has no Content-Type',
    advice:
      'Send the body’s media type (`application/json` for JSON): without one, browsers sniff the body and may ' +
      'run it as HTML.',
    reference: `RFC 9110 §8.3 (a sender SHOULD generate Content-Type); ${OWASP}`,
  },
  malformed: {
    id: 'audit.content-type.malformed',
    category: 'content',
    severity: 'medium',
    points: -5,
    kinds: both,
    title: 'Content-Type is not a valid media type, or is sent twice with different values',
    advice:
      'Send one `Content-Type: type/subtype[; charset=utf-8]`: what a client makes of anything else is a guess.',
    reference: 'RFC 9110 §8.3.1 (media-type grammar), §5.3',
  },
  jsonAsHtml: {
    id: 'audit.content-type.json-as-html',
    category: 'content',
    severity: 'high',
    points: -10,
    kinds: api,
    title: 'A JSON body is served as text/html',
    advice:
      'Serve JSON as `application/json`: as text/html a browser renders it, so a string in it such as ' +
      '`<img src=x onerror=…>` runs as script on your origin (reflected XSS).',
    reference: OWASP,
  },
  jsonMislabelled: {
    id: 'audit.content-type.json-mislabelled',
    category: 'content',
    severity: 'low',
    points: -3,
    kinds: api,
    title: 'A JSON body is served with a media type that is not JSON',
    advice:
      'Serve JSON as `application/json` or a `+json` type (`application/problem+json`, ' +
      '`application/vnd.acme.v2+json`): clients and browsers treat other types as text or sniff them.',
    reference: `RFC 8259 §11; RFC 6839 §3.1; ${OWASP}`,
  },
  jsonCharset: {
    id: 'audit.content-type.json-not-utf8',
    category: 'content',
    severity: 'low',
    points: -2,
    kinds: api,
    title: 'JSON is labelled with a charset other than UTF-8',
    advice:
      'Encode JSON as UTF-8 and say `charset=utf-8` or nothing: RFC 8259 §8.1 requires UTF-8 between systems.',
    reference: 'RFC 8259 §8.1',
  },
  jsonNoCharset: {
    id: 'audit.content-type.json-no-charset',
    category: 'content',
    severity: 'info',
    points: 0,
    kinds: api,
    title: 'application/json without charset',
    advice:
      'Correct as it is (RFC 8259 §11 defines no charset for application/json and §8.1 makes JSON UTF-8); add ' +
      '`; charset=utf-8` only for old clients that decode text by the charset parameter.',
    reference: 'RFC 8259 §8.1, §11',
  },
  noCharset: {
    id: 'audit.content-type.no-charset',
    category: 'content',
    severity: 'low',
    points: -2,
    kinds: both,
    title: 'A text type without charset',
    advice:
      'Add `; charset=utf-8` (for HTML, or `<meta charset="utf-8">` in the first 1024 bytes): otherwise the ' +
      'browser guesses the encoding, and a guessed UTF-7 or ISO-2022-JP reads harmless bytes as script.',
    reference: 'HTML Living Standard §13.2.3.2 (determining the character encoding); RFC 9110 §8.3.2',
  },
} as const satisfies Record<string, CheckSpec>;

/**
 * Whether the body sample is JSON: it parses, or — when the sample was cut at BODY_SAMPLE_BYTES — it starts like
 * a JSON object or array. Scalars (`"ok"`, `42`) are left out: a text body that happens to be a number is no sign.
 */
function looksLikeJson(body: string | undefined, bodyBytes: number | undefined): boolean {
  const text = body?.replace(/^\uFEFF/, '').trim() ?? '';
  if (!/^[[{]/.test(text)) return false;
  const truncated = bodyBytes !== undefined && bodyBytes > new TextEncoder().encode(body ?? '').length;
  if (truncated) return true;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A body is there: bytes were received, or (offline, no length known) a sample was. 204/304/HEAD have none. */
function hasBody(ctx: RuleContext): boolean {
  const r = ctx.facts.response;
  if (r.method.toUpperCase() === 'HEAD' || r.status === 204 || r.status === 304) return false;
  if (r.bodyBytes !== undefined) return r.bodyBytes > 0;
  return (r.body ?? '').length > 0;
}

/** HTML's prescan looks for a `<meta charset>` in the first 1024 bytes (HTML §13.2.3.2). */
function declaresCharsetInMarkup(body: string | undefined): boolean {
  return /<meta[^>]+charset\s*=/i.test((body ?? '').slice(0, 1024));
}

function run(ctx: RuleContext): AuditFinding[] {
  const C = CONTENT_TYPE_CHECKS;
  const { body, bodyBytes } = ctx.facts.response;
  const lines = fieldLines(ctx.facts.response.headers, HEADER);
  const opts = { header: HEADER };
  const applies = (spec: CheckSpec) => spec.kinds.includes(ctx.kind);

  if (lines.length === 0) {
    if (!hasBody(ctx)) return [];
    return [
      findingOf(C.missing, 'The response has a body but no Content-Type', [absentEvidence(HEADER)], opts),
    ];
  }
  const distinct = [...new Set(lines.map((l) => l.trim()))];
  if (distinct.length > 1) {
    return [
      findingOf(
        C.malformed,
        `Content-Type is sent ${lines.length} times with different values`,
        lines.map((l) => lineEvidence(HEADER, l)),
        opts,
      ),
    ];
  }
  const value = distinct[0]!;
  const media = readMediaType(value);
  const ev = [lineEvidence(HEADER, value)];
  if ('error' in media) {
    return [
      findingOf(
        C.malformed,
        `Content-Type "${value.slice(0, 80)}" is not a media type (${media.error})`,
        ev,
        opts,
      ),
    ];
  }

  const findings: AuditFinding[] = [];
  const charset = media.params.get('charset')?.toLowerCase();
  const json = isJsonType(media.essence);
  if (applies(C.jsonAsHtml) && !json && looksLikeJson(body, bodyBytes)) {
    if (media.essence === 'text/html') {
      findings.push(
        findingOf(C.jsonAsHtml, 'The JSON body is served as text/html: a browser renders it', ev, opts),
      );
    } else {
      findings.push(findingOf(C.jsonMislabelled, `The JSON body is served as ${media.essence}`, ev, opts));
    }
  }
  if (json && applies(C.jsonCharset)) {
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      findings.push(findingOf(C.jsonCharset, `JSON labelled charset=${charset.slice(0, 40)}`, ev, opts));
    } else if (charset === undefined && media.essence === 'application/json') {
      findings.push(
        findingOf(C.jsonNoCharset, 'application/json without charset (correct: JSON is UTF-8)', ev, opts),
      );
    }
  }
  if (media.essence.startsWith('text/') && charset === undefined && hasBody(ctx)) {
    const markup = media.essence === 'text/html' && declaresCharsetInMarkup(body);
    if (!markup) findings.push(findingOf(C.noCharset, `${media.essence} without charset`, ev, opts));
  }
  return findings;
}

export const contentTypeRule: AuditRule = {
  name: 'content-type',
  checks: Object.values(CONTENT_TYPE_CHECKS),
  run,
};
