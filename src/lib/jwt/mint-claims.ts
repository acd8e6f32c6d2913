import { UsageError } from '../../errors.js';
import { isDurationSyntaxError, parseTimeSpec } from '../time/duration.js';
import type { JsonObject } from './parse.js';

/**
 * Assembles a claims set for `jwt mint` (RFC 7519 §4.1). Later sources win: --claims, then --claim, then the
 * dedicated flags (--iss, --sub, ...), then the time claims. Times are NumericDates: whole seconds.
 */
export interface MintClaimsInput {
  base: JsonObject;
  claims: [string, unknown][];
  iss?: string | undefined;
  sub?: string | undefined;
  aud?: string[] | undefined;
  scope?: string | undefined;
  jti?: string | undefined;
  /** Epoch ms; null removes the claim (--no-exp / --no-iat); undefined leaves whatever the base has. */
  exp?: number | null | undefined;
  nbf?: number | undefined;
  iat?: number | null | undefined;
}

const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

export function buildClaims(input: MintClaimsInput): JsonObject {
  const out: JsonObject = { ...input.base };
  for (const [name, value] of input.claims) {
    if (RESERVED.has(name)) throw new SyntaxError(`--claim: "${name}" cannot be a claim name`);
    out[name] = value;
  }
  if (input.iss !== undefined) out.iss = input.iss;
  if (input.sub !== undefined) out.sub = input.sub;
  if (input.aud !== undefined && input.aud.length > 0)
    out.aud = input.aud.length === 1 ? input.aud[0] : input.aud;
  if (input.scope !== undefined) out.scope = input.scope;
  if (input.jti !== undefined) out.jti = input.jti;
  setTime(out, 'iat', input.iat);
  setTime(out, 'nbf', input.nbf);
  setTime(out, 'exp', input.exp);
  return out;
}

function setTime(out: JsonObject, name: string, ms: number | null | undefined): void {
  if (ms === null) delete out[name];
  else if (ms !== undefined) out[name] = Math.floor(ms / 1000);
}

/** The time flags of `jwt mint` as given: a duration from now ("15m", "-5m") or an instant; false for --no-*. */
export interface MintTimeFlags {
  /** undefined keeps the re-signed payload's exp (--from-json without --exp). */
  exp?: string | false | undefined;
  nbf?: string | undefined;
  /** undefined means now, or the re-signed payload's iat. */
  iat?: string | false | undefined;
  /** --from-json: the payload being re-signed keeps its own times unless a flag says otherwise. */
  resigning: boolean;
}

/** The exp/nbf/iat inputs of buildClaims (epoch ms; null removes the claim; undefined keeps the base's). */
export function mintTimes(flags: MintTimeFlags, now: number): Pick<MintClaimsInput, 'exp' | 'nbf' | 'iat'> {
  return {
    exp:
      flags.exp === false
        ? null
        : flags.exp === undefined
          ? undefined
          : timeSpecFlag('--exp', flags.exp, now),
    nbf: flags.nbf === undefined ? undefined : timeSpecFlag('--nbf', flags.nbf, now),
    iat:
      flags.iat === false
        ? null
        : flags.iat === undefined
          ? flags.resigning
            ? undefined
            : now
          : timeSpecFlag('--iat', flags.iat, now),
  };
}

/**
 * A time flag of `jwt mint` (--exp, --nbf, --iat): a duration from now or an absolute instant (parseTimeSpec),
 * in epoch ms. The one place its error becomes a usage error naming the flag.
 */
export function timeSpecFlag(flag: string, text: string, now: number): number {
  try {
    return parseTimeSpec(text, now);
  } catch (err) {
    if (isDurationSyntaxError(err)) throw new UsageError(`${flag}: ${err.message}`, 'ERR_JWT_TIME');
    throw err;
  }
}
