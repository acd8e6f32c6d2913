import type { Command } from 'commander';
import { collect } from './flags.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { optionalDurationFlag } from '../../lib/time/duration.js';
import { readEnvSecret } from '../../io/secrets.js';

/**
 * The HTTP flags every command that talks to an API takes (-H, timeouts, --bearer-env, --api-key-env,
 * --basic-env, --profile), resolved once in the command layer into client options and plain request headers.
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

export function addHttpOptions(cmd: Command): Command {
  return cmd
    .option('-H, --header <line>', "extra request header 'Name: value' (repeatable)", collect, [])
    .option('--timeout <duration>', 'give up on a request after this long (default 30s)')
    .option('--connect-timeout <duration>', 'give up connecting after this long (default 10s)')
    .option('--max-body <bytes>', 'refuse response bodies larger than this (default 10485760)')
    .option('--follow-redirects', 'follow redirects (credentials are dropped on a cross-origin hop)')
    .option('--bearer-env <VAR>', 'send "Authorization: Bearer $VAR"')
    .option('--api-key-env <VAR>', 'send the API key in $VAR as a header')
    .option('--api-key-header <name>', 'header for --api-key-env', 'X-API-Key')
    .option('--basic-env <VAR>', 'send HTTP Basic auth; $VAR holds user:password')
    .option('--profile <name>', 'send the access token of a login profile (refreshed when needed)');
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

export async function resolveHttpFlags(flags: HttpFlags, ctx: Context): Promise<ResolvedHttpFlags> {
  const headers: Record<string, string> = {};
  for (const line of flags.header ?? []) {
    const [name, value] = parseHeaderLine(line);
    headers[name] = value;
    if (ctx.redactor.isSecretHeader(name)) ctx.redactor.add(value);
  }
  const auths = [flags.bearerEnv, flags.apiKeyEnv, flags.basicEnv, flags.profile].filter(
    (v) => v !== undefined,
  );
  if (auths.length > 1) {
    throw new UsageError(
      'choose one of --bearer-env, --api-key-env, --basic-env and --profile',
      'ERR_USAGE_AUTH_CONFLICT',
    );
  }
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
  let maxBodyBytes: number | undefined;
  if (flags.maxBody !== undefined) {
    maxBodyBytes = Number(flags.maxBody);
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
