import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect, rootCertificates, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import {
  TLS_VERSIONS,
  type TlsCertificate,
  type TlsFacts,
  type TlsProtocolResult,
  type TlsVersion,
} from '../lib/audit/types.js';

/**
 * TLS facts about one host:port, from handshakes only (no HTTP request is sent on them): which protocol versions
 * the server completes a handshake with when the client offers only that version, the certificate chain it
 * presents, and whether that chain verifies against the trust store and matches the host name.
 *
 * Legacy versions: Node 20's OpenSSL 3 refuses TLS 1.0 and 1.1 at its default security level (their handshake
 * signatures use SHA-1), so a client offering only those would fail against a server that does accept them, and
 * the server would look safe. Those two handshakes are therefore offered at `@SECLEVEL=0` — the point is to learn
 * what the server accepts, not to use the connection. TLS 1.2 and 1.3 are offered with Node's defaults, so their
 * answer (and the certificate facts taken from them) is what an ordinary client would see.
 */

export interface TlsProbeOptions {
  /** A host name or an IP address (IPv6 without brackets). */
  host: string;
  port: number;
  /** Extra trusted CA certificates (PEM, from --ca), added to the system's roots. */
  ca?: readonly string[];
  /** Per handshake: TCP connect plus the TLS handshake. */
  connectTimeoutMs: number;
  /** Aborts the handshake in flight and every later one; the call then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The versions to try (default all of TLS_VERSIONS). */
  versions?: readonly TlsVersion[];
}

export interface TlsHandshakeOptions extends Omit<TlsProbeOptions, 'versions'> {
  /** Offer only this version; undefined offers Node's defaults (TLS 1.2 and 1.3). */
  version?: TlsVersion;
}

/** What one handshake showed. */
export interface TlsHandshake {
  /** The handshake completed (with exactly `version`, when one was asked for). */
  accepted: boolean;
  /** The negotiated protocol (`TLSv1.3`). */
  protocol?: string;
  cipher?: string;
  /** One line, when not accepted. */
  error?: string;
  /** Whether the chain verified and the host name matched; false when no handshake completed. */
  authorized: boolean;
  authorizationError?: string;
  /** Leaf first; empty when no handshake completed. */
  chain: TlsCertificate[];
}

/** The ciphers that let OpenSSL 3 offer TLS 1.0 and 1.1 at all (see the top of this file). */
export const LEGACY_TLS_CIPHERS = 'DEFAULT@SECLEVEL=0';
const LEGACY: ReadonlySet<TlsVersion> = new Set(['TLSv1', 'TLSv1.1']);

/**
 * The trust store for `ca`: Node's `ca` option replaces the system's roots instead of adding to them, so the
 * extra certificates go after a copy of them. Undefined when there are none, which keeps Node's own default
 * (with NODE_EXTRA_CA_CERTS).
 */
export function trustStore(ca: readonly string[] | undefined): string[] | undefined {
  return ca && ca.length > 0 ? [...rootCertificates, ...ca] : undefined;
}

/** One handshake; never rejects for what the server did (a refusal is a result), only when `signal` aborts. */
export function tlsHandshake(options: TlsHandshakeOptions): Promise<TlsHandshake> {
  const { host, port, version, signal } = options;
  return new Promise<TlsHandshake>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    let settled = false;
    const ca = trustStore(options.ca);
    const socket: TLSSocket = connect({
      host,
      port,
      // SNI carries host names only (RFC 6066 §3); the certificate is still checked against `host`.
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ...(version ? { minVersion: version, maxVersion: version } : {}),
      ...(version && LEGACY.has(version) ? { ciphers: LEGACY_TLS_CIPHERS } : {}),
      ...(ca ? { ca } : {}),
      // The facts are wanted either way: `authorized` says whether the chain would have been accepted.
      rejectUnauthorized: false,
    });
    const finish = (result: TlsHandshake | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const refused = (error: string): TlsHandshake => ({
      accepted: false,
      error,
      authorized: false,
      chain: [],
    });
    const onAbort = (): void => finish(abortReason(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () => finish(refused(`timed out after ${options.connectTimeoutMs} ms`)),
      options.connectTimeoutMs,
    );
    socket.once('secureConnect', () => {
      const protocol = socket.getProtocol() ?? undefined;
      if (version && protocol !== version) {
        finish(refused(`negotiated ${protocol ?? 'nothing'} instead`));
        return;
      }
      const authError = socket.authorizationError as Error | string | null | undefined;
      const cipher = socket.getCipher();
      const done: TlsHandshake = {
        accepted: true,
        ...(protocol ? { protocol } : {}),
        cipher: cipher.standardName || cipher.name,
        authorized: socket.authorized,
        ...(socket.authorized || !authError
          ? {}
          : { authorizationError: typeof authError === 'string' ? authError : authError.message }),
        chain: chainOf(socket.getPeerCertificate(true)),
      };
      // A polite close (close_notify) and the answer once the server has closed too: the server then has seen a
      // whole handshake, not a reset. Still within the timer; an error now changes nothing.
      socket.removeAllListeners('error');
      socket.on('error', () => finish(done));
      socket.once('close', () => finish(done));
      socket.end();
    });
    socket.on('error', (err) => finish(refused(describeTlsError(err))));
  });
}

