import type { Command } from 'commander';
import { collect } from './flags.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { HttpClientOptions } from '../../http/client.js';
import { optionalDurationFlag } from '../../lib/time/duration.js';
import { readEnvSecret } from '../../io/secrets.js';

/**
 * The shared HTTP flags, registered (`addHttpOptions`) and resolved (`resolveHttpFlags`) in this one place, each
 * verb taking the subset that makes sense for its requests (README "HTTP options" has the table):
 * - transport: -H, --timeout, --connect-timeout, --max-body — every verb that makes a request;
 * - --follow-redirects — only where following is safe: never for a token endpoint, discovery or a JWKS;
 * - API auth: --bearer-env, --api-key-env/--api-key-header, --basic-env, --profile — for verbs that call an API.
 * Auth values come from environment variables or a saved profile only (never argv).
 */
export interface HttpFlags {
  header?: string[];
  timeout?: string;
  connectTimeout?: string;
  maxBody?: string;
  followRedirects?: boolean;
  bearerEnv?: string;
  apiKeyEnv?: string;
  apiKeyHeader?: string;
  basicEnv?: string;
  profile?: string;
}

/** The transport flags alone: what a verb whose requests are OAuth requests takes. */
export type TransportFlags = Pick<HttpFlags, 'header' | 'timeout' | 'connectTimeout' | 'maxBody'>;

/** Which of the shared flags a verb takes, and what its help says about them. */
export interface HttpOptionSet {
  /** -H, --connect-timeout, --max-body and (unless `timeout: false`) --timeout. */
  transport: boolean;
  /** False for a verb whose own --timeout means something else (login: the deadline of the whole login). */
  timeout?: boolean;
  /**
   * --follow-redirects. Never for OAuth requests: a redirected token request re-sends its form (a secret, a code, a
   * refresh token) to wherever the Location points, and a redirected discovery document or JWKS would let whoever
   * controls a redirect on that host choose the keys and endpoints apikit trusts.
   */
  followRedirects?: boolean;
  /** --bearer-env, --api-key-env/--api-key-header, --basic-env, --profile: for verbs that call an API. */
  auth?: boolean;
  /** The verb's real limits, for the help (e.g. `{ timeout: '10s', maxBody: '...' }`). */
  help?: { timeout?: string; maxBody?: string };
  /** The placeholder style of the verb's group: jwt writes <DURATION>, login and token write <duration>. */
  placeholders?: 'lower' | 'upper';
}

const DEFAULT_HELP = { timeout: 'default 30s', maxBody: 'default 10485760' };

function placeholder(set: HttpOptionSet, name: string): string {
  return `<${set.placeholders === 'upper' ? name.toUpperCase() : name}>`;
}

export function addHttpOptions(cmd: Command, set: HttpOptionSet): Command {
  const arg = (name: string): string => placeholder(set, name);
  const help = { ...DEFAULT_HELP, ...set.help };
  if (set.transport) {
    // No default value: commander would print a meaningless "(default: [])".
    cmd.option(`-H, --header ${arg('line')}`, "extra request header 'Name: value' (repeatable)", collect);
    if (set.timeout !== false) {
      cmd.option(`--timeout ${arg('duration')}`, `give up on a request after this long (${help.timeout})`);
    }
    cmd
      .option(`--connect-timeout ${arg('duration')}`, 'give up connecting after this long (default 10s)')
      .option(`--max-body ${arg('bytes')}`, `refuse response bodies larger than this (${help.maxBody})`);
  }
  if (set.followRedirects) {
    cmd.option('--follow-redirects', 'follow redirects (credentials are dropped on a cross-origin hop)');
  }
  if (set.auth) {
    cmd
      .option(`--bearer-env ${arg('VAR')}`, 'send "Authorization: Bearer $VAR"')
      .option(`--api-key-env ${arg('VAR')}`, 'send the API key in $VAR as a header')
      .option(`--api-key-header ${arg('name')}`, 'header for --api-key-env (default X-API-Key)')
      .option(`--basic-env ${arg('VAR')}`, 'send HTTP Basic auth; $VAR holds user:password')
      .option(`--profile ${arg('name')}`, 'send the access token of a login profile (refreshed when needed)');
  }
  return cmd;
}

