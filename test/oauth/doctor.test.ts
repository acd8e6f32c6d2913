import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { createIO } from '../../src/io/io.js';
import { gatherDoctorFacts } from '../../src/oauth/doctor.js';
import { NATIVE_CLIENT_ID, startDoctorProvider, type DoctorProvider } from '../fixtures/doctor/provider.js';

/** The network half of the doctor against a real oidc-provider: what it asks, and what it records. */
function context() {
  const io = createIO(
    {
      stdin: Readable.from([]),
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      stdinIsTTY: false,
      stdoutIsTTY: false,
      stderrIsTTY: false,
      columns: 80,
    },
    {},
  );
  return createContext(io, {});
}

let as: DoctorProvider;
beforeAll(async () => {
  as = await startDoctorProvider();
});
afterAll(async () => {
  await as.close();
});

describe('gatherDoctorFacts', () => {
  it('both discovery documents, the JWKS and one authorization request, as facts', async () => {
    const ctx = context();
    as.requests.length = 0;
    try {
      const facts = await gatherDoctorFacts(ctx, {
        issuer: as.issuer,
        clientId: NATIVE_CLIENT_ID,
        port: 50123,
      });
      expect(facts.discovery.map((a) => a.status)).toEqual([200, 200]);
      expect(facts.discovery[0]!.date).toMatch(/GMT$/);
      expect(facts.jwks?.keys).toHaveLength(2);
      expect(facts.authorize?.redirectUri).toBe('http://127.0.0.1:50123/callback');
      const location = new URL(facts.authorize!.probe.location!);
      expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1:50123/callback');
      expect(location.searchParams.get('state')).toBe(facts.authorize!.state);
      expect(facts.authorize?.control).toBeUndefined();
      expect(as.requests).toEqual([
        'GET /.well-known/oauth-authorization-server',
        'GET /.well-known/openid-configuration',
        'GET /jwks',
        'GET /auth',
      ]);
    } finally {
      await ctx.dispose();
    }
  });

  it('sends the authorization request apikit login would: S256, state, the loopback redirect, prompt=none', async () => {
    const ctx = context();
    try {
      const facts = await gatherDoctorFacts(ctx, { issuer: as.issuer, clientId: NATIVE_CLIENT_ID });
      const sent = new URL(facts.authorize!.probe.url);
      expect(Object.fromEntries(sent.searchParams)).toMatchObject({
        response_type: 'code',
        client_id: NATIVE_CLIENT_ID,
        code_challenge_method: 'S256',
        scope: 'openid',
        prompt: 'none',
        state: facts.authorize!.state,
      });
      const port = Number(new URL(sent.searchParams.get('redirect_uri')!).port);
      expect(port).toBeGreaterThanOrEqual(49152);
    } finally {
      await ctx.dispose();
    }
  });

  it('without a client id, no authorization request', async () => {
    const ctx = context();
    try {
      const facts = await gatherDoctorFacts(ctx, { issuer: as.issuer });
      expect(facts.authorize).toBeUndefined();
    } finally {
      await ctx.dispose();
    }
  });
});
