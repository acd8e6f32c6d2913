import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';

/**
 * A tiny authorization server on 127.0.0.1 that records the headers of every request, for the shared HTTP flags
 * (issue 9, item 13): discovery, /authorize (answers at once with a redirect back to the client), /token (code,
 * refresh and client-credentials grants; an ID token when `openid` was asked for), /jwks, /revoke. Any path in
 * `hang` is never answered (a client's --timeout must end it); `bodies` replaces an endpoint's answer.
 */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export interface RecordingAs {
  issuer: string;
  seen: SeenRequest[];
  /** Paths never answered from now on (e.g. '/token'). */
  hang: Set<string>;
  /** Answers given instead of the normal ones: status, headers and body. */
  replies: Map<string, { status: number; headers?: Record<string, string>; body: string }>;
  /** The requests to `path`. */
  at(path: string): SeenRequest[];
  /** A token signed with the key /jwks publishes (iss: this server, unless `claims` says otherwise). */
  sign(claims?: JWTPayload): Promise<string>;
  close(): Promise<void>;
}

export interface RecordingOptions {
  /** jwks_uri in the discovery document (default: this server's /jwks). */
  jwksUri?: string;
}

export const CLIENT_ID = 'apikit-cli';
export const DISCOVERY = '/.well-known/oauth-authorization-server';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startRecordingAs(options: RecordingOptions = {}): Promise<RecordingAs> {
  const signing = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(signing.publicKey)), kid: 'rec-1', alg: 'ES256', use: 'sig' };
  const seen: SeenRequest[] = [];
  const hang = new Set<string>();
  const replies: RecordingAs['replies'] = new Map();
  const nonces = new Map<string, string>();
  let n = 0;
  let issuer = '';

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers });
      const form = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : url.searchParams;
      if (hang.has(url.pathname)) return; // never answers
      const reply = replies.get(url.pathname);
      if (reply) {
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        return res.end(reply.body);
      }
      const json = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      switch (url.pathname) {
        case DISCOVERY:
          return json(200, {
            issuer,
            authorization_endpoint: `${issuer}/authorize`,
            token_endpoint: `${issuer}/token`,
            jwks_uri: options.jwksUri ?? `${issuer}/jwks`,
            revocation_endpoint: `${issuer}/revoke`,
            scopes_supported: ['openid', 'read'],
            code_challenge_methods_supported: ['S256'],
            grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
            token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
            id_token_signing_alg_values_supported: ['ES256'],
          });
        case '/jwks':
          return json(200, { keys: [jwk] });
        case '/authorize': {
          const code = `rec-code-${++n}-0123456789abcdef`;
          if (form.get('nonce')) nonces.set(code, form.get('nonce')!);
          const back = new URL(form.get('redirect_uri') ?? 'http://127.0.0.1/');
          back.searchParams.set('code', code);
          back.searchParams.set('state', form.get('state') ?? '');
          back.searchParams.set('iss', issuer);
          res.writeHead(302, { location: back.href });
          return res.end();
        }
        case '/token': {
          const body: Record<string, unknown> = {
            access_token: `rec-access-${++n}-0123456789abcdef`,
            token_type: 'Bearer',
            expires_in: 300,
          };
          if (form.get('grant_type') !== 'client_credentials') {
            body.refresh_token = `rec-refresh-${n}-0123456789abcdef`;
          }
          const nonce = nonces.get(form.get('code') ?? '');
          if (nonce) {
            const now = Math.floor(Date.now() / 1000);
            body.id_token = await new SignJWT({ nonce, sub: 'alice' })
              .setProtectedHeader({ alg: 'ES256', kid: 'rec-1' })
              .setIssuer(issuer)
              .setAudience(CLIENT_ID)
              .setIssuedAt(now)
              .setExpirationTime(now + 300)
              .sign(signing.privateKey);
          }
          return json(200, body);
        }
        case '/revoke':
          res.writeHead(200);
          return res.end();
        default:
          return json(404, { error: 'not_found' });
      }
    })().catch(() => {
      res.statusCode = 500;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    seen,
    hang,
    replies,
    at: (path) => seen.filter((r) => r.path === path),
    sign: (claims = {}) =>
      new SignJWT({ iss: issuer, sub: 'alice', ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: 'rec-1' })
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(signing.privateKey),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
