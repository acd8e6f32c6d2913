import type { JSONWebKeySet } from 'jose';
import type { Context } from '../context.js';
import { InputError, NetworkError } from '../errors.js';
import { requireSecureUrl } from '../lib/oauth/metadata.js';

/**
 * Fetches a JWKS over HTTP(S) with a timeout and a size cap; the result is cached per run (per Context: a batch
 * verify fetches once, and an embedder or test running many commands in one process never sees a stale set).
 * The URL must be https, or http on loopback. Only URLs the USER supplied (or the issuer's discovery document
 * names) are ever fetched — never a token's jku/x5u. A redirect is never followed: the keys come from the URL that
 * was named, not from wherever that host (or an open redirect on it) points.
 * The cap is a ceiling: a command's context may lower it (--max-body) and replace the timeout (--timeout), see
 * src/commands/shared/http-flags.ts.
 */
export const MAX_JWKS_BYTES = 512 * 1024;
export const JWKS_TIMEOUT_MS = 10_000;
const caches = new WeakMap<Context, Map<string, Promise<JSONWebKeySet>>>();

export function fetchJwks(
  ctx: Context,
  url: string,
  options: { timeoutMs?: number } = {},
): Promise<JSONWebKeySet> {
  requireSecureUrl(url, 'JWKS URL');
  let cache = caches.get(ctx);
  if (!cache) {
    cache = new Map();
    caches.set(ctx, cache);
  }
  let pending = cache.get(url);
  if (!pending) {
    pending = load(ctx, url, options.timeoutMs ?? JWKS_TIMEOUT_MS);
    cache.set(url, pending);
    const owner = cache;
    pending.catch(() => owner.delete(url));
  }
  return pending;
}

async function load(ctx: Context, url: string, timeoutMs: number): Promise<JSONWebKeySet> {
  const http = await ctx.http({ maxBodyBytes: MAX_JWKS_BYTES, timeoutMs });
  const res = await http.request({ url, headers: { accept: 'application/jwk-set+json, application/json' } });
  if (res.status !== 200) {
    throw new NetworkError(`JWKS at ${url}: HTTP ${res.status}${redirectNote(res.status)}`, 'ERR_JWKS_HTTP');
  }
  const doc = res.json() as { keys?: unknown };
  if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.keys)) {
    throw new InputError(`JWKS at ${url} has no "keys" array`, 'ERR_JWKS_INVALID');
  }
  return doc as JSONWebKeySet;
}

/** Said when a JWKS or discovery URL answers with a redirect, which apikit does not follow (see fetchJwks). */
export function redirectNote(status: number): string {
  return status >= 300 && status < 400
    ? ' (a redirect: apikit does not follow redirects for keys or metadata)'
    : '';
}
