import { UsageError } from '../../errors.js';
import { AUDIT_TARGETS, type AuditTarget } from '../../lib/audit/types.js';
import { parseGrade, type Grade } from '../../lib/findings.js';
import { hasTransportFlags, type HttpFlags } from '../shared/http-flags.js';
import { isLoopbackHost } from '../../lib/loopback.js';
import {
  AUDIT_FORMATS,
  parseFormatFlag,
  parseMethod,
  parseTargetUrl,
  quote,
  type AuditFormat,
} from '../shared/probe-flags.js';

/**
 * The values of `apikit audit`'s own flags, each checked before anything is read or sent: a bad value, or two
 * flags that cannot go together, is one line naming them (exit 2).
 */

/** A saved HAR with bodies can be large; a response's headers never are. */
export const HEADERS_INPUT_LIMIT = 32 * 1024 * 1024;
/** A --ca bundle: a few certificates, not a trust store dump. */
export const CA_INPUT_LIMIT = 1024 * 1024;

export function parseAuditFormat(format: string | undefined, json: boolean): AuditFormat {
  return parseFormatFlag(AUDIT_FORMATS, format, json);
}

export function parseAuditTarget(value: string | undefined): AuditTarget {
  if (value === undefined) return 'auto';
  const wanted = value.trim().toLowerCase();
  const found = AUDIT_TARGETS.find((t) => t === wanted);
  if (found === undefined) {
    throw new UsageError(
      `--target ${quote(value)} is not one of ${AUDIT_TARGETS.join(', ')}`,
      'ERR_USAGE_TARGET',
    );
  }
  return found;
}

export function parseFailUnder(value: string | undefined): Grade | undefined {
  return value === undefined ? undefined : parseGrade('--fail-under', value);
}

/**
 * -X: the method of the audited request (default GET). OPTIONS is the preflight the audit sends itself; a method
 * with side effects is allowed (an API's POST has headers too) but announced before it is sent.
 */
export function parseAuditMethod(value: string | undefined): string {
  if (value === undefined) return 'GET';
  const method = parseMethod(value);
  if (method === 'OPTIONS') {
    throw new UsageError(
      '-X OPTIONS: the audit sends its own CORS preflight (OPTIONS); give the method a client uses',
      'ERR_USAGE_METHOD',
    );
  }
  return method;
}

export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

/** What the command knows about the target before anything is read: the URL (optional offline) and the mode. */
export interface AuditTargetFlags {
  url: string | undefined;
  headers?: string;
  assumeHttps?: boolean;
  ca?: string;
  httpUrl?: string;
  /** -X, which only means something when a request is sent. */
  request?: string;
}

/** The target URL checked against the mode: live needs one; --assume-https only for loopback http; … */
export function checkAuditTarget(
  flags: AuditTargetFlags,
  http: HttpFlags,
): { url: string | undefined; httpUrl: string | undefined } {
  const offline = flags.headers !== undefined;
  if (flags.url === undefined && !offline) {
    throw new UsageError(
      'give the URL to audit (or --headers FILE to audit a saved response)',
      'ERR_USAGE_URL',
      {
        hint: 'apikit audit https://api.example.com/v1/me',
      },
    );
  }
  const target = flags.url === undefined ? undefined : parseTargetUrl(flags.url);
  if (offline) {
    const network = [
      ...(hasTransportFlags(http) ? ['-H/--timeout/--connect-timeout/--max-body'] : []),
      ...(http.bearerEnv !== undefined ? ['--bearer-env'] : []),
      ...(http.apiKeyEnv !== undefined || http.apiKeyHeader !== undefined ? ['--api-key-env'] : []),
      ...(http.basicEnv !== undefined ? ['--basic-env'] : []),
      ...(http.profile !== undefined ? ['--profile'] : []),
      ...(flags.ca !== undefined ? ['--ca'] : []),
      ...(flags.httpUrl !== undefined ? ['--http-url'] : []),
      ...(flags.request !== undefined ? ['-X'] : []),
    ];
    if (network.length > 0) {
      throw new UsageError(
        `--headers audits a saved response, offline: ${network[0]} would apply to a request that is never sent`,
        'ERR_USAGE_FLAG_CONFLICT',
      );
    }
    return { url: target?.href, httpUrl: undefined };
  }
  const url = target!;
  if (flags.assumeHttps === true) {
    if (url.protocol !== 'http:' || !isLoopbackHost(url.hostname)) {
      throw new UsageError(
        '--assume-https is for a loopback http URL (a local server behind a TLS proxy): ' +
          (url.protocol === 'https:'
            ? 'this URL is https already'
            : 'this one crosses a network in clear text'),
        'ERR_USAGE_ASSUME_HTTPS',
      );
    }
  }
  if (flags.ca !== undefined && url.protocol !== 'https:') {
    throw new UsageError('--ca applies to an https URL (its certificate chain)', 'ERR_USAGE_FLAG_CONFLICT');
  }
  let httpUrl: string | undefined;
  if (flags.httpUrl !== undefined) {
    if (url.protocol !== 'https:') {
      throw new UsageError(
        '--http-url names the http:// twin of an https URL; this URL is http',
        'ERR_USAGE_FLAG_CONFLICT',
      );
    }
    const twin = parseTargetUrl(flags.httpUrl);
    if (twin.protocol !== 'http:') {
      throw new UsageError(`--http-url ${quote(flags.httpUrl)} is not an http:// URL`, 'ERR_USAGE_URL');
    }
    httpUrl = twin.href;
  }
  return { url: url.href, httpUrl };
}

/**
 * The PEM certificates of a --ca file, each block whole: Node's `ca` option takes them as a list. A file with
 * none is refused (a key or a DER file given by mistake would otherwise mean "trust nothing extra").
 */
export function pemCertificates(text: string, name: string): string[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    throw new UsageError(
      `--ca ${quote(name)}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it`,
      'ERR_USAGE_CA',
    );
  }
  return blocks.map((b) => `${b}\n`);
}
