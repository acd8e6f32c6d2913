import type { FindingEvidence } from '../../findings.js';
import type { AuditFinding, AuditRule, CheckSpec, RuleContext, TlsCertificate } from '../types.js';
import { isLoopbackHost } from '../../loopback.js';
import { plainHttp, urlHost } from '../facts.js';

/**
 * Transport: plain http, the http:// twin's redirect to https, the TLS protocol versions the server accepts, and
 * its certificate (trusted, days to expiry). Judged only from facts a live run gathered: offline (--headers) and
 * --assume-https there are none, and no transport finding is made.
 */

const BOTH = ['api', 'html'] as const;
const MOZILLA_TLS = 'Mozilla Server Side TLS guidelines; RFC 8996';

export const TRANSPORT_CHECKS = {
  plainHttp: {
    id: 'audit.transport.plain-http',
    category: 'transport',
    severity: 'high',
    points: -30,
    kinds: BOTH,
    title: 'Served over plain http',
    advice: 'Serve the API over https only, and redirect http:// to https:// (or do not listen on port 80).',
    reference: 'OWASP REST Security Cheat Sheet (HTTPS); RFC 9110 §4.2.2',
  },
  redirectMissing: {
    id: 'audit.transport.redirect-missing',
    category: 'transport',
    severity: 'medium',
    points: -15,
    kinds: BOTH,
    title: 'The http:// twin answers without redirecting to https',
    advice:
      'Answer every http:// request with 301 or 308 to the same https:// URL (or refuse the connection), so no credential is ever sent in clear twice.',
    reference: 'RFC 6797 §7.2; Mozilla Web Security guidelines (HTTP redirections)',
  },
  redirectNotHttps: {
    id: 'audit.transport.redirect-not-https',
    category: 'transport',
    severity: 'medium',
    points: -15,
    kinds: BOTH,
    title: 'The http:// twin redirects, but not to https',
    advice:
      'Redirect http:// straight to https:// on the same host; a first hop to another http:// URL is sent in clear.',
    reference: 'RFC 6797 §7.2; Mozilla Web Security guidelines (HTTP redirections)',
  },
  redirectOffHost: {
    id: 'audit.transport.redirect-off-host',
    category: 'transport',
    severity: 'low',
    points: -5,
    kinds: BOTH,
    title: 'The http:// twin redirects to https on another host',
    advice:
      'Redirect to https:// on the same host first (so its HSTS policy is set), then to the other host.',
    reference: 'RFC 6797 §7.2; Mozilla HTTP Observatory (redirection-off-host-from-http)',
  },
  legacyTls: {
    id: 'audit.tls.legacy-protocol',
    category: 'transport',
    severity: 'high',
    points: -20,
    kinds: BOTH,
    title: 'TLS 1.0 or TLS 1.1 is accepted',
    advice: 'Refuse TLS 1.0 and 1.1 (deprecated by RFC 8996); accept TLS 1.2 and 1.3 only.',
    reference: `RFC 8996; ${MOZILLA_TLS}`,
  },
  certUntrusted: {
    id: 'audit.tls.cert-untrusted',
    category: 'transport',
    severity: 'high',
    points: -30,
    kinds: BOTH,
    title: 'The certificate does not verify (chain or host name)',
    advice:
      'Serve a certificate from a trusted CA that names the host, with the intermediate certificates; for a private CA give apikit --ca.',
    reference: 'RFC 5280 §6; RFC 6125 §6',
  },
  certExpired: {
    id: 'audit.tls.cert-expired',
    category: 'transport',
    severity: 'critical',
    points: -40,
    kinds: BOTH,
    title: 'A certificate in the chain has expired (or is not yet valid)',
    advice: 'Renew the certificate now, and automate renewal (ACME, RFC 8555).',
    reference: 'RFC 5280 §4.1.2.5',
  },
  certExpiringWeek: {
    id: 'audit.tls.cert-expiring-7d',
    category: 'transport',
    severity: 'high',
    points: -20,
    kinds: BOTH,
    title: 'A certificate in the chain expires within 7 days',
    advice: 'Renew the certificate now, and automate renewal (ACME, RFC 8555) well before expiry.',
    reference: 'RFC 5280 §4.1.2.5',
  },
  certExpiringMonth: {
    id: 'audit.tls.cert-expiring-30d',
    category: 'transport',
    severity: 'medium',
    points: -10,
    kinds: BOTH,
    title: 'A certificate in the chain expires within 30 days',
    advice: 'Renew the certificate soon; automated renewal usually starts 30 days before expiry.',
    reference: 'RFC 5280 §4.1.2.5',
  },
} as const satisfies Record<string, CheckSpec>;

const C = TRANSPORT_CHECKS;
const DAY_MS = 86_400_000;

function finding(spec: CheckSpec, message: string, evidence: FindingEvidence[]): AuditFinding {
  return {
    id: spec.id,
    severity: spec.severity,
    points: spec.points,
    category: spec.category,
    message,
    evidence,
    advice: spec.advice,
  };
}

function plainHttpFindings(ctx: RuleContext): AuditFinding[] {
  const { facts } = ctx;
  if (!plainHttp(facts) || isLoopbackHost(urlHost(facts.url))) return [];
  return [
    finding(
      C.plainHttp,
      'The API is served over plain http: requests, credentials and responses cross the network in clear',
      [{ request: `${facts.response.method} ${facts.url}`, status: facts.response.status }],
    ),
  ];
}

