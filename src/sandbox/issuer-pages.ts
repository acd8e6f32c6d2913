import { createHash } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import { escapeHtml, PAGE_HEADERS } from '../server/respond.js';

/**
 * The sandbox issuer's pages: sign-in, the device flow's code entry, confirmation and success, and errors. Each is
 * one self-contained HTML document: no script, no external resource, one stylesheet allowed by its hash
 * (`default-src 'none'` otherwise), everything that came from a request escaped. They say plainly that this is
 * the apikit sandbox, a local test issuer, so nobody types a real password into it.
 */

const STYLE = [
  'body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b1f24}',
  'main{max-width:26rem;margin:2rem auto;padding:1.5rem 2rem;background:#fff;border:1px solid #d0d4da;border-radius:6px}',
  'h1{font-size:1.4rem;margin:.2rem 0 1rem}',
  '.badge{margin:0;font-size:.8rem;font-weight:600;letter-spacing:.04em;text-transform:uppercase;color:#5a3e00}',
  'label{display:block;margin-top:.8rem;font-weight:600}',
  'input{box-sizing:border-box;width:100%;padding:.5rem;font:inherit;border:1px solid #7a818a;border-radius:4px}',
  'input:focus,button:focus{outline:3px solid #1a5fb4;outline-offset:1px}',
  'button{margin-top:1rem;padding:.55rem 1.2rem;font:inherit;font-weight:600;border-radius:4px;border:1px solid #1a5fb4;background:#1a5fb4;color:#fff;cursor:pointer}',
  'button.secondary{background:#fff;color:#1a5fb4}',
  '.error{padding:.5rem .75rem;border-left:4px solid #b3261e;background:#fdecea;color:#8c1d18}',
  '.hint{font-size:.9rem;color:#4b535c}',
  'code{font-family:ui-monospace,monospace;font-size:.95em}',
  '.code{font-size:1.6rem;letter-spacing:.1em}',
  'ul{padding-left:1.2rem}',
].join('');

/** CSP3 hash source for the one inline stylesheet: the page may style itself, nothing else may be inlined. */
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/**
 * The headers of every page: PAGE_HEADERS (no-store, no referrer, nosniff, no framing) with a stricter CSP.
 * `formTargets` are the origins a form on the page may end up at besides 'self': Chromium applies form-action to
 * every redirect that follows a submission, and the sign-in form's POST ends, several redirects later, at the
 * client's loopback redirect URI (RFC 8252 §7.3) — so that one origin is allowed there, and only there.
 */
export function pageHeaders(formTargets: readonly string[] = []): Record<string, string> {
  const headers: OutgoingHttpHeaders = {
    ...PAGE_HEADERS,
    'content-security-policy': [
      "default-src 'none'",
      `style-src ${STYLE_HASH}`,
      "base-uri 'none'",
      `form-action ${["'self'", ...formTargets].join(' ')}`,
      "frame-ancestors 'none'",
    ].join('; '),
  };
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]));
}

/**
 * For the provider's own responses that are not one of these pages (JSON, redirects, the auto-submitting form
 * it writes for `response_mode=form_post` and for a device code given in the URL): nothing may load, and the
 * provider adds the hash of its one inline script to `script-src` (its `'strict-dynamic'` alone allows nothing).
 * form_post forms go to a loopback redirect URI on any port: the only redirect URIs the sandbox registers.
 */
export const PROVIDER_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'strict-dynamic'",
    "base-uri 'none'",
    "form-action 'self' http://127.0.0.1:* http://localhost:*",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const SCOPE_TEXT: Record<string, string> = {
  openid: 'who you are (your user id)',
  offline_access: 'stay signed in (a refresh token)',
  profile: 'your name',
  email: 'your email address',
  'read:posts': 'read posts',
  'write:posts': 'create posts',
  'delete:posts': 'delete posts',
};

export interface PageClient {
  id: string;
  name: string | undefined;
}

