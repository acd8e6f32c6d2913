import type { HeaderLines, HeaderMap } from '../../headers.js';
import { checkPreflight, corsCheck, parseCorsHeaders } from '../../cors/index.js';
import { exchangeEvidence } from '../../cors/evidence.js';
import type { CorsExchange } from '../../cors/types.js';
import type { AuditFinding, AuditResponse, AuditRule, CheckSpec, RuleContext } from '../types.js';

/**
 * The quick CORS check: one preflight from a foreign origin nobody owns (`https://apikit-audit.invalid`, so no
 * allow-list can contain it) plus the main response's own CORS headers, judged with `apikit probe cors`'s
 * reading of the Fetch standard (src/lib/cors: parseCorsHeaders, corsCheck, checkPreflight). A server that
 * echoes that origin echoes every origin. The full picture (prefix/suffix bypasses, null, dev hosting) is
 * `apikit probe cors`; this only says whether to run it.
 */

const BOTH = ['api', 'html'] as const;
const FETCH = 'Fetch Standard §3.2 (CORS protocol); OWASP REST Security Cheat Sheet (CORS)';

export const CORS_CHECKS = {
  reflectedWithCredentials: {
    id: 'audit.cors.reflected-origin-credentials',
    category: 'cors',
    severity: 'high',
    points: -25,
    kinds: BOTH,
    title: 'Any origin is allowed with credentials (the Origin is reflected)',
    advice:
      'Echo only allow-listed origins, compared exactly; run `apikit probe cors --origin <trusted>` for the whole rule.',
    reference: FETCH,
  },
  reflected: {
    id: 'audit.cors.reflected-origin',
    category: 'cors',
    severity: 'low',
    points: -5,
    kinds: BOTH,
    title: 'Any origin is allowed (the Origin is reflected), without credentials',
    advice:
      'Use `Access-Control-Allow-Origin: *` for a public API, or echo only allow-listed origins; reflecting any origin hides which one is meant.',
    reference: FETCH,
  },
  nullOrigin: {
    id: 'audit.cors.null-origin',
    category: 'cors',
    severity: 'medium',
    points: -10,
    kinds: BOTH,
    title: 'Access-Control-Allow-Origin: null',
    advice:
      'Never allow the origin "null": any page can get it with a sandboxed iframe or a data: URL. Name real origins.',
    reference: `${FETCH}; W3C CORS note (null origin)`,
  },
  wildcardWithCredentials: {
    id: 'audit.cors.wildcard-credentials',
    category: 'cors',
    severity: 'low',
    points: -5,
    kinds: BOTH,
    title: 'Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true',
    advice:
      'Browsers refuse every credentialed read with *: drop credentials and keep *, or echo allow-listed origins with credentials.',
    reference: 'Fetch Standard §3.2.5 (CORS protocol and credentials)',
  },
} as const satisfies Record<string, CheckSpec>;

const C = CORS_CHECKS;

const headerMap = (h: HeaderLines): HeaderMap =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k, [...v]]));

function exchangeOf(
  r: AuditResponse,
  kind: CorsExchange['kind'],
  requestMethod: string | null,
  requestHeaders: string[],
): CorsExchange {
  return {
    kind,
    method: r.method,
    request_method: requestMethod,
    request_headers: requestHeaders,
    status: r.status,
    headers: parseCorsHeaders(headerMap(r.headers)),
    error: null,
  };
}

function finding(spec: CheckSpec, message: string, evidence: AuditFinding['evidence']): AuditFinding {
  return {
    id: spec.id,
    severity: spec.severity,
    points: spec.points,
    category: spec.category,
    header: 'access-control-allow-origin',
    message,
    evidence,
    advice: spec.advice,
  };
}

function run(ctx: RuleContext): AuditFinding[] {
  const { facts } = ctx;
  const out: AuditFinding[] = [];
  const main = exchangeOf(facts.response, 'actual', null, []);
  const cors = facts.cors;
  const pre =
    cors?.preflight === undefined
      ? null
      : exchangeOf(
          cors.preflight,
          'preflight',
          facts.response.method,
          facts.authenticated ? ['authorization'] : [],
        );
  const origin = cors?.origin ?? '';
  // The main request carries no Origin: its evidence line says so.
  const mainEvidence = (keys: ('acao' | 'acac')[]) =>
    exchangeEvidence(facts.response.url, '(none sent)', main, keys);

  if (pre !== null) {
    const acao = pre.headers.acao;
    if (acao === origin && corsCheck(origin, pre.headers, true).ok) {
      const passes = checkPreflight(origin, pre, facts.response.method, pre.request_headers, true).ok;
      out.push(
        finding(
          C.reflectedWithCredentials,
          `The preflight from ${origin} is answered with that origin and credentials: any site can send credentialed requests${passes ? ' — and this preflight passes' : ''}`,
          exchangeEvidence(facts.response.url, origin, pre, ['acao', 'acac']),
        ),
      );
    } else if (acao === origin) {
      out.push(
        finding(
          C.reflected,
          `The preflight from ${origin} is answered with that origin: any site can read uncredentialed responses`,
          exchangeEvidence(facts.response.url, origin, pre, ['acao', 'acac']),
        ),
      );
    }
  }

  const nullOn = [main, pre].filter((e): e is CorsExchange => e !== null && e.headers.acao === 'null');
  if (nullOn.length > 0) {
    const ex = nullOn[0]!;
    out.push(
      finding(
        C.nullOrigin,
        'Access-Control-Allow-Origin: null — sandboxed iframes and data: URLs of any site have that origin',
        ex === main
          ? mainEvidence(['acao', 'acac'])
          : exchangeEvidence(facts.response.url, origin, ex, ['acao', 'acac']),
      ),
    );
  }

  const wild = [main, pre].find((e) => e !== null && e.headers.acao === '*' && e.headers.acac === 'true');
  if (wild !== undefined && wild !== null) {
    out.push(
      finding(
        C.wildcardWithCredentials,
        'Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true — browsers refuse every credentialed read',
        wild === main
          ? mainEvidence(['acao', 'acac'])
          : exchangeEvidence(facts.response.url, origin, wild, ['acao', 'acac']),
      ),
    );
  }
  return out;
}

export const corsRule: AuditRule = {
  name: 'cors',
  checks: Object.values(CORS_CHECKS),
  run,
};
