import { join } from 'node:path';
import type { Context } from '../../context.js';
import { configDir } from '../../config/paths.js';
import { UsageError } from '../../errors.js';
import { readEnvSecret } from '../../io/secrets.js';

export interface SandboxFlags {
  port?: string;
  issuerPort?: string;
  redis?: string;
  redisEnv?: string;
  quiet?: boolean;
}

export interface SandboxCommandOptions {
  port: number;
  issuerPort: number;
  redisUrl?: string;
  quiet: boolean;
  stateDir: string;
}

/** Fixed default ports, so that the URLs in a README walkthrough and in saved login profiles stay the same. */
export const DEFAULT_API_PORT = 7300;
export const DEFAULT_ISSUER_PORT = 7301;

export function resolveSandboxOptions(flags: SandboxFlags, ctx: Context): SandboxCommandOptions {
  const port = portFlag('--port', flags.port, DEFAULT_API_PORT);
  const issuerPort = portFlag('--issuer-port', flags.issuerPort, DEFAULT_ISSUER_PORT);
  if (port !== 0 && port === issuerPort) {
    throw new UsageError(
      `--port and --issuer-port are both ${port}: the API and the issuer need a port each`,
      'ERR_USAGE',
    );
  }
  if (flags.redis !== undefined && flags.redisEnv !== undefined) {
    throw new UsageError('choose one of --redis and --redis-env', 'ERR_USAGE');
  }
  // A Redis with a password: the URL comes from the environment, so the password is not on the command line.
  const fromEnv =
    flags.redisEnv !== undefined ? readEnvSecret(ctx, flags.redisEnv, '--redis-env') : undefined;
  const given = flags.redis ?? fromEnv;
  const flag = flags.redis !== undefined ? '--redis' : '--redis-env';
  let redisUrl: string | undefined;
  if (given !== undefined) {
    let url: URL;
    try {
      url = new URL(given);
    } catch {
      // The value from the environment is not echoed: it may hold a password.
      const shown = flag === '--redis' ? ` "${given}"` : ` ($${flags.redisEnv})`;
      throw new UsageError(`${flag}${shown} is not a URL (expected redis://host:port)`, 'ERR_USAGE');
    }
    if (url.password) ctx.redactor.add(decodeURIComponent(url.password));
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new UsageError(`${flag} "${url.protocol}" URL: expected redis:// or rediss://`, 'ERR_USAGE');
    }
    redisUrl = url.href;
  }
  return {
    port,
    issuerPort,
    redisUrl,
    quiet: flags.quiet ?? false,
    stateDir: join(configDir(ctx.env, ctx.platform), 'sandbox'),
  };
}

function portFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new UsageError(`${name} "${value}" is not a port (0-65535; 0 picks a free one)`, 'ERR_USAGE');
  }
  return n;
}
