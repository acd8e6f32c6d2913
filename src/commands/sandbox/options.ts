import { join } from 'node:path';
import type { Context } from '../../context.js';
import { configDir } from '../../config/paths.js';
import { UsageError } from '../../errors.js';

export interface SandboxFlags {
  port?: string;
  issuerPort?: string;
  redis?: string;
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
  let redisUrl: string | undefined;
  if (flags.redis !== undefined) {
    let url: URL;
    try {
      url = new URL(flags.redis);
    } catch {
      throw new UsageError(`--redis "${flags.redis}" is not a URL (expected redis://host:port)`, 'ERR_USAGE');
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new UsageError(`--redis "${url.protocol}" URL: expected redis:// or rediss://`, 'ERR_USAGE');
    }
    if (url.password) ctx.redactor.add(decodeURIComponent(url.password));
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
