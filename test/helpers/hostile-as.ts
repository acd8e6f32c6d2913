import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

/**
 * A small, scriptable authorization server on 127.0.0.1 for what a correct server (oidc-provider) never does:
 * a discovery document naming another issuer, PKCE without S256, broken token responses, ID tokens with a wrong
 * nonce/audience/signature, device-flow slow_down sequences. /authorize answers at once (no login page) with a
 * redirect back to the client carrying the state it was sent.
 */
export interface HostileRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  at: number;
}

export interface TokenReply {
  status?: number;
  /** A string is sent as it is (malformed JSON); an object as JSON. */
  body: string | Record<string, unknown>;
}

export interface HostileOptions {
  /** `issuer` in the discovery document (default: the server's own URL). */
  discoveryIssuer?: string;
  codeChallengeMethods?: string[];
  issParameterSupported?: boolean;
  /** `iss` on the authorization response: undefined = the issuer, null = omitted, a string = that. */
  responseIss?: string | null;
  /** Builds the token endpoint's answer for each request (default: a plain Bearer token, expires_in 300). */
  token?: (params: Record<string, string>, as: HostileAs) => TokenReply | Promise<TokenReply>;
  /** Device flow: answers for successive polls (the last one repeats). */
  devicePolls?: TokenReply[];
  deviceInterval?: number;
  deviceExpiresIn?: number;
  /** Device authorization response fields (defaults: WXYZ-1234 and the server's /activate). */
  deviceUserCode?: string;
  deviceVerificationUri?: string;
  deviceVerificationUriComplete?: string;
}

export interface HostileAs {
  issuer: string;
  requests: HostileRequest[];
  /** Authorization requests seen (their params), to read the nonce apikit sent. */
  lastAuthorize(): Record<string, string> | undefined;
  /** An ID token signed with the server's published key (or `otherKey` — one it does not publish). */
  idToken(claims: JWTPayload, options?: { otherKey?: boolean }): Promise<string>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 64 * 1024) break;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startHostileAs(options: HostileOptions = {}): Promise<HostileAs> {
  const signing = await generateKeyPair('ES256', { extractable: true });
  const other = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await exportJWK(signing.publicKey)), kid: 'hostile-1', alg: 'ES256', use: 'sig' };
  const requests: HostileRequest[] = [];
  let polls = 0;
  // Assigned once the server listens (the handler closes over it).
  // eslint-disable-next-line prefer-const
  let as!: HostileAs;

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const params: Record<string, string> = Object.fromEntries(url.searchParams);
      if (req.method === 'POST')
        Object.assign(params, Object.fromEntries(new URLSearchParams(await readBody(req))));
      requests.push({ method: req.method ?? 'GET', path: url.pathname, params, at: Date.now() });
      const json = (status: number, body: unknown): void => {
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(text);
      };
      switch (url.pathname) {
        case '/.well-known/oauth-authorization-server':
          return json(200, {
            issuer: options.discoveryIssuer ?? as.issuer,
            authorization_endpoint: `${as.issuer}/authorize`,
            token_endpoint: `${as.issuer}/token`,
            jwks_uri: `${as.issuer}/jwks`,
            revocation_endpoint: `${as.issuer}/revoke`,
            device_authorization_endpoint: `${as.issuer}/device`,
            scopes_supported: ['openid', 'read'],
            code_challenge_methods_supported: options.codeChallengeMethods ?? ['S256'],
            authorization_response_iss_parameter_supported: options.issParameterSupported ?? false,
            id_token_signing_alg_values_supported: ['ES256'],
          });
        case '/jwks':
          return json(200, { keys: [publicJwk] });
        case '/authorize': {
          const back = new URL(params.redirect_uri ?? 'http://127.0.0.1/');
          back.searchParams.set('code', `hostile-code-${requests.length}-abcdefgh`);
          if (params.state) back.searchParams.set('state', params.state);
          const iss = options.responseIss === undefined ? as.issuer : options.responseIss;
          if (iss !== null) back.searchParams.set('iss', iss);
          res.writeHead(302, { location: back.href });
          return res.end();
        }
        case '/token': {
          if (params.grant_type === 'urn:ietf:params:oauth:grant-type:device_code') {
            const seq = options.devicePolls ?? [{ status: 400, body: { error: 'authorization_pending' } }];
            const reply = seq[Math.min(polls++, seq.length - 1)]!;
            return json(reply.status ?? 200, reply.body);
          }
          const reply: TokenReply = options.token
            ? await options.token(params, as)
            : {
                body: {
                  access_token: `hostile-access-${requests.length}-0123456789`,
                  token_type: 'Bearer',
                  expires_in: 300,
                },
              };
          return json(reply.status ?? 200, reply.body);
        }
        case '/device':
          return json(200, {
            device_code: 'hostile-device-code-0123456789',
            user_code: options.deviceUserCode ?? 'WXYZ-1234',
            verification_uri: options.deviceVerificationUri ?? `${as.issuer}/activate`,
            verification_uri_complete: options.deviceVerificationUriComplete,
            expires_in: options.deviceExpiresIn ?? 60,
            interval: options.deviceInterval ?? 1,
          });
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
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sign = (claims: JWTPayload, key: CryptoKey): Promise<string> =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'hostile-1' }).sign(key);
  as = {
    issuer,
    requests,
    lastAuthorize: () => [...requests].reverse().find((r) => r.path === '/authorize')?.params,
    idToken: (claims, opts = {}) => sign(claims, opts.otherKey ? other.privateKey : signing.privateKey),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return as;
}
