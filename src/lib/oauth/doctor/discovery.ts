import { terminalSafe } from '../../text/terminal-safe.js';
import { discoveryUrls, isLoopbackHost } from '../metadata.js';
import type { Answer, Check, DoctorFacts } from './types.js';

/**
 * The discovery part of the checklist: which of the two documents answered (RFC 8414 §3, then OIDC Discovery §4),
 * whether the one used names exactly the issuer it was fetched for (RFC 8414 §3.3 — the mix-up defence), and
 * whether its endpoints can be used (https, or http on loopback). Never throws on what a server sent.
 */

export type Metadata = Record<string, unknown>;

export interface DocumentState {
  kind: 'RFC 8414' | 'OpenID Connect';
  url: string;
  /** One line: what came back. */
  summary: string;
  doc?: Metadata;
}

export interface DiscoveryReading {
  documents: DocumentState[];
  /** The document the rest of the checklist reads (RFC 8414's when both are there). */
  meta?: Metadata;
  source?: string;
  /** The document names exactly the issuer given: its endpoints and keys may be fetched and probed. */
  trusted: boolean;
}

/** A server's value for evidence: sanitised, cut short; a string in quotes, anything else as JSON. */
export function q(value: unknown, max = 120): string {
  if (typeof value !== 'string') return terminalSafe(JSON.stringify(value) ?? String(value), max);
  return `"${terminalSafe(value, max)}"`;
}

/** An own member of a parsed document (never Object.prototype's `constructor` or `__proto__`). */
export function member(doc: Metadata | undefined, name: string): unknown {
  return doc !== undefined && Object.hasOwn(doc, name) ? doc[name] : undefined;
}

export function readDiscovery(facts: DoctorFacts): DiscoveryReading {
  const kinds = ['RFC 8414', 'OpenID Connect'] as const;
  const documents = facts.discovery.map((answer, i) => readAnswer(kinds[i] ?? 'OpenID Connect', answer));
  const used = documents.find((d) => d.doc !== undefined);
  return {
    documents,
    meta: used?.doc,
    source: used?.url,
    trusted: used !== undefined && member(used.doc, 'issuer') === facts.issuer,
  };
}

function readAnswer(kind: DocumentState['kind'], answer: Answer): DocumentState {
  const base = { kind, url: answer.url };
  if (answer.status === undefined) {
    const message = terminalSafe(answer.error?.message ?? 'unknown error', 200);
    // An answer over the body cap came, and was cut off: the server is there, its document is not usable.
    return {
      ...base,
      summary:
        answer.error?.code === 'ERR_HTTP_BODY_TOO_LARGE' ? `refused: ${message}` : `no answer (${message})`,
    };
  }
  if (answer.status !== 200) {
    const redirect =
      answer.status >= 300 && answer.status < 400 ? ', a redirect (not followed for metadata)' : '';
    return { ...base, summary: `HTTP ${answer.status}${redirect}` };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(answer.body ?? '');
  } catch {
    return {
      ...base,
      summary: `HTTP 200, but the body is not JSON (${(answer.body ?? '').length} characters)`,
    };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { ...base, summary: 'HTTP 200, but the JSON is not an object' };
  }
  return { ...base, summary: 'HTTP 200, a JSON object', doc: doc as Metadata };
}

export function discoveryCheck(facts: DoctorFacts, reading: DiscoveryReading): Check {
  const title = 'discovery document (RFC 8414, then OpenID Connect Discovery)';
  if (facts.issuerInsecure) {
    return {
      id: 'discovery',
      title,
      status: 'fail',
      evidence: [
        `the issuer ${q(facts.issuer)} is plain http on a host that is not loopback: nothing was fetched`,
      ],
      advice: 'serve the issuer over https (RFC 8414 §2); plain http is acceptable only on loopback',
    };
  }
  const evidence = reading.documents.map((d) => `${d.kind} ${d.url}: ${d.summary}`);
  if (!reading.meta) {
    const [rfc, oidc] = discoveryUrls(facts.issuer);
    return {
      id: 'discovery',
      title,
      status: 'fail',
      evidence,
      advice: `publish the metadata as a JSON object at ${rfc} (RFC 8414 §3) or ${oidc} (OIDC Discovery §4)`,
    };
  }
  evidence.push(`read ${reading.source}`);
  const [first, second] = reading.documents;
  if (first?.doc && second?.doc) {
    const differ = ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'].filter(
      (f) => JSON.stringify(member(first.doc, f)) !== JSON.stringify(member(second.doc, f)),
    );
    if (differ.length > 0) {
      return {
        id: 'discovery',
        title,
        status: 'warn',
        evidence: [...evidence, `the two documents disagree on ${differ.join(', ')}`],
        advice:
          'serve one set of metadata at both locations: clients that read the other document get other endpoints',
      };
    }
  }
  return { id: 'discovery', title, status: 'pass', evidence, advice: null };
}

