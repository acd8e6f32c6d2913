import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { resolveTransportFlags, type ResolvedHttpFlags, type TransportFlags } from '../shared/http-flags.js';

/** `apikit doctor`'s flags, each resolved once (or refused with a usage error, exit 2). */
export interface DoctorFlags extends TransportFlags {
  issuer: string;
  clientId?: string;
  port?: string;
}

export interface DoctorOptions {
  issuer: string;
  clientId?: string;
  /** The loopback port the redirect check asks for (default: a random dynamic port). */
  port?: number;
  http: ResolvedHttpFlags;
}

export function resolveDoctorOptions(flags: DoctorFlags, ctx: Pick<Context, 'redactor'>): DoctorOptions {
  let url: URL | undefined;
  try {
    url = new URL(flags.issuer);
  } catch {
    url = undefined;
  }
  // A plain-http issuer elsewhere than loopback is a finding of the checklist, not a usage error.
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new UsageError(`--issuer "${flags.issuer}" is not an http(s) URL`, 'ERR_USAGE_ISSUER', {
      hint: 'apikit doctor --issuer https://auth.example.com',
    });
  }
  let port: number | undefined;
  if (flags.port !== undefined) {
    port = Number(flags.port);
    if (!/^\d+$/.test(flags.port) || port < 1 || port > 65535) {
      throw new UsageError(`--port "${flags.port}" is not a port number (1-65535)`, 'ERR_USAGE_PORT');
    }
  }
  if (flags.clientId === '') throw new UsageError('--client-id is empty', 'ERR_USAGE_CLIENT_ID');
  return {
    issuer: flags.issuer,
    ...(flags.clientId !== undefined ? { clientId: flags.clientId } : {}),
    ...(port !== undefined ? { port } : {}),
    http: resolveTransportFlags(flags, ctx),
  };
}

/**
 * The -H lines minus credentials (Authorization, Cookie, an API key), for requests to another origin than the
 * issuer's (a JWKS or an authorization endpoint elsewhere): the user gave the credential for the issuer, not for
 * wherever its document points — the rule of a cross-origin redirect.
 */
export function withoutCredentials(
  ctx: Pick<Context, 'redactor'>,
  http: ResolvedHttpFlags,
): ResolvedHttpFlags {
  const headers = Object.fromEntries(
    Object.entries(http.headers).filter(([name]) => !ctx.redactor.isSecretHeader(name)),
  );
  return { ...http, headers };
}
