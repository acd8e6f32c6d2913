import type { Clock } from '../../lib/time/clock.js';
import { discardBody, readJsonBody } from './body.js';
import { createPostStore, validatePost, type PostStore } from './posts.js';
import {
  isProblemSlug,
  problemCatalogue,
  PROBLEM_TYPES,
  problemTypeUrl,
  sendProblem,
  type ProblemOptions,
  type ProblemSlug,
} from './problems.js';
import { sendEmpty, sendJson } from './reply.js';
import { describeRoutes, type RouteContext, type RouteEntry } from './router.js';
import { versionsDocument, type VersionDates } from './versions.js';

/**
 * What each route does. The posts are the reference resource (list, create, read, delete, each with its own
 * scope); `POST /v1/auth/token-check` says what the API made of the caller's credential, under the stricter
 * `auth` bucket; the root documents the API (its routes, versions, problem types, the lab).
 */

export interface EndpointDeps {
  apiUrl: string;
  clock: Clock;
  dates: VersionDates;
}

const LIST_DEFAULT = 50;
const LIST_MAX = 100;
const ID = '(?<id>[1-9][0-9]{0,9})';

export function routeTable(deps: EndpointDeps, store: PostStore = createPostStore(deps.clock)): RouteEntry[] {
  const { apiUrl } = deps;
  const problem = (ctx: RouteContext, slug: ProblemSlug, detail: string, options?: ProblemOptions): void =>
    sendProblem(ctx.res, apiUrl, slug, detail, options);

  const table: RouteEntry[] = [
    {
      path: '/',
      versioned: false,
      pattern: /^\/$/,
      methods: {
        GET: {
          summary: 'this index',
          scope: null,
          policy: 'default',
          run: (ctx) =>
            sendJson(ctx.res, 200, {
              name: 'apikit sandbox reference API',
              docs: 'every error is application/problem+json; GET /problems lists the types',
              routes: describeRoutes(table),
              versions: `${apiUrl}/versions`,
              problems: `${apiUrl}/problems`,
              lab: `${apiUrl}/lab/`,
            }),
        },
      },
    },
    {
      path: '/versions',
      versioned: false,
      pattern: /^\/versions$/,
      methods: {
        GET: {
          summary: 'the versions and their lifecycle (the deprecation notice)',
          scope: null,
          policy: 'default',
          run: (ctx) => sendJson(ctx.res, 200, versionsDocument(apiUrl, deps.dates)),
        },
      },
    },
    {
      path: '/problems',
      versioned: false,
      pattern: /^\/problems$/,
      methods: {
        GET: {
          summary: 'the problem types (RFC 9457)',
          scope: null,
          policy: 'default',
          run: (ctx) => sendJson(ctx.res, 200, { problems: problemCatalogue(apiUrl) }),
        },
      },
    },
    {
      path: '/problems/{type}',
      versioned: false,
      pattern: /^\/problems\/(?<slug>[a-z-]{1,40})$/,
      methods: {
        GET: {
          summary: 'one problem type',
          scope: null,
          policy: 'default',
          run: (ctx) => {
            const slug = ctx.params.slug ?? '';
            if (!isProblemSlug(slug)) return problem(ctx, 'not-found', 'no such problem type');
            sendJson(ctx.res, 200, { type: problemTypeUrl(apiUrl, slug), ...PROBLEM_TYPES[slug] });
          },
        },
      },
    },
    {
      path: '/posts',
      versioned: true,
      pattern: /^\/posts$/,
      methods: {
        GET: {
          summary: 'list posts (?limit=1…100, ?after=<id>)',
          scope: 'read:posts',
          policy: 'default',
          run: (ctx) => {
            const limit = intParam(ctx.url, 'limit', LIST_DEFAULT, 1, LIST_MAX);
            const after = intParam(ctx.url, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
            if (limit === null || after === null) {
              return problem(
                ctx,
                'bad-request',
                `limit must be a whole number from 1 to ${LIST_MAX}, after a post id`,
              );
            }
            const page = store.list(after, limit);
            const last = page.posts.at(-1);
            const next =
              page.more && last !== undefined
                ? `${apiUrl}/${ctx.version}/posts?limit=${limit}&after=${last.id}`
                : null;
            sendJson(
              ctx.res,
              200,
              { posts: page.posts, next },
              next === null ? {} : { link: appendLink(ctx, `<${next}>; rel="next"`) },
            );
          },
        },
        POST: {
          summary: 'create a post {"title", "body"}',
          scope: 'write:posts',
          policy: 'default',
          run: async (ctx) => {
            const read = await readJsonBody(ctx.req);
            if (!read.ok) {
              return problem(ctx, read.problem, read.detail, {
                headers: bodyProblemHeaders(read.problem),
              });
            }
            const valid = validatePost(read.json);
            if (!valid.ok) {
              return problem(ctx, 'invalid-post', `${valid.errors.length} member(s) are not valid`, {
                extra: { errors: valid.errors },
              });
            }
            const post = store.create(valid.value, ctx.identity?.subject ?? 'anonymous');
            if (post === undefined) {
              return problem(ctx, 'store-full', `the store holds its maximum of ${store.size} posts`);
            }
            sendJson(ctx.res, 201, post, { location: `${apiUrl}/${ctx.version}/posts/${post.id}` });
          },
        },
      },
    },
    {
      path: '/posts/{id}',
      versioned: true,
      pattern: new RegExp(`^/posts/${ID}$`),
      methods: {
        GET: {
          summary: 'read one post',
          scope: 'read:posts',
          policy: 'default',
          run: (ctx) => {
            const post = store.get(ctx.params.id ?? '');
            if (post === undefined) return problem(ctx, 'not-found', `no post ${ctx.params.id}`);
            sendJson(ctx.res, 200, post);
          },
        },
        DELETE: {
          summary: 'delete a post',
          scope: 'delete:posts',
          policy: 'default',
          run: (ctx) => {
            if (!store.delete(ctx.params.id ?? '')) {
              return problem(ctx, 'not-found', `no post ${ctx.params.id}`);
            }
            sendEmpty(ctx.res, 204);
          },
        },
      },
    },
    {
      path: '/auth/token-check',
      versioned: true,
      pattern: /^\/auth\/token-check$/,
      methods: {
        POST: {
          summary: 'what the API makes of your credential (stricter rate limit)',
          scope: '',
          policy: 'auth',
          run: async (ctx) => {
            // Any body is read (bounded) and ignored: the credential is in the headers.
            if ((await discardBody(ctx.req)) === 'too-large') {
              return problem(ctx, 'content-too-large', 'the body is larger than 1 MiB', {
                headers: { connection: 'close' },
              });
            }
            const id = ctx.identity!;
            sendJson(ctx.res, 200, {
              active: true,
              via: id.via,
              subject: id.subject,
              client_id: id.clientId,
              scopes: id.scopes,
              expires_at: id.expiresAt,
            });
          },
        },
      },
    },
  ];
  return table;
}

/** A 413 leaves the rest of the body unread: the connection cannot be reused. A 415 names what is accepted. */
function bodyProblemHeaders(slug: 'content-too-large' | 'unsupported-media-type' | 'invalid-json') {
  if (slug === 'content-too-large') return { connection: 'close' };
  if (slug === 'unsupported-media-type') return { 'accept-post': 'application/json' };
  return {};
}

/** A Link value added to one already set (v0's lifecycle links). */
function appendLink(ctx: RouteContext, link: string): string {
  const existing = ctx.res.getHeader('link');
  return typeof existing === 'string' && existing !== '' ? `${existing}, ${link}` : link;
}

/** A whole-number query parameter within bounds; the default when absent, null when not acceptable. */
function intParam(url: URL, name: string, fallback: number, min: number, max: number): number | null {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^[0-9]{1,16}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= min && n <= max ? n : null;
}
