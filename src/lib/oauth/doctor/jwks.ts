import { algorithmsForKey, isJwsAlgorithm } from '../../keys/algorithms.js';
import { importJwk } from '../../keys/load.js';
import { terminalSafe } from '../../text/terminal-safe.js';
import { member, q, skipped, urlProblem, type Metadata } from './discovery.js';
import { shown } from './metadata.js';
import type { Check, JwksFacts } from './types.js';

/**
 * The issuer's JWKS: reachable, and holding keys a verifier can use for signatures — read with apikit's one key
 * loader, the algorithms derived from each key (RSA under 2048 bits gets none), `use: "enc"` and a key whose
 * `alg` does not fit it set aside. Private or symmetric material in a published JWKS is a failure of its own.
 */

export interface KeyReading {
  kid: string | null;
  kty: string | null;
  alg: string | null;
  use: string | null;
  /** The algorithms a verifier may use this key for (empty: unusable). */
  algorithms: string[];
  problem: string | null;
  /** Private (`d`) or symmetric (`oct`) material: must never be published. */
  secret: boolean;
}

const MAX_KEYS_READ = 100;

export function readKey(value: unknown, index: number): KeyReading {
  const str = (name: string): string | null => {
    const v =
      typeof value === 'object' && value !== null && Object.hasOwn(value, name)
        ? (value as Record<string, unknown>)[name]
        : undefined;
    return typeof v === 'string' ? terminalSafe(v, 80) : null;
  };
  const base = { kid: str('kid'), kty: str('kty'), alg: str('alg'), use: str('use') };
  let loaded;
  try {
    loaded = importJwk(value, 'JWKS', `keys[${index}]`, { inspectHint: false });
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/^cannot read key "JWKS": /, '') : String(err);
    return { ...base, algorithms: [], problem: terminalSafe(message, 200), secret: false };
  }
  if (loaded.kind !== 'public') {
    const what = loaded.kind === 'secret' ? 'a symmetric (oct) key' : 'private key material ("d")';
    return { ...base, algorithms: [], problem: `${what} in a public JWKS`, secret: true };
  }
  if (base.use !== null && base.use !== 'sig') {
    return {
      ...base,
      algorithms: [],
      problem: `"use": ${q(base.use, 20)}, not a signing key`,
      secret: false,
    };
  }
  const fits: string[] = algorithmsForKey(loaded.key);
  if (fits.length === 0) {
    const why =
      loaded.kty === 'RSA'
        ? `an RSA key of ${loaded.bits} bits (under 2048)`
        : 'no JWS algorithm fits this key';
    return { ...base, algorithms: [], problem: why, secret: false };
  }
  if (base.alg !== null) {
    if (!isJwsAlgorithm(base.alg) || !fits.includes(base.alg)) {
      return {
        ...base,
        algorithms: [],
        problem: `"alg": ${q(base.alg, 20)} does not fit this ${loaded.kty} key`,
        secret: false,
      };
    }
    return { ...base, algorithms: [base.alg], problem: null, secret: false };
  }
  return { ...base, algorithms: fits, problem: null, secret: false };
}

export function jwksCheck(meta: Metadata | undefined, trusted: boolean, facts: JwksFacts | undefined): Check {
  const title = 'JWKS reachable, with usable signing keys';
  if (!meta) return skipped('jwks', title);
  const base = { id: 'jwks' as const, title };
  const uri = member(meta, 'jwks_uri');
  if (uri === undefined) {
    return {
      ...base,
      status: 'warn',
      evidence: ['no "jwks_uri": ID tokens cannot be validated (apikit login discards them)'],
      advice: 'publish the signing keys and advertise "jwks_uri" (RFC 8414 §2, OIDC Discovery §3)',
    };
  }
  const problem = urlProblem(uri);
  if (problem)
    return {
      ...base,
      status: 'fail',
      evidence: [`"jwks_uri" ${problem}`],
      advice: 'serve the JWKS over https',
    };
  if (!trusted)
    return skipped('jwks', title, "the document's issuer does not match, so its keys are not trusted");
  if (!facts) return skipped('jwks', title, 'not fetched');
  if (facts.error || !facts.keys) {
    return {
      ...base,
      status: 'fail',
      evidence: [`${facts.url}: ${terminalSafe(facts.error?.message ?? 'no keys', 200)}`],
      advice: 'serve the JWKS at jwks_uri as {"keys": [...]} with HTTP 200, no redirect',
    };
  }
  const keys = facts.keys.slice(0, MAX_KEYS_READ).map(readKey);
  const usable = keys.filter((k) => k.algorithms.length > 0);
  const algorithms = [...new Set(usable.flatMap((k) => k.algorithms))];
  const details = { url: facts.url, keys, algorithms };
  const evidence = [`${facts.url}: ${facts.keys.length} key${facts.keys.length === 1 ? '' : 's'}`];
  for (const k of keys) {
    const name = `kid ${k.kid === null ? '(none)' : q(k.kid, 60)} (${k.kty ?? '?'}${k.alg ? `, ${k.alg}` : ''})`;
    evidence.push(
      k.problem === null ? `${name}: ${k.algorithms.join(', ')}` : `${name}: unusable, ${k.problem}`,
    );
  }
  if (facts.keys.length > MAX_KEYS_READ) evidence.push(`only the first ${MAX_KEYS_READ} keys were read`);
  const secret = keys.filter((k) => k.secret);
  if (secret.length > 0) {
    return {
      ...base,
      status: 'fail',
      evidence,
      advice:
        'remove private and symmetric key material from the published JWKS at once, and rotate those keys',
      details,
    };
  }
  if (usable.length === 0) {
    return {
      ...base,
      status: 'fail',
      evidence,
      advice:
        'publish at least one public signing key (RSA ≥ 2048 bits, P-256/384/521 or Ed25519) with "use": "sig"',
      details,
    };
  }
  const warnings: string[] = [];
  if (usable.length < keys.length) warnings.push('some keys cannot be used for signatures');
  if (usable.length > 1 && usable.some((k) => k.kid === null)) {
    warnings.push('a key without kid among several: verifiers cannot pick it by the token header');
  }
  const idAlgs = member(meta, 'id_token_signing_alg_values_supported');
  if (Array.isArray(idAlgs)) {
    const missing = idAlgs.filter(
      (a): a is string =>
        typeof a === 'string' && a !== 'none' && !a.startsWith('HS') && !algorithms.includes(a),
    );
    if (missing.length > 0)
      warnings.push(`no key for ID-token algorithm${missing.length === 1 ? '' : 's'} ${shown(missing)}`);
  }
  if (warnings.length > 0) {
    return {
      ...base,
      status: 'warn',
      evidence: [...evidence, ...warnings],
      advice: 'publish only usable signing keys, each with its own kid, covering every advertised algorithm',
      details,
    };
  }
  return {
    ...base,
    status: 'pass',
    evidence: [...evidence, `algorithms: ${algorithms.join(', ')}`],
    advice: null,
    details,
  };
}
