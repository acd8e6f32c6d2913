import { terminalSafe } from '../../text/terminal-safe.js';
import { q, skipped } from './discovery.js';
import type { Answer, AuthorizeFacts, Check } from './types.js';

/**
 * Whether the authorization server accepts a loopback redirect URI on an arbitrary port for the client (RFC 8252
 * §7.3), told from the answer to an authorization request that is not followed:
 * - a redirect to the redirect URI itself (with a code, or an error such as `login_required` for `prompt=none`):
 *   accepted — RFC 6749 §4.1.2.1 forbids sending anything to a redirect URI the server has not validated;
 * - a 4xx/5xx page, or a redirect elsewhere carrying `error`: refused (the page usually names
 *   `invalid_redirect_uri` or `invalid_request`);
 * - anything else (a sign-in page, a redirect to one) proves nothing alone: the server may check the redirect URI
 *   later. The same request with a redirect URI nobody registered (the control) settles it: refused there but not
 *   here means the server told them apart.
 */

export type AuthorizeReading =
  | { kind: 'callback'; error?: string; description?: string; iss: string | null; stateEchoed: boolean }
  | { kind: 'refused'; how: string; error?: string; description?: string }
  | { kind: 'onward'; how: string }
  | { kind: 'no-answer'; how: string };

const OAUTH_ERRORS =
  /\b(invalid_redirect_uri|invalid_request|invalid_client|unauthorized_client|unsupported_response_type|invalid_scope|access_denied|server_error|temporarily_unavailable|invalid_request_uri|invalid_request_object)\b/;

/** The parameters of a redirect's Location: its query, and its fragment (response_mode=fragment). */
function locationParams(url: URL): URLSearchParams {
  const params = new URLSearchParams(url.search);
  for (const [k, v] of new URLSearchParams(url.hash.replace(/^#/, ''))) if (!params.has(k)) params.set(k, v);
  return params;
}

/** An OAuth error named by an error page: a JSON `error` member, else the first error code in the text. */
function errorInBody(body: string | undefined): { error?: string; description?: string } {
  if (!body) return {};
  const text = body.slice(0, 64 * 1024);
  const json = /"error"\s*:\s*"([A-Za-z0-9_.-]{1,80})"/.exec(text);
  const description = /"error_description"\s*:\s*"((?:[^"\\]|\\.){1,300})"/.exec(text);
  const error = json?.[1] ?? OAUTH_ERRORS.exec(text)?.[1];
  return {
    ...(error ? { error } : {}),
    ...(description ? { description: terminalSafe(description[1]!, 200) } : {}),
  };
}

function sameEndpoint(a: URL, b: URL): boolean {
  return a.origin === b.origin && a.pathname === b.pathname;
}

export function readAuthorizeAnswer(answer: Answer, redirectUri: string, state: string): AuthorizeReading {
  if (answer.status === undefined) {
    return { kind: 'no-answer', how: terminalSafe(answer.error?.message ?? 'no answer', 200) };
  }
  const status = answer.status;
  if (status >= 300 && status < 400 && answer.location !== undefined) {
    let target: URL;
    try {
      target = new URL(answer.location, answer.url);
    } catch {
      return { kind: 'onward', how: `HTTP ${status} to an unreadable Location ${q(answer.location)}` };
    }
    const params = locationParams(target);
    const error = params.get('error') ?? undefined;
    const description = params.get('error_description') ?? undefined;
    const described = {
      ...(error !== undefined ? { error: terminalSafe(error, 80) } : {}),
      ...(description !== undefined ? { description: terminalSafe(description, 200) } : {}),
    };
    if (sameEndpoint(target, new URL(redirectUri))) {
      return {
        kind: 'callback',
        ...described,
        iss: params.get('iss'),
        stateEchoed: params.get('state') === state,
      };
    }
    const where = `${target.origin}${target.pathname}`;
    if (error !== undefined) return { kind: 'refused', how: `HTTP ${status} to ${q(where)}`, ...described };
    return { kind: 'onward', how: `HTTP ${status} to ${q(where)}` };
  }
  if (status >= 400) return { kind: 'refused', how: `HTTP ${status}`, ...errorInBody(answer.body) };
  return { kind: 'onward', how: `HTTP ${status}${status < 300 ? ' (a page, perhaps a sign-in form)' : ''}` };
}

