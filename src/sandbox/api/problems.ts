import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { sendJson } from './reply.js';

/**
 * Every error the API answers is an RFC 9457 problem document (`application/problem+json`): `type` names the
 * kind of problem (a URL under the API itself, `/problems/<slug>`, which answers with the description below, so
 * the type is dereferenceable as §3.1.1 prefers), `title` is the same for every occurrence of the type, `detail`
 * says what was wrong with this request, `status` repeats the response's status (§3.1.2). Never a stack trace.
 */

export interface ProblemType {
  status: number;
  title: string;
  /** What it means and what to do, served at the type's URL. */
  description: string;
}

export const PROBLEM_TYPES = {
  'bad-request': {
    status: 400,
    title: 'Bad request',
    description: 'The request cannot be read: fix what the detail names.',
  },
  'invalid-json': {
    status: 400,
    title: 'The body is not valid JSON',
    description: 'Send a JSON object encoded as UTF-8 with Content-Type: application/json.',
  },
  'invalid-post': {
    status: 400,
    title: 'The post is not valid',
    description:
      'A post is {"title": string (1-200 characters), "body": string (at most 10000 characters)}; the `errors` member lists each field that is wrong (JSON pointer and reason).',
  },
  'credential-in-query': {
    status: 400,
    title: 'Credentials are not accepted in the URL',
    description:
      'URLs are written to server and proxy logs, browser history and Referer headers: a key or token there is a key or token leaked. Send an API key in the X-API-Key header and a token in Authorization: Bearer. Treat the key you sent as exposed and replace it.',
  },
  'ambiguous-credentials': {
    status: 400,
    title: 'More than one credential',
    description: 'Send either Authorization: Bearer <token> or X-API-Key: <key>, not both.',
  },
  unauthorized: {
    status: 401,
    title: 'Authentication required',
    description:
      'Send an access token from the sandbox issuer (Authorization: Bearer <token>) or an API key (X-API-Key: <key>).',
  },
  'invalid-token': {
    status: 401,
    title: 'The access token is not valid',
    description:
      "The token must be a JWT signed by the sandbox issuer's keys, for this API (aud), not expired. Get a new one: apikit token, or apikit token client-credentials.",
  },
  'invalid-api-key': {
    status: 401,
    title: 'The API key is not valid',
    description: 'The key is malformed or unknown. Use the key in the sandbox api_key_file.',
  },
  'insufficient-scope': {
    status: 403,
    title: 'The credential lacks a required scope',
    description:
      'Ask for the scope named in WWW-Authenticate (scope="…") when you get the token: apikit login --scope …, apikit token client-credentials --scope ….',
  },
  'not-found': {
    status: 404,
    title: 'Not found',
    description: 'Nothing is at this path. GET / lists the endpoints.',
  },
  'method-not-allowed': {
    status: 405,
    title: 'Method not allowed',
    description: 'The Allow header lists the methods this path answers.',
  },
  gone: {
    status: 410,
    title: 'This API version is gone',
    description:
      'The version was retired after its Sunset date. The Link header names its successor (rel="successor-version").',
  },
  'content-too-large': {
    status: 413,
    title: 'The body is too large',
    description: 'Request bodies are limited to 1 MiB.',
  },
  'unsupported-media-type': {
    status: 415,
    title: 'Unsupported media type',
    description: 'Send the body as application/json (UTF-8); Accept-Post says so too.',
  },
  'rate-limited': {
    status: 429,
    title: 'Too many requests',
    description:
      'The token bucket of this client is empty. Wait for Retry-After seconds; RateLimit and RateLimit-Policy say how much is left and how fast it comes back.',
  },
  'store-full': {
    status: 507,
    title: 'The sandbox store is full',
    description: 'The in-memory store keeps a bounded number of posts: delete some first.',
  },
  'upstream-unavailable': {
    status: 503,
    title: 'A service the API needs is unavailable',
    description: "The issuer's keys or the rate limiter could not be reached; try again shortly.",
  },
  internal: {
    status: 500,
    title: 'Internal error',
    description: 'Something went wrong inside the sandbox API.',
  },
} as const satisfies Record<string, ProblemType>;

export type ProblemSlug = keyof typeof PROBLEM_TYPES;

export function problemTypeUrl(apiUrl: string, slug: ProblemSlug): string {
  return `${apiUrl}/problems/${slug}`;
}

export interface ProblemOptions {
  headers?: OutgoingHttpHeaders;
  /** Extension members (RFC 9457 §3.2), e.g. `errors`. */
  extra?: Record<string, unknown>;
}

export function sendProblem(
  res: ServerResponse,
  apiUrl: string,
  slug: ProblemSlug,
  detail: string,
  options: ProblemOptions = {},
): void {
  const type = PROBLEM_TYPES[slug];
  const body = {
    type: problemTypeUrl(apiUrl, slug),
    title: type.title,
    status: type.status,
    detail,
    ...options.extra,
  };
  sendJson(res, type.status, body, options.headers, 'application/problem+json');
}

/** The catalogue, as /problems answers it. */
export function problemCatalogue(apiUrl: string): Record<string, unknown>[] {
  return Object.entries(PROBLEM_TYPES).map(([slug, t]) => ({
    type: problemTypeUrl(apiUrl, slug as ProblemSlug),
    ...t,
  }));
}

export function isProblemSlug(s: string): s is ProblemSlug {
  return Object.hasOwn(PROBLEM_TYPES, s);
}

/**
 * RFC 6750 §3: the challenge of a 401 or 403. Without any credential no error code (§3.1: "SHOULD NOT include
 * an error code"); a bad token `invalid_token`; a missing scope `insufficient_scope` with the scope needed. The
 * description is one of our fixed sentences: §3 allows only %x20-21 / %x23-5B / %x5D-7E in it, so no quotes.
 */
export const REALM = 'apikit-sandbox';

export function bearerChallenge(
  error?: 'invalid_token' | 'invalid_request' | 'insufficient_scope',
  description?: string,
  scope?: string,
): string {
  const parts = [`realm="${REALM}"`];
  if (error !== undefined) parts.push(`error="${error}"`);
  if (description !== undefined) parts.push(`error_description="${description.replace(/["\\]/g, '')}"`);
  if (scope !== undefined) parts.push(`scope="${scope}"`);
  return `Bearer ${parts.join(', ')}`;
}