/** The statuses a client follows with the Location (RFC 9110 §15.4; 300 and 304 are not redirects to follow). */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function redirectFindings(ctx: RuleContext): AuditFinding[] {
  const r = ctx.facts.redirect;
  if (r === undefined || ctx.facts.assumeHttps || r.status === undefined) return [];
  const evidence: FindingEvidence = { request: `GET ${r.url}`, status: r.status };
  if (r.location !== undefined) {
    evidence.header = 'location';
    evidence.value = r.location;
  }
  const isRedirect = REDIRECT_STATUSES.has(r.status) && r.location !== undefined;
  if (!isRedirect) {
    return [
      finding(C.redirectMissing, `${r.url} answers ${r.status} instead of redirecting to https`, [evidence]),
    ];
  }
  let from: URL;
  let to: URL;
  try {
    from = new URL(r.url);
    to = new URL(r.location!, r.url);
  } catch {
    return [finding(C.redirectNotHttps, `${r.url} redirects to an unusable Location`, [evidence])];
  }
  if (to.protocol !== 'https:') {
    return [finding(C.redirectNotHttps, `${r.url} redirects to ${to.href}, not to https`, [evidence])];
  }
  if (to.hostname !== from.hostname) {
    return [
      finding(C.redirectOffHost, `${r.url} redirects to https on another host (${to.host})`, [evidence]),
    ];
  }
  return [];
}

function protocolFindings(ctx: RuleContext): AuditFinding[] {
  const tls = ctx.facts.tls;
  if (tls === undefined || ctx.facts.assumeHttps) return [];
  const legacy = tls.protocols.filter(
    (p) => p.accepted && (p.version === 'TLSv1' || p.version === 'TLSv1.1'),
  );
  if (legacy.length === 0) return [];
  const names = legacy.map((p) => p.version).join(' and ');
  return [
    finding(
      C.legacyTls,
      `${tls.host}:${tls.port} completes a handshake with ${names}`,
      legacy.map((p) => ({ note: `${p.version} accepted${p.cipher === undefined ? '' : ` (${p.cipher})`}` })),
    ),
  ];
}

/** The expiry codes OpenSSL reports: these are judged by the dates below, not a second time as "untrusted". */
const DATE_ERRORS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

function certificateFindings(ctx: RuleContext): AuditFinding[] {
  const tls = ctx.facts.tls;
  if (tls === undefined || ctx.facts.assumeHttps) return [];
  const out: AuditFinding[] = [];
  if (!tls.authorized && !(tls.authorizationError !== undefined && DATE_ERRORS.has(tls.authorizationError))) {
    const leaf = tls.chain[0];
    out.push(
      finding(
        C.certUntrusted,
        `The certificate of ${tls.host}:${tls.port} does not verify${tls.authorizationError === undefined ? '' : `: ${tls.authorizationError}`}`,
        [
          {
            note: [
              tls.authorizationError ?? 'not authorized',
              leaf === undefined ? undefined : `subject ${leaf.subject}, issuer ${leaf.issuer}`,
              leaf?.selfSigned ? 'self-signed' : undefined,
            ]
              .filter((x) => x !== undefined)
              .join('; '),
          },
        ],
      ),
    );
  }
  const dated = tls.chain
    .map((cert) => ({ cert, to: Date.parse(cert.validTo), from: Date.parse(cert.validFrom) }))
    .filter((c) => Number.isFinite(c.to));
  const notYet = dated.find((c) => Number.isFinite(c.from) && c.from > ctx.now);
  const first = [...dated].sort((a, b) => a.to - b.to)[0];
  if (first === undefined) return out;
  const daysLeft = (first.to - ctx.now) / DAY_MS;
  const ev = (cert: TlsCertificate, note: string): FindingEvidence[] => [
    { note: `${note}: ${cert.subject} (issuer ${cert.issuer}), valid ${cert.validFrom} to ${cert.validTo}` },
  ];
  if (daysLeft < 0) {
    out.push(
      finding(
        C.certExpired,
        `A certificate of ${tls.host} expired on ${first.cert.validTo}`,
        ev(first.cert, 'expired'),
      ),
    );
  } else if (notYet !== undefined) {
    out.push(
      finding(
        C.certExpired,
        `A certificate of ${tls.host} is not valid before ${notYet.cert.validFrom}`,
        ev(notYet.cert, 'not yet valid'),
      ),
    );
  } else if (daysLeft < 7) {
    out.push(
      finding(
        C.certExpiringWeek,
        `A certificate of ${tls.host} expires in ${Math.floor(daysLeft)} days`,
        ev(first.cert, 'expires soon'),
      ),
    );
  } else if (daysLeft < 30) {
    out.push(
      finding(
        C.certExpiringMonth,
        `A certificate of ${tls.host} expires in ${Math.floor(daysLeft)} days`,
        ev(first.cert, 'expires soon'),
      ),
    );
  }
  return out;
}

export const transportRule: AuditRule = {
  name: 'transport',
  checks: Object.values(TRANSPORT_CHECKS),
  run: (ctx) => [
    ...plainHttpFindings(ctx),
    ...redirectFindings(ctx),
    ...protocolFindings(ctx),
    ...certificateFindings(ctx),
  ],
};