/** The usage-line fragment of the flags `addHttpOptions(cmd, set)` adds, in the same order. */
export function httpUsage(set: HttpOptionSet): string {
  const arg = (name: string): string => placeholder(set, name);
  const parts: string[] = [];
  if (set.transport) {
    parts.push(`[--header ${arg('line')} ...]`);
    if (set.timeout !== false) parts.push(`[--timeout ${arg('duration')}]`);
    parts.push(`[--connect-timeout ${arg('duration')}]`, `[--max-body ${arg('bytes')}]`);
  }
  if (set.followRedirects) parts.push('[--follow-redirects]');
  if (set.auth) {
    parts.push(
      `[--bearer-env ${arg('VAR')} | --api-key-env ${arg('VAR')} [--api-key-header ${arg('name')}] | ` +
        `--basic-env ${arg('VAR')} | --profile ${arg('name')}]`,
    );
  }
  return parts.join(' ');
}

/** Whether any transport flag was given (for a verb that makes a request only in some of its modes). */
export function hasTransportFlags(flags: TransportFlags): boolean {
  return (
    (flags.header ?? []).length > 0 ||
    flags.timeout !== undefined ||
    flags.connectTimeout !== undefined ||
    flags.maxBody !== undefined
  );
}

/**
 * Refuses `-H Authorization` for a verb that authenticates the client at the token endpoint itself: the header
 * would be a second client authentication method (RFC 6749 §2.3: one per request) — or, at a public client's
 * token endpoint, one the flow knows nothing about.
 */
export function refuseAuthorizationHeader(lines: readonly string[] | undefined, hint: string): void {
  for (const line of lines ?? []) {
    if (parseHeaderLine(line)[0].toLowerCase() === 'authorization') {
      throw new UsageError(
        '-H Authorization would be a second client authentication method',
        'ERR_USAGE_AUTH_CONFLICT',
        { hint },
      );
    }
  }
}

/** Parses a curl-style header line. */
export function parseHeaderLine(line: string): [string, string] {
  const idx = line.indexOf(':');
  const name = idx > 0 ? line.slice(0, idx).trim() : '';
  if (!name || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new UsageError(`invalid header "${line.split(':')[0]}": expected 'Name: value'`, 'ERR_HTTP_HEADER');
  }
  return [name, line.slice(idx + 1).trim()];
}

export interface ResolvedHttpFlags {
  clientOptions: {
    timeoutMs?: number;
    connectTimeoutMs?: number;
    maxBodyBytes?: number;
    followRedirects?: boolean;
  };
  headers: Record<string, string>;
}

/** -H, --timeout, --connect-timeout, --max-body and --follow-redirects: no secret, no profile, no I/O. */
export function resolveTransportFlags(flags: HttpFlags, ctx: Pick<Context, 'redactor'>): ResolvedHttpFlags {
  const headers: Record<string, string> = {};
  for (const line of flags.header ?? []) {
    const [name, value] = parseHeaderLine(line);
    headers[name] = value;
    if (ctx.redactor.isSecretHeader(name)) ctx.redactor.add(value);
  }
  let maxBodyBytes: number | undefined;
  if (flags.maxBody !== undefined) {
    maxBodyBytes = /^\d+$/.test(flags.maxBody.trim()) ? Number(flags.maxBody) : NaN;
    if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
      throw new UsageError(`--max-body "${flags.maxBody}" is not a positive number of bytes`, 'ERR_USAGE');
    }
  }
  return {
    clientOptions: {
      timeoutMs: optionalDurationFlag('--timeout', flags.timeout, { positive: true }),
      connectTimeoutMs: optionalDurationFlag('--connect-timeout', flags.connectTimeout, { positive: true }),
      maxBodyBytes,
      followRedirects: flags.followRedirects,
    },
    headers,
  };
}

