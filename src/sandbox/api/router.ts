import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Identity } from './types.js';
import { DEPRECATED_VERSION, LIVE_VERSION, RETIRED_VERSION } from './versions.js';

/**
 * The route table and its matching: a path is matched exactly (no trailing-slash or case folding, so one
 * resource has one URL), then its method; a path with no such method is a 405 with `Allow` (RFC 9110 §15.5.6),
 * HEAD is answered wherever GET is. The version is the first path segment: the same routes under v1 and v0,
 * anything under v-1 is gone.
 */

export type Method = 'GET' | 'POST' | 'DELETE';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  /** The verified caller; null on a public route without a credential. */
  identity: Identity | null;
  /** `v1`, `v0`, or null outside the versioned paths. */
  version: string | null;
  /** The path after the version segment (`/posts/3`); the whole path outside them. */
  rest: string;
}

export interface Route {
  /** For the index: `list posts`. */
  summary: string;
  /** null: public; '': any verified credential; else the scope required. */
  scope: string | null;
  policy: 'default' | 'auth';
  run(ctx: RouteContext): Promise<void> | void;
}

export interface RouteEntry {
  /** As shown in the index: `/posts/{id}`. */
  path: string;
  /** Whether the entry lives under /v1 and /v0 (true) or at the root. */
  versioned: boolean;
  pattern: RegExp;
  methods: Partial<Record<Method, Route>>;
}

export type Match =
  | { kind: 'route'; route: Route; params: Record<string, string>; version: string | null; rest: string }
  | { kind: 'options'; allow: string }
  | { kind: 'method-not-allowed'; allow: string; method: string }
  | { kind: 'gone'; rest: string }
  | { kind: 'not-found' };

const VERSIONED = new RegExp(`^/(${LIVE_VERSION}|${DEPRECATED_VERSION})(/.*)$`);

function allowOf(entry: RouteEntry): string {
  const methods = Object.keys(entry.methods) as Method[];
  const list = methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m]));
  return [...list, 'OPTIONS'].join(', ');
}

export function matchRoute(table: readonly RouteEntry[], method: string, path: string): Match {
  if (path === `/${RETIRED_VERSION}` || path.startsWith(`/${RETIRED_VERSION}/`)) {
    return { kind: 'gone', rest: path.slice(RETIRED_VERSION.length + 1) };
  }
  const v = VERSIONED.exec(path);
  const version = v?.[1] ?? null;
  const rest = v?.[2] ?? path;
  for (const entry of table) {
    if (entry.versioned !== (version !== null)) continue;
    const m = entry.pattern.exec(rest);
    if (m === null) continue;
    if (method === 'OPTIONS') return { kind: 'options', allow: allowOf(entry) };
    const wanted = (method === 'HEAD' ? 'GET' : method) as Method;
    const route = Object.hasOwn(entry.methods, wanted) ? entry.methods[wanted] : undefined;
    if (route === undefined) return { kind: 'method-not-allowed', allow: allowOf(entry), method };
    return { kind: 'route', route, params: { ...m.groups }, version, rest };
  }
  return { kind: 'not-found' };
}

/** The table as GET / lists it. */
export function describeRoutes(table: readonly RouteEntry[]): Record<string, unknown>[] {
  return table.flatMap((entry) =>
    (Object.entries(entry.methods) as [Method, Route][]).map(([method, route]) => ({
      method,
      path: entry.versioned ? `/${LIVE_VERSION}${entry.path}` : entry.path,
      summary: route.summary,
      auth: route.scope === null ? 'none' : route.scope === '' ? 'any credential' : `scope ${route.scope}`,
      rate_limit: route.policy,
    })),
  );
}
