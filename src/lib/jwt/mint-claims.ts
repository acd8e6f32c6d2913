import { UsageError } from '../../errors.js';
import { terminalSafe } from '../text/terminal-safe.js';
import { formatInstant, isDurationSyntaxError, parseTimeSpec } from '../time/duration.js';
import { claimMatches } from './claim-value.js';
import type { JsonObject } from './parse.js';
import { MILLISECONDS_THRESHOLD } from './times.js';

/**
 * Assembles a claims set for `jwt mint` (RFC 7519 §4.1). The layers, lowest first: the payload being re-signed
 * (--from-json) and --claims (both are documents to start from: anything else overrides them), then --claim,
 * then the dedicated flags (--iss, --sub, --exp ...), and last the defaults (exp in 15m, iat now), which only
 * fill a claim nothing else set. A --claim and a flag that say different things about one claim are a usage
 * error naming both: neither silently wins. Times are NumericDates: whole seconds.
 */
export interface MintClaimsInput {
  /** --from-json's payload with --claims over it. */
  base: JsonObject;
  /** --claim name=value, in order. */
  claims: [string, unknown][];
  iss?: string | undefined;
  sub?: string | undefined;
  aud?: string[] | undefined;
  scope?: string | undefined;
  jti?: string | undefined;
  /** Epoch ms; null removes the claim (--no-exp / --no-iat); undefined: the flag was not given. */
  exp?: number | null | undefined;
  nbf?: number | undefined;
  iat?: number | null | undefined;
  /** Epoch ms, used only for a claim that no layer above sets (none when re-signing). */
  defaults?: { exp?: number | undefined; iat?: number | undefined };
  /** How each flag was written, for messages: { exp: '--exp 5m' }. Default: the flag name. */
  written?: Partial<Record<FlagClaim, string>>;
}

type FlagClaim = 'iss' | 'sub' | 'aud' | 'scope' | 'jti' | 'exp' | 'nbf' | 'iat';

const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

export function buildClaims(input: MintClaimsInput): JsonObject {
  const out: JsonObject = { ...input.base };
  const explicit = new Map<string, unknown>();
  for (const [name, value] of input.claims) {
    if (RESERVED.has(name)) throw new SyntaxError(`--claim: "${name}" cannot be a claim name`);
    if (explicit.has(name) && !sameValue(explicit.get(name), value))
      throw new UsageError(
        `${claimText(name, explicit.get(name))} and ${claimText(name, value)}: give "${safeName(name)}" once`,
        'ERR_JWT_CLAIM_CONFLICT',
      );
    explicit.set(name, value);
    out[name] = value;
  }
  const flags: [FlagClaim, unknown][] = [
    ['iss', input.iss],
    ['sub', input.sub],
    [
      'aud',
      input.aud !== undefined && input.aud.length > 0
        ? input.aud.length === 1
          ? input.aud[0]
          : input.aud
        : undefined,
    ],
    ['scope', input.scope],
    ['jti', input.jti],
    ['iat', seconds(input.iat)],
    ['nbf', seconds(input.nbf)],
    ['exp', seconds(input.exp)],
  ];
  for (const [name, value] of flags) {
    if (value === undefined) continue;
    if (explicit.has(name) && (value === null || !sameValue(explicit.get(name), value))) {
      throw new UsageError(
        `${claimText(name, explicit.get(name))} contradicts ${input.written?.[name] ?? `--${name}`}: give "${name}" one way`,
        'ERR_JWT_CLAIM_CONFLICT',
      );
    }
    if (value === null) delete out[name];
    else out[name] = value;
  }
  for (const name of ['iat', 'exp'] as const) {
    const fallback = input.defaults?.[name];
    if (fallback !== undefined && !(name in out) && input[name] === undefined) out[name] = seconds(fallback);
  }
  return out;
}

/** The same JSON value (claimMatches both ways: an array does not equal one of its members). */
function sameValue(a: unknown, b: unknown): boolean {
  return claimMatches(a, b) && claimMatches(b, a);
}

function seconds(ms: number | null | undefined): number | null | undefined {
  return ms === null || ms === undefined ? ms : Math.floor(ms / 1000);
}

/** `--claim exp=123` as the user may have written it (the value JSON-typed back). */
function claimText(name: string, value: unknown): string {
  return terminalSafe(`--claim ${name}=${JSON.stringify(value) ?? 'undefined'}`, 120);
}

function safeName(name: string): string {
  return terminalSafe(name, 60);
}

/** The time flags of `jwt mint` as given: a duration from now ("15m", "-5m") or an instant; false for --no-*. */
export interface MintTimeFlags {
  exp?: string | false | undefined;
  nbf?: string | undefined;
  iat?: string | false | undefined;
}

/** The exp/nbf/iat flags as buildClaims takes them (epoch ms; null removes the claim; undefined: not given). */
export function mintTimes(flags: MintTimeFlags, now: number): Pick<MintClaimsInput, 'exp' | 'nbf' | 'iat'> {
  const time = (flag: string, v: string | false | undefined): number | null | undefined =>
    v === false ? null : v === undefined ? undefined : timeSpecFlag(flag, v, now);
  return {
    exp: time('--exp', flags.exp),
    nbf: flags.nbf === undefined ? undefined : timeSpecFlag('--nbf', flags.nbf, now),
    iat: time('--iat', flags.iat),
  };
}

/**
 * A time flag of `jwt mint` (--exp, --nbf, --iat): a duration from now or an absolute instant (parseTimeSpec),
 * in epoch ms. The one place its error becomes a usage error naming the flag. A time before 1970 or past the
 * point where seconds read as milliseconds (year 5138, what `jwt decode` would flag) is no NumericDate anyone
 * meant: `--exp 99999999999d` is refused, not written.
 */
export function timeSpecFlag(flag: string, text: string, now: number): number {
  let ms: number;
  try {
    ms = parseTimeSpec(text, now);
  } catch (err) {
    if (isDurationSyntaxError(err)) throw new UsageError(`${flag}: ${err.message}`, 'ERR_JWT_TIME');
    throw err;
  }
  const latest = MILLISECONDS_THRESHOLD * 1000;
  if (!(ms >= 0 && ms <= latest)) {
    throw new UsageError(
      `${flag}: "${text}" is ${ms < 0 ? 'before 1970' : `after ${formatInstant(latest)}`}, outside the NumericDates apikit writes`,
      'ERR_JWT_TIME',
    );
  }
  return ms;
}
