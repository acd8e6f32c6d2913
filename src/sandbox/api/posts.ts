import type { Clock } from '../../lib/time/clock.js';

/**
 * The reference API's data: posts in memory, seeded with a few so that a first GET shows something, and bounded
 * (MAX_POSTS) so that a load test or a loop of POSTs cannot grow the process without end — past the bound a
 * create is refused (507), never a silent eviction of someone's post. Ids are increasing decimal strings.
 */

export interface Post {
  id: string;
  title: string;
  body: string;
  /** Who created it: the token's subject or the API key's id (`sandbox` for the seeds). */
  author: string;
  /** ISO 8601. */
  created_at: string;
}

export const MAX_POSTS = 1000;
export const TITLE_MAX = 200;
export const BODY_MAX = 10_000;

const SEEDS: readonly Pick<Post, 'title' | 'body'>[] = [
  { title: 'Welcome to the apikit sandbox', body: 'A real issuer and this API, on 127.0.0.1 only.' },
  {
    title: 'Try a probe',
    body: 'apikit probe ratelimit, probe cors and audit all have something to measure here.',
  },
  {
    title: 'Broken on purpose',
    body: 'GET /lab/ lists endpoints that are wrong on purpose, to show the findings.',
  },
];

export interface PostStore {
  list(after: number, limit: number): { posts: Post[]; more: boolean };
  get(id: string): Post | undefined;
  /** Undefined when the store is full. */
  create(input: { title: string; body: string }, author: string): Post | undefined;
  delete(id: string): boolean;
  readonly size: number;
}

export function createPostStore(clock: Clock): PostStore {
  const posts = new Map<string, Post>();
  let nextId = 1;
  const add = (input: { title: string; body: string }, author: string): Post => {
    const post: Post = {
      id: String(nextId++),
      title: input.title,
      body: input.body,
      author,
      created_at: new Date(clock.now()).toISOString(),
    };
    posts.set(post.id, post);
    return post;
  };
  for (const seed of SEEDS) add(seed, 'sandbox');
  return {
    list(after, limit) {
      // Map iteration is insertion order, which is id order.
      const all = [...posts.values()].filter((p) => Number(p.id) > after);
      return { posts: all.slice(0, limit), more: all.length > limit };
    },
    get: (id) => posts.get(id),
    create(input, author) {
      if (posts.size >= MAX_POSTS) return undefined;
      return add(input, author);
    },
    delete: (id) => posts.delete(id),
    get size() {
      return posts.size;
    },
  };
}

export interface FieldError {
  /** JSON pointer (RFC 6901) to the member. */
  pointer: string;
  detail: string;
}

/** A create request's body checked against the post shape: the fields, or each thing wrong with it. */
export function validatePost(
  json: unknown,
): { ok: true; value: { title: string; body: string } } | { ok: false; errors: FieldError[] } {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, errors: [{ pointer: '', detail: 'must be a JSON object' }] };
  }
  const doc = json as Record<string, unknown>;
  const errors: FieldError[] = [];
  const { title, body } = doc;
  if (typeof title !== 'string') errors.push({ pointer: '/title', detail: 'required, a string' });
  else if (title.trim() === '') errors.push({ pointer: '/title', detail: 'must not be empty' });
  else if ([...title].length > TITLE_MAX)
    errors.push({ pointer: '/title', detail: `at most ${TITLE_MAX} characters` });
  if (body !== undefined && typeof body !== 'string')
    errors.push({ pointer: '/body', detail: 'must be a string' });
  else if (typeof body === 'string' && [...body].length > BODY_MAX)
    errors.push({ pointer: '/body', detail: `at most ${BODY_MAX} characters` });
  for (const key of Object.keys(doc)) {
    if (key !== 'title' && key !== 'body') {
      errors.push({ pointer: `/${pointerToken(key)}`, detail: 'unknown member' });
      if (errors.length >= 20) break;
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { title: title as string, body: (body as string | undefined) ?? '' } };
}

/** RFC 6901 §3: `~` → `~0`, `/` → `~1`; a long member name is cut (it is the client's text, not ours). */
function pointerToken(key: string): string {
  const escaped = key.replace(/~/g, '~0').replace(/\//g, '~1');
  return escaped.length > 60 ? `${escaped.slice(0, 60)}…` : escaped;
}
