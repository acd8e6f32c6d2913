import { randomInt } from 'node:crypto';
import type { HttpClient } from '../../http/client.js';
import { buildAuthorizationUrl } from '../../lib/oauth/authorize-url.js';
import { needsControl, readAuthorizeAnswer, type AuthorizeFacts } from '../../lib/oauth/doctor.js';
import { createPkce, randomValue } from '../../lib/oauth/pkce.js';
import { exchange } from './exchange.js';

/**
 * The RFC 8252 §7.3 check: the authorization request `apikit login` would send (PKCE S256, state, the loopback
 * redirect URI http://127.0.0.1:<port>/callback), with `prompt=none` so that an OpenID provider answers at once —
 * to the redirect URI when it accepts it (`login_required`), with an error page when it does not — instead of
 * showing a sign-in page. The answer is read, never followed. Only when it proves nothing (a page, a redirect
 * elsewhere) is a second request sent, with a redirect URI nobody registered, to compare (see
 * src/lib/oauth/doctor/loopback.ts). Two requests at most; no secret is sent (the client is public).
 */
export interface LoopbackProbe {
  authorizationEndpoint: string;
  clientId: string;
  port?: number;
  /** The server lists the openid scope: ask for it (an OpenID provider then honours prompt=none). */
  openid: boolean;
}

/** The first bytes of the sign-in page or error page that is read: enough for an error code, not a whole app. */
const MAX_PAGE_BYTES = 64 * 1024;

export async function probeLoopbackRedirect(http: HttpClient, probe: LoopbackProbe): Promise<AuthorizeFacts> {
  // Dynamic ports (RFC 6335 §6): nothing the client could have registered by accident.
  const port = probe.port ?? randomInt(49152, 65536);
  const redirectUri = `http://127.0.0.1:${port}/callback`;
  const state = randomValue();
  const send = (uri: string) =>
    exchange(http, {
      url: buildAuthorizationUrl({
        authorizationEndpoint: probe.authorizationEndpoint,
        clientId: probe.clientId,
        redirectUri: uri,
        state,
        codeChallenge: createPkce().challenge,
        scope: probe.openid ? 'openid' : undefined,
        nonce: probe.openid ? randomValue() : undefined,
        params: { prompt: 'none' },
      }),
      headers: { accept: 'text/html, application/json;q=0.9' },
      followRedirects: false,
      truncateBody: true,
      maxBodyBytes: Math.min(MAX_PAGE_BYTES, http.options.maxBodyBytes),
    });
  const answer = await send(redirectUri);
  const facts: AuthorizeFacts = { redirectUri, state, probe: answer };
  if (needsControl(readAuthorizeAnswer(answer, redirectUri, state))) {
    const control = `http://127.0.0.1:${port}/apikit-doctor-unregistered-${randomValue(64)}`;
    facts.control = { redirectUri: control, answer: await send(control) };
  }
  return facts;
}
