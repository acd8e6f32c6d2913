import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { AUTHORIZE_RESERVED_PARAMS } from '../../lib/oauth/authorize-url.js';
import { parseParams } from '../../lib/oauth/params.js';
import { parseDurationFlag } from '../../lib/time/duration.js';
import { getProfile, resolveProfileName, type Profile } from '../../profiles/profile.js';
import {
  refuseAuthorizationHeader,
  resolveTransportFlags,
  type ResolvedHttpFlags,
  type TransportFlags,
} from '../shared/http-flags.js';

/** `apikit login`'s flags, each resolved once into LoginOptions (or refused with a usage error, exit 2). */
export interface LoginOptions {
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  /** The JWKS that validates ID tokens of a login without discovery (or of an issuer that names none). */
  jwksUri?: string;
  clientId: string;
  scope?: string;
  resource: string[];
  audience?: string;
  params: Record<string, string>;
  port?: number;
  callbackHost: '127.0.0.1' | 'localhost';
  listen?: { host: string; port: number };
  browser: boolean;
  manual: boolean;
  device: boolean;
  timeoutMs: number;
  profile: string;
  /** -H, --connect-timeout, --max-body for every request of the login (absent: the flows' defaults). */
  http?: ResolvedHttpFlags;
}

/** login's --timeout is its own (the deadline of the whole login): the other transport flags are the shared ones. */
export interface LoginFlags extends Omit<TransportFlags, 'timeout'> {
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  jwksUri?: string;
  clientId?: string;
  scope?: string;
  resource?: string[];
  audience?: string;
  param?: string[];
  port?: string;
  callbackHost: '127.0.0.1' | 'localhost';
  listen?: string;
  browser: boolean;
  manual?: boolean;
  device?: boolean;
  timeout: string;
  profile?: string;
}

/** The flags on their own, checked before the profile is read: the server and the client may still be missing. */
export type ParsedLoginFlags = Omit<LoginOptions, 'clientId'> & { clientId?: string };

/**
 * The options of a login: the flags, with what a login into an existing profile does not repeat taken from that
 * profile (`apikit login --profile NAME` logs in again with the profile's server, client, scope, resource,
 * audience and params).
 */
export async function resolveLoginOptions(flags: LoginFlags, ctx: Context): Promise<LoginOptions> {
  const parsed = parseLoginFlags(flags, ctx);
  const previous = getProfile(await ctx.config(), parsed.profile);
  return withProfileDefaults(parsed, previous);
}

export function parseLoginFlags(flags: LoginFlags, ctx: Context): ParsedLoginFlags {
  const hasEndpoints = flags.authorizationEndpoint !== undefined || flags.tokenEndpoint !== undefined;
  if (flags.issuer !== undefined && hasEndpoints) {
    throw new UsageError(
      'give either --issuer, or --authorization-endpoint and --token-endpoint (not both)',
      'ERR_USAGE_LOGIN_SERVER',
      {
        hint: 'apikit login --issuer https://auth.example.com --client-id apikit-cli',
      },
    );
  }
  if (hasEndpoints && (!flags.authorizationEndpoint || !flags.tokenEndpoint) && !flags.device) {
    throw new UsageError(
      '--authorization-endpoint and --token-endpoint go together',
      'ERR_USAGE_LOGIN_SERVER',
    );
  }
  if (flags.device && hasEndpoints) {
    throw new UsageError(
      '--device needs --issuer (the device endpoint comes from discovery)',
      'ERR_USAGE_LOGIN_DEVICE',
    );
  }
  if (flags.device && flags.manual)
    throw new UsageError('choose one of --device and --manual', 'ERR_USAGE_CONFLICT');
  if (flags.listen && (flags.manual || flags.device)) {
    throw new UsageError(
      '--listen applies only to the loopback callback (not --manual or --device)',
      'ERR_USAGE_CONFLICT',
    );
  }
  const timeoutMs = parseDurationFlag('--timeout', flags.timeout, { positive: true });
  // The token requests of a public client carry its client_id; an Authorization header would be a second client
  // authentication the flow knows nothing about (and -H goes to every request of the login).
  refuseAuthorizationHeader(
    flags.header,
    'login authenticates the client itself (a public client sends its client_id); -H is for other headers',
  );
  const http = resolveTransportFlags(
    { header: flags.header, connectTimeout: flags.connectTimeout, maxBody: flags.maxBody },
    ctx,
  );
  const resource = flags.resource ?? [];
  for (const r of resource) {
    let url: URL | undefined;
    try {
      url = new URL(r);
    } catch {
      url = undefined;
    }
    // RFC 8707 §2: an absolute URI without a fragment.
    if (!url || url.hash || r.includes('#')) {
      throw new UsageError(
        `--resource "${r}" must be an absolute URI without a fragment`,
        'ERR_USAGE_RESOURCE',
      );
    }
  }
  return {
    issuer: flags.issuer,
    authorizationEndpoint: flags.authorizationEndpoint,
    tokenEndpoint: flags.tokenEndpoint,
    jwksUri: flags.jwksUri,
    clientId: flags.clientId,
    scope: flags.scope?.trim().split(/\s+/).filter(Boolean).join(' ') || undefined,
    resource,
    audience: flags.audience,
    params: parseParams(flags.param ?? [], AUTHORIZE_RESERVED_PARAMS),
    port: flags.port === undefined ? undefined : parsePort(flags.port, '--port'),
    callbackHost: flags.callbackHost,
    listen: flags.listen === undefined ? undefined : parseListen(flags.listen),
    browser: flags.browser,
    manual: flags.manual === true,
    device: flags.device === true,
    timeoutMs,
    profile: resolveProfileName(flags.profile, ctx.env),
    http,
  };
}

