import { unlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { writeFilesAtomic } from '../../files/atomic-write.js';
import type { Rendered, View } from '../../io/render.js';
import { isJwsAlgorithm, JWS_ALGORITHMS, type JwsAlgorithm } from '../../lib/keys/algorithms.js';
import { generateKey, isHmacAlgorithm, plannedFiles } from '../../lib/keys/generate.js';
import { appendKey, requireFreeKid } from '../../lib/keys/jwks-set.js';
import { rotationTimeline, type RotationTimeline } from '../../lib/keys/rotation.js';
import { signingJwk } from '../../lib/keys/signing-jwk.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { formatDuration, optionalDurationFlag } from '../../lib/time/duration.js';
import { octalMode } from './file-mode.js';
import { editJwksFile, JWKS_FILE_MODE, writeJwksSet } from './jwks-file.js';
import { readPublishedJwks, type PublishedJwks } from './jwks-url.js';
import { shellWord } from './shell-word.js';

/** `apikit keys rotate`: the next signing key into the published JWKS, and when to use it and retire the old. */
export interface KeysRotateOptions {
  jwks: string;
  alg: string;
  out: string;
  kid?: string | undefined;
  bits?: number | undefined;
  /** --cache-ttl in ms. */
  cacheTtlMs?: number | undefined;
  jwksUrl?: string | undefined;
  /** --max-token-life in ms. */
  maxTokenLifeMs?: number | undefined;
  force?: boolean | undefined;
}

export interface KeysRotateResult {
  jwks: { path: string; mode: string; kids: string[] };
  added: { kid: string; alg: JwsAlgorithm; kty: string; thumbprint: string };
  /** The new key's files, as `keys generate` writes them. */
  files: { path: string; mode: string; contents: 'private-key' | 'public-key' | 'jwks' | 'secret' }[];
  cacheTtl: {
    seconds: number;
    source: 'flag' | 'default' | 'jwks-url';
    url: string | null;
    cacheControl: string | null;
  };
  maxTokenLife: { seconds: number; source: 'flag' | 'default' };
  timeline: RotationTimeline;
  warnings: string[];
}

export const DEFAULT_CACHE_TTL_MS = 3_600_000;
export const DEFAULT_MAX_TOKEN_LIFE_MS = 3_600_000;
const SIGNING_ALGORITHMS = JWS_ALGORITHMS.filter((a) => !isHmacAlgorithm(a));

interface RotateFlags {
  jwks: string;
  alg: string;
  out: string;
  kid?: string;
  bits?: string;
  cacheTtl?: string;
  jwksUrl?: string;
  maxTokenLife?: string;
  force?: boolean;
}

export function registerKeysRotate(parent: Command, ctx: Context): void {
  parent
    .command('rotate')
    .description(
      'add the next signing key to a published JWKS and print when to sign with it and retire the old',
    )
    .usage(
      '--jwks <FILE> --alg <ALG> --out <PREFIX> [--kid <KID>] [--bits <N>] [--cache-ttl <DURATION>] ' +
        '[--jwks-url <URL>] [--max-token-life <DURATION>] [--force]',
    )
    .addOption(
      new Option('--jwks <FILE>', 'the published JWKS to add the key to (rewritten)').makeOptionMandatory(),
    )
    .addOption(
      new Option('--alg <ALG>', 'JWS algorithm of the new key')
        .choices([...SIGNING_ALGORITHMS])
        .makeOptionMandatory(),
    )
    .addOption(new Option('--out <PREFIX>', 'path prefix of the new key files').makeOptionMandatory())
    .option('--kid <KID>', 'kid of the new key (default: its RFC 7638 SHA-256 thumbprint)')
    .option('--bits <N>', 'RSA modulus size (RS*/PS* only; at least 2048; default 2048)')
    .option(
      '--cache-ttl <DURATION>',
      "how long verifiers cache the JWKS (default 1h, or the --jwks-url's max-age)",
    )
    .option('--jwks-url <URL>', 'read the cache TTL from the Cache-Control max-age of the published JWKS')
    .option(
      '--max-token-life <DURATION>',
      'the longest lifetime of a token signed with the old key (default 1h)',
    )
    .option('--force', 'overwrite existing PREFIX files')
    .addHelpText(
      'after',
      `
The new key's files are those of keys generate (PREFIX.key.pem 0600, PREFIX.pub.pem, PREFIX.jwks.json); its
public JWK is appended to the JWKS FILE, written atomically, with every existing key kept. The set's order is
its creation order: newest last (a JWK has no creation time of its own). The timeline: publish FILE now; sign
with the new kid after the cache TTL; retire the old kids after that plus the longest token lifetime.
With --jwks-url and --cache-ttl, the longer of the two counts. FILE is refused (exit 2) when it holds a
private key, a duplicate or missing kid, or keys of another use than "sig".

Examples:
  $ apikit keys rotate --jwks public/jwks.json --alg ES256 --out keys/2026-02 --kid 2026-02
  $ apikit keys rotate --jwks jwks.json --alg RS256 --out next --jwks-url https://api.example.com/jwks.json
  $ apikit keys rotate --jwks jwks.json --alg EdDSA --out next --cache-ttl 10m --max-token-life 24h --json`,
    )
    .action(async (flags: RotateFlags) => {
      const opts: KeysRotateOptions = {
        jwks: flags.jwks,
        alg: flags.alg,
        out: flags.out,
        kid: flags.kid,
        bits: flags.bits === undefined ? undefined : parseBits(flags.bits),
        cacheTtlMs: optionalDurationFlag('--cache-ttl', flags.cacheTtl),
        jwksUrl: flags.jwksUrl,
        maxTokenLifeMs: optionalDurationFlag('--max-token-life', flags.maxTokenLife),
        force: flags.force,
      };
      await ctx.finish(await runKeysRotate(opts, ctx), renderKeysRotate);
    });
}

function parseBits(text: string): number {
  if (!/^\d+$/.test(text))
    throw new UsageError(`--bits "${text}" is not a number of bits`, 'ERR_KEYS_RSA_BITS');
  return Number(text);
}

export async function runKeysRotate(opts: KeysRotateOptions, ctx: Context): Promise<KeysRotateResult> {
  const alg = checkOptions(opts);
  // The network first: a server that does not answer leaves every file as it was.
  const published = opts.jwksUrl === undefined ? undefined : await readPublishedJwks(ctx, opts.jwksUrl);
  const warnings: string[] = [];
  const cacheTtl = chooseCacheTtl(opts, published, warnings);
  const maxTokenLife = {
    seconds: Math.ceil((opts.maxTokenLifeMs ?? DEFAULT_MAX_TOKEN_LIFE_MS) / 1000),
    source: opts.maxTokenLifeMs === undefined ? ('default' as const) : ('flag' as const),
  };

  return editJwksFile(opts.jwks, ctx, async (set) => {
    if (opts.kid !== undefined) requireFreeKid(set, opts.kid); // before the (RSA: slow) key generation
    const key = await generateKey(alg, opts.bits === undefined ? {} : { bits: opts.bits });
    if (key.type !== 'asymmetric') throw new UsageError(`${alg} keys are not published`, 'ERR_KEYS_ALG');
    const made = await signingJwk(key.publicKey, alg, opts.kid);
    const kty = String(made.jwk.kty);
    const next = appendKey(set, {
      kid: made.kid,
      kty,
      alg,
      use: 'sig',
      thumbprint: made.thumbprint,
      jwk: made.jwk,
    });
    const files = plannedFiles(opts.out, key, made.jwk);
    const target = resolve(opts.jwks);
    const same = files.find((f) => resolve(f.path) === target);
    if (same) {
      throw new UsageError(
        `--out "${opts.out}" would write "${same.path}", the --jwks file itself`,
        'ERR_USAGE',
        { hint: 'give the new key another prefix, e.g. --out keys/next' },
      );
    }
    const previous = set.entries.at(-1);
    if (previous?.alg != null && previous.alg !== alg) {
      warnings.push(
        `the algorithm changes from ${terminalSafe(previous.alg, 20)} to ${alg}: verifiers that pin an algorithm must allow ${alg} before signing starts`,
      );
    }
    if (published?.kids) {
      const missing = set.entries.filter((e) => !published.kids!.includes(e.kid)).map((e) => e.kid);
      if (missing.length > 0) {
        warnings.push(
          `${terminalSafe(published.url, 200)} does not serve kid ${missing.map((k) => `"${terminalSafe(k, 60)}"`).join(', ')} of ${terminalSafe(opts.jwks, 200)}: is it the set published there?`,
        );
      }
    }

    // New key files first (never clobbered without --force), then the JWKS; if the JWKS cannot be written, the
    // key files this run created are removed again, so a failed rotation leaves nothing half done.
    await writeFilesAtomic(files, { force: opts.force === true });
    try {
      await writeJwksSet(opts.jwks, next);
    } catch (err) {
      if (opts.force !== true) await Promise.all(files.map((f) => unlink(f.path).catch(() => undefined)));
      throw err;
    }

    return {
      jwks: { path: opts.jwks, mode: octalMode(JWKS_FILE_MODE), kids: next.entries.map((e) => e.kid) },
      added: { kid: made.kid, alg, kty, thumbprint: made.thumbprint },
      files: files.map((f) => ({ path: f.path, mode: octalMode(f.mode), contents: f.contents })),
      cacheTtl,
      maxTokenLife,
      timeline: rotationTimeline({
        now: ctx.clock.now(),
        cacheTtlMs: cacheTtl.seconds * 1000,
        maxTokenLifeMs: maxTokenLife.seconds * 1000,
        newKid: made.kid,
        olderKids: set.entries.map((e) => e.kid),
      }),
      warnings,
    };
  });
}

function checkOptions(opts: KeysRotateOptions): JwsAlgorithm {
  if (!isJwsAlgorithm(opts.alg)) {
    throw new UsageError(
      `--alg "${opts.alg}" is not one of ${SIGNING_ALGORITHMS.join(', ')}`,
      'ERR_KEYS_ALG',
    );
  }
  if (isHmacAlgorithm(opts.alg)) {
    throw new UsageError(
      `--alg ${opts.alg}: an HMAC secret is never published in a JWKS, so it cannot be rotated this way`,
      'ERR_KEYS_ALG',
      { hint: `choose one of ${SIGNING_ALGORITHMS.join(', ')}` },
    );
  }
  if (opts.bits !== undefined && !/^(RS|PS)/.test(opts.alg)) {
    throw new UsageError(`--bits applies to RSA keys (RS*/PS*), not ${opts.alg}`, 'ERR_USAGE');
  }
  if (opts.kid === '') throw new UsageError('--kid is empty', 'ERR_USAGE');
  if (opts.out === '' || opts.out.endsWith('/')) {
    throw new UsageError(`--out "${opts.out}" must be a path prefix such as keys/signing`, 'ERR_USAGE');
  }
  return opts.alg;
}

/**
 * The wait before signing: --cache-ttl, the URL's Cache-Control, or the longer of the two when both are given
 * (each is a lower bound on how long an old copy may live); 1h when neither is.
 */
function chooseCacheTtl(
  opts: KeysRotateOptions,
  published: PublishedJwks | undefined,
  warnings: string[],
): KeysRotateResult['cacheTtl'] {
  const flagSeconds = opts.cacheTtlMs === undefined ? undefined : Math.ceil(opts.cacheTtlMs / 1000);
  if (!published) {
    return {
      seconds: flagSeconds ?? DEFAULT_CACHE_TTL_MS / 1000,
      source: flagSeconds === undefined ? 'default' : 'flag',
      url: null,
      cacheControl: null,
    };
  }
  const { caching, url } = published;
  const fromUrl = caching.ttlSeconds;
  if (fromUrl === null && flagSeconds === undefined) {
    throw new UsageError(
      `the JWKS at ${terminalSafe(url, 200)} sends no Cache-Control max-age, so how long verifiers keep it is unknown`,
      'ERR_KEYS_CACHE_TTL_UNKNOWN',
      { hint: 'give --cache-ttl with the longest time your verifiers cache the JWKS (e.g. --cache-ttl 1h)' },
    );
  }
  if (caching.noStore && flagSeconds === undefined) {
    warnings.push(
      `${terminalSafe(url, 200)} is sent with no-store/no-cache: HTTP caches refetch it, but JWKS libraries often keep keys regardless (jose: 10 minutes); --cache-ttl sets the wait`,
    );
  }
  const base = { url, cacheControl: caching.cacheControl };
  if (flagSeconds !== undefined && (fromUrl === null || flagSeconds >= fromUrl)) {
    return { seconds: flagSeconds, source: 'flag', ...base };
  }
  return { seconds: fromUrl!, source: 'jwks-url', ...base };
}

const SOURCE_TEXT = {
  flag: '--cache-ttl',
  default: 'the default; set --cache-ttl',
  'jwks-url': 'Cache-Control',
} as const;

/**
 * The timeline is the product (stdout): three steps with their instants; what was written, and warnings, go to
 * stderr. --json: the result as it is. Kids and paths came from a file or the user: shown through terminalSafe.
 */
export function renderKeysRotate(result: KeysRotateResult, view: View): Rendered {
  const doc = view.doc();
  for (const w of result.warnings) doc.warn(w);
  if (view.json) return doc.json(result).blocks;
  const err = view.color.err;
  for (const f of result.files) doc.notice(`wrote ${terminalSafe(f.path)}  ${err.dim(`(mode ${f.mode})`)}`);
  const kids = result.jwks.kids.map((k) => `"${terminalSafe(k, 60)}"`).join(', ');
  doc.notice(
    `updated ${terminalSafe(result.jwks.path)}  ${err.dim(`(${result.jwks.kids.length} keys, oldest first: ${kids}; mode ${result.jwks.mode})`)}`,
  );

  const c = view.color.out;
  const t = result.timeline;
  const kid = `"${terminalSafe(t.newKid, 100)}"`;
  const ttl = result.cacheTtl;
  const ttlWhy =
    ttl.source === 'jwks-url'
      ? `${SOURCE_TEXT[ttl.source]} "${terminalSafe(ttl.cacheControl ?? '', 100)}"`
      : SOURCE_TEXT[ttl.source];
  const life = `${formatDuration(result.maxTokenLife.seconds * 1000)}, ${result.maxTokenLife.source === 'flag' ? '--max-token-life' : 'the default; set --max-token-life'}`;
  const lines = [
    `1. publish  now   ${t.publishAt}  ${terminalSafe(result.jwks.path)} with the new kid ${kid}`,
    `2. sign     from  ${t.signAt}  with kid ${kid} ${c.dim(`(after the verifiers' JWKS cache TTL: ${formatDuration(ttl.seconds * 1000)}, ${ttlWhy})`)}`,
  ];
  if (t.retireAt !== null) {
    const old = t.retireKids.map((k) => `"${terminalSafe(k, 60)}"`).join(', ');
    lines.push(
      `3. retire   after ${t.retireAt}  kid ${old} ${c.dim(`(after the longest token lifetime: ${life})`)}`,
      ...t.retireKids.map(
        (k) =>
          `   apikit keys retire --jwks ${shellWord(terminalSafe(result.jwks.path))} --kid ${shellWord(terminalSafe(k, 100))}`,
      ),
    );
  }
  return doc.result(lines.join('\n')).blocks;
}