/** Every flag of `flags`: the transport ones, then the one API credential (env var or profile) as a header. */
export async function resolveHttpFlags(flags: HttpFlags, ctx: Context): Promise<ResolvedHttpFlags> {
  const auths = [flags.bearerEnv, flags.apiKeyEnv, flags.basicEnv, flags.profile].filter(
    (v) => v !== undefined,
  );
  if (auths.length > 1) {
    throw new UsageError(
      'choose one of --bearer-env, --api-key-env, --basic-env and --profile',
      'ERR_USAGE_AUTH_CONFLICT',
    );
  }
  const resolved = resolveTransportFlags(flags, ctx);
  const headers = resolved.headers;
  if (flags.bearerEnv) {
    headers.Authorization = `Bearer ${readEnvSecret(ctx, flags.bearerEnv, '--bearer-env')}`;
  } else if (flags.apiKeyEnv) {
    headers[flags.apiKeyHeader ?? 'X-API-Key'] = readEnvSecret(ctx, flags.apiKeyEnv, '--api-key-env');
  } else if (flags.basicEnv) {
    const pair = readEnvSecret(ctx, flags.basicEnv, '--basic-env');
    if (!pair.includes(':')) {
      throw new UsageError(`$${flags.basicEnv} must hold user:password`, 'ERR_USAGE_BASIC', {
        hint: `export ${flags.basicEnv}='user:password'`,
      });
    }
    const encoded = Buffer.from(pair, 'utf8').toString('base64');
    ctx.redactor.add(encoded);
    headers.Authorization = `Basic ${encoded}`;
  } else if (flags.profile) {
    // The command layer resolves the profile's token (refreshed under its lock, like `apikit token`); the HTTP
    // client only ever sees a plain header.
    const [{ getAccessToken }, { resolveProfileName }] = await Promise.all([
      import('../../profiles/access-token.js'),
      import('../../profiles/profile.js'),
    ]);
    const token = (await getAccessToken(ctx, resolveProfileName(flags.profile, ctx.env))).tokens.accessToken;
    ctx.redactor.add(token);
    headers.Authorization = `Bearer ${token}`;
  }
  return resolved;
}

/** What bounds every request of a verb beyond its flags: login's deadline. */
export interface RequestLimits {
  /** No request may take longer than this (its own timeout, or --timeout, is lowered to it). */
  maxTimeoutMs?: number;
  /** The client's default timeout, for a request that names none (DEFAULT_HTTP_OPTIONS.timeoutMs). */
  defaultTimeoutMs?: number;
}

/**
 * The client options of one OAuth request (token endpoint, discovery, JWKS, revocation): the flow's own limits
 * (`own`) with the user's transport flags applied. --timeout replaces the flow's timeout (lower or higher);
 * --max-body can only lower the flow's body cap, which is a ceiling; -H lines are sent unless the flow sets the
 * same header; --connect-timeout replaces the default. Redirects are never followed here (see HttpOptionSet).
 */
export function clientOptionsFor(
  flags: ResolvedHttpFlags,
  own: Partial<HttpClientOptions> = {},
  limits: RequestLimits = {},
): Partial<HttpClientOptions> {
  const user = flags.clientOptions;
  let timeoutMs = user.timeoutMs ?? own.timeoutMs;
  if (limits.maxTimeoutMs !== undefined) {
    timeoutMs = Math.min(timeoutMs ?? limits.defaultTimeoutMs ?? limits.maxTimeoutMs, limits.maxTimeoutMs);
  }
  const caps = [own.maxBodyBytes, user.maxBodyBytes].filter((n) => n !== undefined);
  return {
    ...own,
    headers: { ...flags.headers, ...own.headers },
    timeoutMs,
    connectTimeoutMs: user.connectTimeoutMs ?? own.connectTimeoutMs,
    maxBodyBytes: caps.length > 0 ? Math.min(...caps) : undefined,
    followRedirects: false,
  };
}

/**
 * The context for a verb whose flows build their own HTTP clients (login, logout, token, jwt verify's JWKS and
 * discovery): every client they ask for gets the user's transport flags through `clientOptionsFor`, keeping the
 * flow's own caps. Everything else is the verb's context itself (read through, never copied).
 */
export function withHttpFlags(ctx: Context, flags: ResolvedHttpFlags, limits: RequestLimits = {}): Context {
  const overlay = Object.create(ctx) as Context;
  overlay.http = async (own = {}) => {
    const { DEFAULT_HTTP_OPTIONS } = await import('../../http/client.js');
    return ctx.http(
      clientOptionsFor(flags, own, { defaultTimeoutMs: DEFAULT_HTTP_OPTIONS.timeoutMs, ...limits }),
    );
  };
  return overlay;
}
