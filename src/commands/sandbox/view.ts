import type { Rendered, View } from '../../io/render.js';
import type { Outcome } from '../../lib/outcome.js';
import { shellQuote } from '../../lib/text/shell-quote.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import type { SandboxInfo, SandboxRequestEntry } from '../../sandbox/index.js';

export interface SandboxResult extends SandboxInfo {
  outcome: Outcome;
}

/**
 * What the sandbox is and how to use it: a key/value block, then commands to paste (each a real apikit command
 * with this sandbox's URLs and files). `--json`: SandboxInfo as it is — the documented, stable document.
 */
export function renderSandbox(result: SandboxResult, view: View): Rendered {
  const { outcome: _outcome, ...info } = result;
  const doc = view.doc();
  if (view.json) return doc.json(info).blocks;
  const c = view.color.out;
  const rows: Array<[string, string]> = [
    ['issuer', info.issuer],
    ['API', `${info.api_url}  (resource indicator ${info.resource})`],
    ['test user', `${info.user.username} / ${info.user.password}`],
    ['public client', `${info.clients.public.client_id}  (apikit login: PKCE, device flow)`],
    [
      'service client',
      `${info.clients.confidential.client_id}  secret in ${info.clients.confidential.secret_file}`,
    ],
    [
      'signer client',
      `${info.clients.private_key_jwt.client_id}  key in ${info.clients.private_key_jwt.key_file}`,
    ],
    ['API key', `in ${info.api_key_file}  (send it as X-API-Key)`],
    ['scopes', info.scopes.join(' ')],
    ['CORS origins', info.cors_origins.join(', ')],
    [
      'rate limiter',
      info.rate_limiter === 'redis' ? 'token bucket in Redis (shared)' : 'token bucket in memory',
    ],
    ['state', info.state_dir],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [c.bold('apikit sandbox is running on 127.0.0.1 — Ctrl-C to stop'), ''];
  for (const [k, v] of rows) lines.push(`  ${c.dim(k.padEnd(width))}  ${v}`);
  lines.push('', c.bold('Try:'));
  for (const [comment, command] of tryCommands(info)) {
    lines.push(`  ${c.dim(`# ${comment}`)}`, `  ${command}`);
  }
  return doc.result(lines.join('\n')).blocks;
}

/** Ready-to-paste commands for each apikit feature, against this sandbox. */
export function tryCommands(info: SandboxInfo): Array<[string, string]> {
  const posts = `${info.api_url}/v1/posts`;
  const q = shellQuote;
  const scopes = q(`openid offline_access ${info.scopes.join(' ')}`);
  return [
    [
      `sign in as ${info.user.username} (the browser opens the sandbox's login page)`,
      `apikit login --issuer ${info.issuer} --client-id ${info.clients.public.client_id} --resource ${info.resource} --scope ${scopes} --profile sandbox`,
    ],
    [
      'call the API with the profile (its token is refreshed when needed)',
      `apikit request GET ${posts} --profile sandbox`,
    ],
    [
      'or with the API key',
      `APIKIT_API_KEY=$(cat ${q(info.api_key_file)}) apikit request GET ${posts} --api-key-env APIKIT_API_KEY`,
    ],
    [
      'a service token (client_secret_basic)',
      `apikit token client-credentials --issuer ${info.issuer} --client-id ${info.clients.confidential.client_id} --client-secret-file ${q(info.clients.confidential.secret_file)} --resource ${info.resource} --scope read:posts`,
    ],
    [
      'a service token (private_key_jwt)',
      `apikit token client-credentials --issuer ${info.issuer} --client-id ${info.clients.private_key_jwt.client_id} --private-key ${q(info.clients.private_key_jwt.key_file)} --resource ${info.resource} --scope read:posts`,
    ],
    [
      'is the issuer ready for apikit login?',
      `apikit doctor --issuer ${info.issuer} --client-id ${info.clients.public.client_id}`,
    ],
    ['the rate limit: a token bucket', `apikit probe ratelimit ${posts} --api-key-env APIKIT_API_KEY`],
    [
      'CORS from an allowed origin',
      `apikit probe cors ${posts} --origin ${info.cors_origins[0] ?? 'http://localhost:3000'}`,
    ],
    ['security headers: /v1 grades A', `apikit audit ${posts} --api-key-env APIKIT_API_KEY`],
    ['API versions: v0 deprecated, v1 live, v-1 retired', `apikit probe versions ${posts}`],
    [
      'what broken looks like',
      `apikit audit ${info.api_url}/lab/headers; apikit probe cors ${info.api_url}/lab/cors`,
    ],
  ];
}

/** One request of the log on stderr: method, path (never the query, which may carry a key), status, time. */
export function requestLogLine(entry: SandboxRequestEntry, view: View): string {
  const c = view.color.err;
  const status = entry.status >= 500 ? c.red : entry.status >= 400 ? c.yellow : c.green;
  const server = entry.server === 'issuer' ? 'issuer' : 'api   ';
  return `${c.dim(server)} ${terminalSafe(entry.method, 20)} ${terminalSafe(entry.path, 200)} ${status(String(entry.status))} ${c.dim(`${entry.ms} ms`)}`;
}
