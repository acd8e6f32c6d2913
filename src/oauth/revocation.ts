import type { Context } from '../context.js';

/**
 * Token revocation (RFC 7009). The server answers 200 for a token it revoked or never knew (§2.2), so
 * anything else is reported back for a warning — logout goes on and forgets the tokens either way.
 */
export type RevokeOutcome = { ok: true } | { ok: false; reason: string };

export async function revokeToken(
  ctx: Context,
  endpoint: string,
  token: string,
  hint: 'refresh_token' | 'access_token',
  clientId: string,
): Promise<RevokeOutcome> {
  ctx.redactor.add(token);
  try {
    const http = await ctx.http({ maxBodyBytes: 64 * 1024, timeoutMs: 10_000 });
    const res = await http.request({
      method: 'POST',
      url: endpoint,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      // A public client identifies itself with client_id (RFC 7009 §2.1 + RFC 6749 §2.3).
      body: new URLSearchParams({ token, token_type_hint: hint, client_id: clientId }).toString(),
    });
    if (res.status === 200) return { ok: true };
    let detail = '';
    try {
      const body = res.json() as { error?: unknown };
      if (typeof body.error === 'string') detail = `: ${body.error.slice(0, 80)}`;
    } catch {
      // not JSON: the status says enough
    }
    return { ok: false, reason: `HTTP ${res.status}${detail}` };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}
