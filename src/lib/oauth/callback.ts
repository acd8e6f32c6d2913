import { terminalSafe, terminalSafeOptional } from '../text/terminal-safe.js';

/**
 * Reading an authorization response (RFC 6749 §4.1.2 / §4.1.2.1) with the checks RFC 9700 requires:
 * `state` must match (CSRF, §4.7) and `iss` must name our issuer (RFC 9207 mix-up defence, §4.4) — and must be
 * present when the issuer advertised `authorization_response_iss_parameter_supported`.
 * Pure: the loopback server and --manual both feed it.
 */

export interface CallbackExpectations {
  state: string;
  /** The issuer we sent the user to (undefined when endpoints were given without --issuer). */
  issuer?: string;
  /** The issuer promised to send `iss` (RFC 9207 §3). */
  issRequired: boolean;
}

export type CallbackOutcome =
  /** Not for this login (missing or different state): a stale tab or a forged request. Keep waiting. */
  | { kind: 'wrong-state' }
  | { kind: 'iss-mismatch'; iss: string }
  | { kind: 'iss-missing' }
  | { kind: 'error'; error: string; description?: string }
  | { kind: 'no-code' }
  | { kind: 'code'; code: string };

export function readCallback(query: URLSearchParams, expect: CallbackExpectations): CallbackOutcome {
  const state = query.get('state');
  if (state === null || !constantTimeEqual(state, expect.state)) return { kind: 'wrong-state' };
  // RFC 9207 §2.4: check iss before anything else in the response, error responses included. With endpoints
  // given by hand there is no issuer to compare with (login warns that the check is off) — refusing every
  // response that carries iss would make such logins impossible against servers that always send it.
  const iss = query.get('iss');
  if (iss !== null) {
    if (expect.issuer !== undefined && iss !== expect.issuer) return { kind: 'iss-mismatch', iss };
  } else if (expect.issRequired) {
    return { kind: 'iss-missing' };
  }
  const error = query.get('error');
  if (error !== null) {
    return {
      kind: 'error',
      error: terminalSafe(error, 200),
      description: terminalSafeOptional(query.get('error_description'), 200),
    };
  }
  const code = query.get('code');
  if (!code) return { kind: 'no-code' };
  return { kind: 'code', code };
}

/**
 * What the user pasted in --manual mode: the whole redirect URL (checked like a callback) or just the code.
 */
export function parsePastedResponse(
  input: string,
): { query: URLSearchParams } | { code: string } | undefined {
  const text = input.trim();
  if (!text) return undefined;
  if (/^https?:\/\//i.test(text)) {
    try {
      return { query: new URL(text).searchParams };
    } catch {
      return undefined;
    }
  }
  if (text.startsWith('?') || text.includes('='))
    return { query: new URLSearchParams(text.replace(/^\?/, '')) };
  // A bare code: RFC 6749 codes are VSCHAR; anything with spaces is not one.
  if (/^[\x21-\x7e]+$/.test(text)) return { code: text };
  return undefined;
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
