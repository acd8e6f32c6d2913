import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { startServer, type RequestHandler, type RunningServer } from '../../src/server/loopback-server.js';
import { systemClock } from '../../src/io/clock.js';
import { createIssuer, type IssuerOptions, type SandboxIssuer } from '../../src/sandbox/issuer.js';
import { runCli, tempDir, type RunResult } from '../helpers/cli.js';

/**
 * The sandbox issuer as the lead's `apikit sandbox` starts it: a loopback server on port 0 with a late-bound
 * handler (so the port, hence `issuer`, is known before createIssuer), and a stand-in API server whose URL is the
 * resource indicator (it answers 404; only its URL matters here).
 */
export interface RunningIssuer {
  issuer: SandboxIssuer;
  url: string;
  resource: string;
  stateDir: string;
  server: RunningServer;
  /** Errors the server or the provider reported (a handler that threw, a 500). */
  errors: unknown[];
  /** Verifies an access token as the API would: signature against the issuer's JWKS, iss, aud = resource. */
  verify(token: string): Promise<JWTPayload>;
  close(): Promise<void>;
}

export async function startIssuer(
  options: { stateDir?: string } & Partial<Omit<IssuerOptions, 'issuer' | 'stateDir'>> = {},
): Promise<RunningIssuer> {
  const errors: unknown[] = [];
  const state = options.stateDir === undefined ? tempDir('apikit-sandbox-state-') : undefined;
  const stateDir = options.stateDir ?? state!.dir;
  // Bound once the issuer exists (its `issuer` needs the port this server got).
  const late: { handler?: RequestHandler } = {};
  const server = await startServer({
    handler: (req, res) => {
      if (!late.handler) {
        res.writeHead(503).end();
        return;
      }
      return late.handler(req, res);
    },
    onError: (err) => errors.push(err),
  });
  const api = await startServer({ handler: (_req, res) => void res.writeHead(404).end() });
  const resource = options.resource ?? api.url;
  let issuer: SandboxIssuer;
  try {
    issuer = await createIssuer({
      clock: systemClock,
      deviceInterval: 1,
      onError: (err) => errors.push(err),
      ...options,
      issuer: server.url,
      resource,
      stateDir,
    });
  } catch (err) {
    await Promise.all([server.close(), api.close()]);
    state?.cleanup();
    throw err;
  }
  late.handler = issuer.handler;
  const jwks = createRemoteJWKSet(new URL(issuer.jwksUri));
  return {
    issuer,
    url: server.url,
    resource,
    stateDir,
    server,
    errors,
    async verify(token) {
      const { payload, protectedHeader } = await jwtVerify(token, jwks, {
        issuer: server.url,
        audience: resource,
        algorithms: ['RS256', 'ES256'],
      });
      // RFC 9068 §2.1: a JWT access token says so in its header.
      if (protectedHeader.typ !== 'at+jwt') throw new Error(`typ is ${protectedHeader.typ}, not at+jwt`);
      return payload;
    },
    async close() {
      await issuer.close();
      await Promise.all([server.close(), api.close()]);
      state?.cleanup();
    },
  };
}

/** A token endpoint request as a script would send it (for what apikit's commands do not do: reuse a token). */
export async function tokenRequest(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export function basic(id: string, secret: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` };
}

/** `apikit token client-credentials --issuer <issuer> --no-cache <argv…>` in-process, with its own config dir. */
export function clientCredentials(issuer: string, configDir: string, ...argv: string[]): Promise<RunResult> {
  return runCli(['token', 'client-credentials', '--issuer', issuer, '--no-cache', ...argv], {
    env: { APIKIT_CONFIG_DIR: configDir },
  });
}