/**
 * One handshake per version (newest first, reported oldest first), and the certificate facts from the newest one
 * that an ordinary client completes (TLS 1.3 or 1.2 at the default security level; a legacy one only when nothing
 * else completed). When the first attempt cannot even connect (refused, host not found), the later ones are not
 * tried: they would fail the same way.
 */
export async function probeTls(options: TlsProbeOptions): Promise<TlsFacts> {
  const wanted = TLS_VERSIONS.filter((v) => (options.versions ?? TLS_VERSIONS).includes(v));
  const shakes = new Map<TlsVersion, TlsHandshake>();
  let unreachable: string | undefined;
  for (const version of [...wanted].reverse()) {
    if (unreachable !== undefined) {
      shakes.set(version, { accepted: false, error: unreachable, authorized: false, chain: [] });
      continue;
    }
    const shake = await tlsHandshake({ ...options, version });
    shakes.set(version, shake);
    if (shake.error && UNREACHABLE.has(shake.error)) unreachable = shake.error;
  }
  const protocols: TlsProtocolResult[] = wanted.map((version) => {
    const s = shakes.get(version)!;
    return {
      version,
      accepted: s.accepted,
      ...(s.cipher && s.accepted ? { cipher: s.cipher } : {}),
      ...(s.error ? { error: s.error } : {}),
    };
  });
  const best = [...wanted].reverse().find((v) => shakes.get(v)!.accepted);
  const source = best ? shakes.get(best)! : undefined;
  return {
    host: options.host,
    port: options.port,
    protocols,
    authorized: source?.authorized ?? false,
    // No handshake at all: not authorized, no reason of OpenSSL's, an empty chain (the protocols say why).
    ...(source?.authorizationError ? { authorizationError: source.authorizationError } : {}),
    chain: source?.chain ?? [],
  };
}

/** Errors that mean nothing was reached: no other version will do better. */
const UNREACHABLE: ReadonlySet<string> = new Set(['connection refused', 'host not found']);

/** The certificates the socket saw, leaf first (Node completes the chain from the trust store when it verified). */
function chainOf(peer: DetailedPeerCertificate): TlsCertificate[] {
  const chain: TlsCertificate[] = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = peer;
  // An empty object when the server sent no certificate; a self-issued root points at itself.
  while (cert?.raw && chain.length < 10) {
    if (seen.has(cert.fingerprint256)) break;
    seen.add(cert.fingerprint256);
    chain.push(describeCertificate(new X509Certificate(cert.raw)));
    cert = cert.issuerCertificate;
  }
  return chain;
}

/** The facts of one certificate, dates in ISO 8601. */
export function describeCertificate(x: X509Certificate): TlsCertificate {
  return {
    subject: distinguishedName(x.subject),
    issuer: distinguishedName(x.issuer),
    validFrom: isoDate(x.validFrom),
    validTo: isoDate(x.validTo),
    subjectAltNames: altNames(x.subjectAltName),
    fingerprint256: x.fingerprint256,
    // Issuer = subject and signed by its own key. Not checkIssued(): it also wants keyCertSign in a self-signed
    // leaf's keyUsage, which a leaf does not have.
    selfSigned: x.subject === x.issuer && safeVerify(x),
  };
}

function safeVerify(x: X509Certificate): boolean {
  try {
    return x.verify(x.publicKey);
  } catch {
    return false;
  }
}

/** Node prints one RDN a line (`C=US\nO=Example\nCN=example.com`): one line, comma-separated. */
function distinguishedName(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}

/** `Feb  1 00:00:00 2024 GMT` → `2024-02-01T00:00:00.000Z` (the original text when it will not parse). */
function isoDate(text: string): string {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

/** `DNS:localhost, IP Address:127.0.0.1` → `['localhost', '127.0.0.1']`; other kinds (email, URI) are left out. */
function altNames(san: string | undefined): string[] {
  if (!san) return [];
  const names: string[] = [];
  // Node quotes a value that contains a comma or a quote as a JSON string.
  for (const m of san.matchAll(/(?:^|,\s*)(DNS|IP Address):("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    const raw = m[2]!;
    let value = raw;
    if (raw.startsWith('"')) {
      try {
        value = JSON.parse(raw) as string;
      } catch {
        value = raw;
      }
    }
    names.push(value.trim());
  }
  return names;
}

/** One line for a failed handshake: OpenSSL's reason (`tlsv1 alert protocol version`) or the socket's. */
export function describeTlsError(err: unknown): string {
  const e = err as { code?: string; reason?: string; message?: string };
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
      return 'connection reset during the handshake';
    case 'EPIPE':
      return 'connection closed during the handshake';
    case 'ETIMEDOUT':
      return 'connection timed out';
  }
  if (typeof e.reason === 'string' && e.reason) return e.reason;
  const first = (e.message ?? String(err)).split('\n')[0]!;
  // OpenSSL's text: `…:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:…`.
  const ssl = /SSL routines:[^:]*:([^:]+)/.exec(first);
  return ssl ? ssl[1]! : first;
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError');
}
