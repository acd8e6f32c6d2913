import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { AUTHORIZE_RESERVED_PARAMS } from '../../lib/oauth/authorize-url.js';
import { parseParams } from '../../lib/oauth/params.js';
import { parseDurationFlag } from '../../lib/time/duration.js';
import { resolveProfileName } from '../../profiles/profile.js';

/** `apikit login`'s flags, each resolved once into LoginOptions (or refused with a usage error, exit 2). */
export interface LoginOptions {
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
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
}

export interface LoginFlags {
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  clientId: string;
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

export function parseLoginFlags(flags: LoginFlags, ctx: Context): LoginOptions {
  const hasEndpoints = flags.authorizationEndpoint !== undefined || flags.tokenEndpoint !== undefined;
  if ((flags.issuer === undefined) === !hasEndpoints) {
    throw new UsageError(
      'give either --issuer, or --authorization-endpoint and --token-endpoint',
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
  if (flags.device && !flags.issuer) {
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
