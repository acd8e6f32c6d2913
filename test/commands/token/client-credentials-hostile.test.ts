import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { BASIC, cc, expectOneLineError, PKJWT, useClientCredentialsServer } from './cc-fixture.js';

/**
 * `apikit token client-credentials` against a hostile token endpoint on 127.0.0.1: broken answers, hangs, and
 * exactly what each authentication method puts on the wire.
 * Shared setup: ./cc-fixture.ts.
 */

const fx = useClientCredentialsServer();
const { env } = fx;
let keyPath: string;
beforeAll(() => {
  ({ keyPath } = fx);
});

describe('a hostile token endpoint on 127.0.0.1', () => {
  let server: Server;
  let url: string;
  let mode = '';
  const bodies: string[] = [];
  const auths: Array<string | undefined> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(body);
        auths.push(req.headers.authorization);
        switch (mode) {
          case '500':
            res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Internal Server Error</h1>');
            return;
          case '503-json':
            res
              .writeHead(503, { 'content-type': 'application/json' })
              .end('{"error":"temporarily_unavailable"}');
            return;
          case 'html-200':
            res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login page</html>');
            return;
          case 'no-token':
            res
              .writeHead(200, { 'content-type': 'application/json' })
              .end('{"token_type":"Bearer","expires_in":60}');
            return;
          case 'array':
            res.writeHead(200, { 'content-type': 'application/json' }).end('[1,2]');
            return;
          case '404':
            res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
            return;
          case 'unauthorized_client':
            res
              .writeHead(400, { 'content-type': 'application/json' })
              .end('{"error":"unauthorized_client","error_description":"grant not allowed for this client"}');
            return;
          case 'hang':
            return; // never answers; the client's --timeout ends it
          default:
            res.writeHead(200, { 'content-type': 'application/json' }).end(
              JSON.stringify({
                access_token: 'hostile-ok-token-123456',
                token_type: 'bearer',
                expires_in: 60,
              }),
            );
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const run = (...extra: string[]) =>
    runCli(
      cc(
        '--token-endpoint',
        url,
        '--client-id',
        BASIC.id,
        '--client-secret-env',
        'BASIC_SECRET',
        '--no-cache',
        ...extra,
      ),
      {
        env: env(),
      },
    );

  it.each([
    ['500 with HTML', '500', 3, /HTTP 500/],
    ['503 with an OAuth error', '503-json', 3, /temporarily_unavailable/],
    ['200 with HTML', 'html-200', 3, /not a JSON object/],
    ['200 without access_token', 'no-token', 3, /without an access_token/],
    ['200 with a JSON array', 'array', 3, /not a JSON object/],
    ['404 without an OAuth error', '404', 3, /HTTP 404 without an OAuth error/],
    [
      'unauthorized_client',
      'unauthorized_client',
      4,
      /unauthorized_client \(grant not allowed for this client\)/,
    ],
  ])('%s → exit %i with a one-line reason', async (_n, m, code, message) => {
    mode = m;
    expectOneLineError(await run(), code, message);
  });

  it('sends exactly one authentication method and every requested parameter', async () => {
    mode = '';
    bodies.length = 0;
    auths.length = 0;
    const res = await run(
      '--scope',
      'a b',
      '--resource',
      'https://api.one.example',
      '--resource',
      'https://api.two.example',
      '--audience',
      'https://api.example.com',
      '--param',
      'tenant=t-1',
    );
    expect(res.code, res.stderr).toBe(0);
    const body = new URLSearchParams(bodies[0]);
    expect(body.get('grant_type')).toBe('client_credentials');
    expect(body.get('scope')).toBe('a b');
    expect(body.getAll('resource')).toEqual(['https://api.one.example', 'https://api.two.example']);
    expect(body.get('audience')).toBe('https://api.example.com');
    expect(body.get('tenant')).toBe('t-1');
    // client_secret_basic: the credentials are in the header only.
    for (const p of ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'])
      expect(body.has(p)).toBe(false);
    expect(auths[0]).toMatch(/^Basic /);
  });

  it('client_secret_post and private_key_jwt send no Authorization header', async () => {
    mode = '';
    bodies.length = 0;
    auths.length = 0;
    const post = await run('--auth-method', 'client_secret_post');
    expect(post.code, post.stderr).toBe(0);
    const pk = await runCli(
      cc('--token-endpoint', url, '--client-id', PKJWT.id, '--private-key', keyPath, '--no-cache'),
      { env: env() },
    );
    expect(pk.code, pk.stderr).toBe(0);
    expect(auths).toEqual([undefined, undefined]);
    expect(Object.fromEntries(new URLSearchParams(bodies[0]))).toEqual({
      grant_type: 'client_credentials',
      client_id: BASIC.id,
      client_secret: BASIC.secret,
    });
    const second = new URLSearchParams(bodies[1]);
    expect([...second.keys()].sort()).toEqual([
      'client_assertion',
      'client_assertion_type',
      'client_id',
      'grant_type',
    ]);
  });

  it('a server that never answers → exit 3 after --timeout', async () => {
    mode = 'hang';
    expectOneLineError(await run('--timeout', '300ms'), 3, /timed out after 300 ms/);
  });

  it('a lower-case "bearer" token_type still makes a "Bearer" header', async () => {
    mode = '';
    const res = await run('--format', 'header');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe('Authorization: Bearer hostile-ok-token-123456\n');
  });

  it('the assertion the hostile server captured never appears in the output, even with --verbose', async () => {
    mode = '';
    bodies.length = 0;
    const res = await runCli(
      [
        '--verbose',
        ...cc('--token-endpoint', url, '--client-id', PKJWT.id, '--private-key', keyPath, '--no-cache'),
      ],
      { env: env() },
    );
    expect(res.code, res.stderr).toBe(0);
    const assertion = new URLSearchParams(bodies[0]).get('client_assertion');
    expect(assertion).toMatch(/^eyJ/);
    // --token-endpoint without --issuer: the assertion's audience is the token endpoint.
    expect(JSON.parse(Buffer.from(assertion!.split('.')[1]!, 'base64url').toString()).aud).toBe(url);
    expect(res.stderr).toContain('> POST');
    expect(res.stderr).toContain('client_assertion=[REDACTED]');
    expect(res.stdout + res.stderr).not.toContain(assertion);
    expect(res.stdout + res.stderr).not.toContain(assertion!.split('.')[2]);
  });
});