function document(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · apikit sandbox</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="badge">apikit sandbox · local test issuer</p>
${body}
</main>
</body>
</html>
`;
}

function clientLine(client: PageClient): string {
  const id = `<code>${escapeHtml(client.id)}</code>`;
  return client.name ? `<strong>${escapeHtml(client.name)}</strong> (${id})` : id;
}

function scopeList(scopes: readonly string[]): string {
  if (scopes.length === 0) return '<p>No scopes were requested.</p>';
  const items = scopes.map((s) => {
    const text = Object.hasOwn(SCOPE_TEXT, s) ? SCOPE_TEXT[s] : undefined;
    return `<li><code>${escapeHtml(s)}</code>${text ? ` — ${escapeHtml(text)}` : ''}</li>`;
  });
  return `<ul>\n${items.join('\n')}\n</ul>`;
}

export interface LoginPageInput {
  /** Where the form posts (the interaction's own URL) and where Cancel posts. */
  action: string;
  abortAction: string;
  client: PageClient;
  scopes: readonly string[];
  /** The resource indicators asked for (RFC 8707), if any. */
  resources: readonly string[];
  /** What the user typed last time (kept after a wrong password). */
  username?: string;
  failed?: boolean;
  /** The test user, shown on the page: this is a sandbox, and a workshop needs it at hand. */
  testUser: { username: string; password: string };
}

export function loginPage(input: LoginPageInput): string {
  const error = input.failed
    ? '<p class="error" id="login-error" role="alert">Wrong username or password.</p>\n'
    : '';
  const described = input.failed ? ' aria-describedby="login-error" aria-invalid="true"' : '';
  const resources =
    input.resources.length > 0
      ? `<p>for ${input.resources.map((r) => `<code>${escapeHtml(r)}</code>`).join(', ')}</p>\n`
      : '';
  return document(
    'Sign in',
    `<h1>Sign in</h1>
<p>${clientLine(input.client)} asks for:</p>
${scopeList(input.scopes)}
${resources}${error}<form method="post" action="${escapeHtml(input.action)}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus value="${escapeHtml(input.username ?? '')}"${described}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${described}>
<button type="submit">Sign in</button>
</form>
<form method="post" action="${escapeHtml(input.abortAction)}">
<button type="submit" class="secondary">Cancel</button>
</form>
<p class="hint">Test user: <code>${escapeHtml(input.testUser.username)}</code>, password <code>${escapeHtml(input.testUser.password)}</code>. Never type a real password here.</p>`,
  );
}

export type DeviceInputMessage = 'enter' | 'wrong-code' | 'aborted' | 'failed';

const DEVICE_MESSAGES: Record<DeviceInputMessage, string> = {
  enter: '<p>Enter the code that <code>apikit login --device</code> shows in your terminal.</p>',
  'wrong-code':
    '<p class="error" role="alert">That code is not valid (or no longer). Check it and try again.</p>',
  aborted: '<p class="error" role="alert">The sign-in was cancelled. Start again from the terminal.</p>',
  failed:
    '<p class="error" role="alert">Something went wrong with that code. Start again from the terminal.</p>',
};

export function deviceInputPage(input: {
  action: string;
  xsrf: string;
  userCode?: string | undefined;
  message: DeviceInputMessage;
}): string {
  return document(
    'Connect a device',
    `<h1>Connect a device</h1>
${DEVICE_MESSAGES[input.message]}
<form method="post" action="${escapeHtml(input.action)}">
<input type="hidden" name="xsrf" value="${escapeHtml(input.xsrf)}">
<label for="user_code">Code</label>
<input id="user_code" name="user_code" autocomplete="off" autocapitalize="characters" spellcheck="false" required autofocus value="${escapeHtml(input.userCode ?? '')}">
<button type="submit">Continue</button>
</form>`,
  );
}

/** `form` is the provider's own confirmation form (hidden inputs only: xsrf, user_code, confirm), given as is. */
export function deviceConfirmPage(input: {
  form: string;
  formId: string;
  client: PageClient;
  userCode: string;
}): string {
  return document(
    'Confirm the device',
    `<h1>Confirm the device</h1>
<p>${clientLine(input.client)} wants to sign in on a device that shows this code:</p>
<p class="code"><code>${escapeHtml(input.userCode)}</code></p>
<p>Continue only if your terminal shows the same code and you started this sign-in.</p>
${input.form}
<button type="submit" form="${escapeHtml(input.formId)}">Continue</button>
<button type="submit" form="${escapeHtml(input.formId)}" name="abort" value="yes" class="secondary">Cancel</button>`,
  );
}

export function deviceSuccessPage(client: PageClient): string {
  return document(
    'Signed in',
    `<h1>Signed in</h1>
<p>${clientLine(client)} is signed in. You can close this page and return to your terminal.</p>`,
  );
}

export function errorPage(input: { title: string; error?: string; description?: string }): string {
  const details = [
    input.error ? `<p><code>${escapeHtml(input.error)}</code></p>` : '',
    input.description ? `<p>${escapeHtml(input.description)}</p>` : '',
  ].join('\n');
  return document(
    input.title,
    `<h1>${escapeHtml(input.title)}</h1>
${details}
<p class="hint">Start again from your terminal (for example <code>apikit login</code>).</p>`,
  );
}
