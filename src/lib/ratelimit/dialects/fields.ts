import { isInnerList, Token, type BareItem, type InnerList, type Item } from 'structured-headers';
import type { HeaderMap, HeaderProblem } from '../types.js';

/**
 * Shared plumbing of the dialect readers: header lookup, the numeric checks every field goes through, and the
 * problem list. Nothing here parses structured-field syntax — that is the `structured-headers` library's job.
 */

/** Sf-integers have at most 15 digits (RFC 9651 §3.3.1); the legacy headers are held to the same bound. */
export const MAX_COUNT = 999_999_999_999_999;

/** A reader's scratch pad: the lower-cased header view and the problems found so far. */
export interface FieldContext {
  readonly fields: ReadonlyMap<string, readonly string[]>;
  readonly problems: HeaderProblem[];
}

/** Lower-case every name (the contract says they are, but a caller's test map may not be) and flatten arrays. */
export function indexHeaders(headers: HeaderMap): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const list = out.get(key) ?? [];
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v === 'string') list.push(v);
    }
    out.set(key, list);
  }
  return out;
}

export function has(ctx: FieldContext, name: string): boolean {
  return (ctx.fields.get(name)?.length ?? 0) > 0;
}

/** The value of a list- or dictionary-typed field: repeated lines combine with ", " (RFC 9651 §4.2, RFC 9110 §5.3). */
export function combined(ctx: FieldContext, name: string): string | null {
  const values = ctx.fields.get(name);
  if (values === undefined || values.length === 0) return null;
  return values.join(', ');
}

/**
 * The value of a singleton field. Repeating it with one value is harmless (proxies do it); repeating it with
 * different values is a problem, and then no value is used.
 */
export function single(ctx: FieldContext, name: string): string | null {
  const values = ctx.fields.get(name);
  if (values === undefined || values.length === 0) return null;
  const distinct = [...new Set(values.map((v) => v.trim()))];
  if (distinct.length > 1) {
    problem(ctx, name, values.join(', '), `sent ${values.length} times with different values`);
    return null;
  }
  return distinct[0]!;
}

export function problem(ctx: FieldContext, header: string, value: string, text: string): void {
  ctx.problems.push({ header, value, problem: text });
}

/**
 * The parser's message (never the stack). `what`: how to name the failure — the X- headers are not structured
 * fields, so for them "not a number" is the truthful lead.
 */
export function parseErrorText(err: unknown, what = 'not a valid structured field'): string {
  const message = err instanceof Error ? err.message : String(err);
  return `${what}: ${message}`.slice(0, 200);
}

export type NumberCheck = { ok: true; value: number } | { ok: false; problem: string };

/**
 * A count (quota, remaining, window, delta seconds): a non-negative integer of at most 15 digits. The library
 * returns `10.0` as 10, so an integral decimal passes; `2.5`, `-1`, strings and tokens do not.
 */
export function checkCount(value: BareItem | undefined, what: string): NumberCheck {
  if (typeof value !== 'number') return { ok: false, problem: `${what} is not a number` };
  if (!Number.isFinite(value)) return { ok: false, problem: `${what} is not a finite number` };
  if (!Number.isInteger(value)) return { ok: false, problem: `${what} is not an integer (${value})` };
  if (value < 0) return { ok: false, problem: `${what} is negative (${value})` };
  if (value > MAX_COUNT) return { ok: false, problem: `${what} is too large (${value})` };
  return { ok: true, value };
}

/** Like checkCount, but fractions are allowed (Discord-style `X-RateLimit-Reset: 1470173023.123`). */
export function checkNonNegative(value: BareItem | undefined, what: string): NumberCheck {
  if (typeof value !== 'number') return { ok: false, problem: `${what} is not a number` };
  if (!Number.isFinite(value)) return { ok: false, problem: `${what} is not a finite number` };
  if (value < 0) return { ok: false, problem: `${what} is negative (${value})` };
  if (value > MAX_COUNT) return { ok: false, problem: `${what} is too large (${value})` };
  return { ok: true, value };
}

/** A list member that is an item (not an inner list); inner lists have no meaning in any dialect. */
export function asItem(member: Item | InnerList): Item | null {
  return isInnerList(member) ? null : member;
}

/** A policy name: an sf-string (the drafts' examples) or a token (also seen in the drafts, e.g. `quota;q=100`). */
export function nameOf(bare: BareItem): string | null {
  if (typeof bare === 'string') return bare;
  if (bare instanceof Token) return bare.toString();
  return null;
}