/** Whether the probe's answer alone does not tell, so that the control request is worth sending. */
export function needsControl(reading: AuthorizeReading): boolean {
  return reading.kind === 'onward';
}

function describe(r: AuthorizeReading): string {
  const error =
    'error' in r && r.error !== undefined
      ? ` with error=${r.error}${r.description !== undefined ? ` (${r.description})` : ''}`
      : '';
  switch (r.kind) {
    case 'callback':
      return `a redirect back to the redirect URI${error}`;
    case 'refused':
      return `${r.how}${error}`;
    case 'onward':
      return r.how;
    case 'no-answer':
      return `no answer (${r.how})`;
  }
}

/** What the loopback probe saw, for the RFC 9207 check: the response's iss, when one came back to the callback. */
export function issSeen(facts: AuthorizeFacts | undefined): { iss: string | null } | undefined {
  if (!facts) return undefined;
  const r = readAuthorizeAnswer(facts.probe, facts.redirectUri, facts.state);
  return r.kind === 'callback' ? { iss: r.iss } : undefined;
}

export function loopbackCheck(
  facts: AuthorizeFacts | undefined,
  clientId: string | undefined,
  notRun: string | undefined,
): Check {
  const title = 'loopback redirect on an arbitrary port accepted for the client (RFC 8252 §7.3)';
  if (clientId === undefined) return skipped('loopback-redirect', title, 'give --client-id to check it');
  if (!facts) return skipped('loopback-redirect', title, notRun);
  const base = { id: 'loopback-redirect' as const, title };
  const probe = readAuthorizeAnswer(facts.probe, facts.redirectUri, facts.state);
  const evidence = [
    `authorization request for client ${q(clientId)} with redirect_uri ${facts.redirectUri}: ${describe(probe)}`,
  ];
  const details: Record<string, unknown> = { redirectUri: facts.redirectUri, probe: probe.kind };
  const refusedAdvice =
    `register the loopback redirect URI http://127.0.0.1/callback for client ${q(clientId)} and let its port vary ` +
    '(RFC 8252 §7.3); or run apikit login --port <n> with a redirect URI registered on that port';
  if (probe.kind === 'callback') {
    if (!probe.stateEchoed)
      evidence.push('the response did not carry the state that was sent (RFC 6749 §4.1.2)');
    return {
      ...base,
      status: probe.stateEchoed ? 'pass' : 'fail',
      evidence,
      advice: probe.stateEchoed
        ? null
        : 'return the state parameter unchanged in every authorization response',
      details: { ...details, accepted: true },
    };
  }
  if (probe.kind === 'refused') {
    return {
      ...base,
      status: 'fail',
      evidence,
      advice: refusedAdvice,
      details: { ...details, accepted: false },
    };
  }
  if (probe.kind === 'no-answer') {
    return {
      ...base,
      status: 'fail',
      evidence,
      advice: 'make the authorization endpoint reachable from here',
      details: { ...details, accepted: null },
    };
  }
  const control = facts.control
    ? readAuthorizeAnswer(facts.control.answer, facts.control.redirectUri, facts.state)
    : undefined;
  if (control && facts.control) {
    evidence.push(
      `the same request with an unregistered redirect_uri ${facts.control.redirectUri}: ${describe(control)}`,
    );
    details.control = control.kind;
  }
  if (control?.kind === 'refused') {
    evidence.push('the server tells the two apart: the loopback redirect URI is accepted');
    return { ...base, status: 'pass', evidence, advice: null, details: { ...details, accepted: true } };
  }
  evidence.push(
    'the server answers an unregistered redirect URI the same way, so this does not show acceptance',
  );
  return {
    ...base,
    status: 'warn',
    evidence,
    advice:
      'cannot tell from outside; check that the client registers http://127.0.0.1/callback with any port (RFC 8252 §7.3)',
    details: { ...details, accepted: null },
  };
}