export function issuerCheck(facts: DoctorFacts, reading: DiscoveryReading): Check {
  const title = 'issuer identical to the URL given (RFC 8414 §3.3, OIDC Discovery §4.3)';
  if (!reading.meta) return skipped('issuer', title);
  const named = member(reading.meta, 'issuer');
  if (typeof named !== 'string') {
    return {
      id: 'issuer',
      title,
      status: 'fail',
      evidence: [`the document has no "issuer" string (${named === undefined ? 'absent' : q(named)})`],
      advice: 'put "issuer" in the metadata: exactly the URL the document is served for',
    };
  }
  if (named === facts.issuer) {
    return { id: 'issuer', title, status: 'pass', evidence: [`"issuer": ${q(named)}`], advice: null };
  }
  const slashOnly = named.replace(/\/$/, '') === facts.issuer.replace(/\/$/, '');
  return {
    id: 'issuer',
    title,
    status: 'fail',
    evidence: [
      `the document names issuer ${q(named)}, not ${q(facts.issuer)}`,
      'its endpoints and keys were not fetched: a document for another issuer is what a mix-up attack looks like',
    ],
    advice: slashOnly
      ? `give --issuer exactly as the server declares it (${q(named)}): the trailing slash counts`
      : 'the metadata must name the issuer it is served for, character for character',
  };
}

/** Endpoints `apikit login` (and logout, token, jwt verify) use, and the other URLs a document may name. */
const URL_FIELDS = [
  'authorization_endpoint',
  'token_endpoint',
  'jwks_uri',
  'revocation_endpoint',
  'introspection_endpoint',
  'device_authorization_endpoint',
  'userinfo_endpoint',
  'end_session_endpoint',
  'registration_endpoint',
  'pushed_authorization_request_endpoint',
];

/** Why a URL from the document cannot be used by apikit, or undefined when it can. */
export function urlProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `is not a string (${q(value, 60)})`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${q(value)} is not a URL`;
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    return isLoopbackHost(url.hostname) ? undefined : `${q(value)} is plain http (not loopback)`;
  }
  return `${q(value)} is not an https URL`;
}

export function endpointsCheck(reading: DiscoveryReading): Check {
  const title = 'endpoints present, https (or http on loopback)';
  const meta = reading.meta;
  if (!meta) return skipped('endpoints', title);
  const problems: string[] = [];
  for (const field of ['authorization_endpoint', 'token_endpoint']) {
    if (member(meta, field) === undefined) problems.push(`no "${field}" (apikit login needs it)`);
  }
  const fine: string[] = [];
  for (const field of URL_FIELDS) {
    const value = member(meta, field);
    if (value === undefined) continue;
    const problem = urlProblem(value);
    if (problem) problems.push(`"${field}" ${problem}`);
    else fine.push(field);
  }
  if (problems.length > 0) {
    return {
      id: 'endpoints',
      title,
      status: 'fail',
      evidence: problems,
      advice:
        'advertise an authorization_endpoint and a token_endpoint, every endpoint as an https URL ' +
        '(RFC 8414 §2; tokens and codes must not travel in clear text)',
    };
  }
  return { id: 'endpoints', title, status: 'pass', evidence: [`usable: ${fine.join(', ')}`], advice: null };
}

export function skipped(id: Check['id'], title: string, why = 'no usable discovery document'): Check {
  return { id, title, status: 'skip', evidence: [`not checked: ${why}`], advice: null };
}