/**
 * Fills in what the flags leave out from the stored profile of an earlier login: its server (the issuer, or the
 * endpoints and --jwks-uri given by hand), then — when the flags name no other server — its client id, scope,
 * resource, audience and params, each unless given again. A client-credentials profile lends nothing (its client
 * is a confidential one). Without a server or a client id from either, exit 2 naming what is missing.
 */
export function withProfileDefaults(parsed: ParsedLoginFlags, previous: Profile | undefined): LoginOptions {
  const from = previous && previous.grant !== 'client_credentials' ? storedLogin(previous) : undefined;
  const serverGiven =
    parsed.issuer !== undefined ||
    parsed.authorizationEndpoint !== undefined ||
    parsed.tokenEndpoint !== undefined;
  const sameServer =
    from !== undefined &&
    (!serverGiven ||
      (parsed.issuer !== undefined
        ? parsed.issuer === from.issuer
        : from.issuer === undefined &&
          parsed.authorizationEndpoint === from.authorizationEndpoint &&
          parsed.tokenEndpoint === from.tokenEndpoint));
  const reuse = sameServer ? from : undefined;
  const opts: ParsedLoginFlags = serverGiven
    ? { ...parsed }
    : {
        ...parsed,
        issuer: reuse?.issuer,
        authorizationEndpoint: reuse?.issuer ? undefined : reuse?.authorizationEndpoint,
        tokenEndpoint: reuse?.issuer ? undefined : reuse?.tokenEndpoint,
      };
  if (reuse) {
    // The issuer's jwks_uri comes from discovery every time; only one given by hand (no issuer) is reused.
    if (opts.jwksUri === undefined && reuse.issuer === undefined) opts.jwksUri = reuse.jwksUri;
    opts.clientId ??= reuse.clientId;
    opts.scope ??= reuse.scope;
    if (opts.resource.length === 0) opts.resource = reuse.resource;
    opts.audience ??= reuse.audience;
    if (Object.keys(opts.params).length === 0) opts.params = reuse.params;
  }

  const hasServer =
    opts.issuer !== undefined ||
    (opts.authorizationEndpoint !== undefined && opts.tokenEndpoint !== undefined);
  if (!hasServer || opts.clientId === undefined) {
    const name = `profile "${parsed.profile}"`;
    const why =
      previous === undefined
        ? `no ${name} to take ${hasServer || opts.clientId !== undefined ? 'it' : 'them'} from`
        : from === undefined
          ? `${name} holds client credentials, not a login`
          : reuse === undefined
            ? `${name} is for another server: nothing is taken from it`
            : `${name} does not have ${hasServer || opts.clientId !== undefined ? 'it' : 'them'}`;
    const missing = !hasServer
      ? `give either --issuer, or --authorization-endpoint and --token-endpoint${opts.clientId === undefined ? ', and --client-id' : ''}`
      : 'give --client-id';
    throw new UsageError(`${missing} (${why})`, 'ERR_USAGE_LOGIN_SERVER', {
      hint: 'apikit login --issuer https://auth.example.com --client-id apikit-cli',
    });
  }
  if (opts.device && !opts.issuer) {
    throw new UsageError(
      '--device needs --issuer (the device endpoint comes from discovery)',
      'ERR_USAGE_LOGIN_DEVICE',
    );
  }
  return { ...opts, clientId: opts.clientId };
}

/** What a stored login profile can lend a new login; fields of the wrong type (a hand-edited file) are ignored. */
function storedLogin(p: Profile): {
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  jwksUri?: string;
  clientId?: string;
  scope?: string;
  resource: string[];
  audience?: string;
  params: Record<string, string>;
} {
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const params: Record<string, string> = {};
  if (typeof p.params === 'object' && p.params !== null && !Array.isArray(p.params)) {
    for (const [k, v] of Object.entries(p.params)) {
      if (typeof v === 'string' && !AUTHORIZE_RESERVED_PARAMS.includes(k)) params[k] = v;
    }
  }
  return {
    issuer: str(p.issuer),
    authorizationEndpoint: str(p.authorizationEndpoint),
    tokenEndpoint: str(p.tokenEndpoint),
    jwksUri: str(p.jwksUri),
    clientId: str(p.clientId),
    scope: str(p.scope),
    resource: Array.isArray(p.resource) ? p.resource.filter((r) => typeof r === 'string') : [],
    audience: str(p.audience),
    params,
  };
}

function parsePort(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1 || n > 65535) {
    throw new UsageError(`${flag} "${value}" is not a port number (1-65535)`, 'ERR_USAGE_PORT');
  }
  return n;
}

function parseListen(value: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:]+):(\d+)$/.exec(value);
  if (!m)
    throw new UsageError(`--listen "${value}" is not ADDR:PORT`, 'ERR_USAGE_LISTEN', {
      hint: '--listen 0.0.0.0:8400',
    });
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: parsePort(m[2]!, '--listen') };
}
