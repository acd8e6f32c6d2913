import type { Context } from '../../context.js';
import { InputError, UsageError } from '../../errors.js';
import { addToKeyring, HMAC_ALGS, secretKeyFromText, type Keyring } from '../../lib/jwt/keyring.js';
import type { JwtWarning } from '../../lib/jwt/lint.js';
import { verifyingSecretWarnings } from '../../lib/jwt/secret-warnings.js';
import type { LoadedKey } from '../../lib/keys/load.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import {
  hasTransportFlags,
  resolveTransportFlags,
  withHttpFlags,
  type ResolvedHttpFlags,
  type TransportFlags,
} from '../shared/http-flags.js';
import { readPassphrase, type PassphraseFlags } from '../shared/key-files.js';
import { noKeyError, readKeyFlag, readSecretFlag, type SecretFlags } from './key-input.js';

/**
 * Builds the keyring of `jwt verify` from what the USER supplied — key files, a JWKS file or URL, an issuer's
 * discovered jwks_uri, an HMAC secret. Loaded once per run (a batch verifies every token against the same
 * ring). Nothing here ever reads a token: its jku/x5u/x5c/jwk cannot add keys or cause a fetch.
 */
export interface KeySourceFlags extends PassphraseFlags, SecretFlags, TransportFlags {
  keys: string[];
  jwks?: string | undefined;
  issuer?: string | undefined;
}

export interface BuiltKeyring {
  ring: Keyring;
  warnings: JwtWarning[];
  /** The issuer from discovery, which `iss` is checked against by default. */
  discoveredIssuer: string | undefined;
}

const URL_RE = /^https?:\/\//i;

export async function buildKeyring(ctx: Context, flags: KeySourceFlags): Promise<BuiltKeyring> {
  const ring: Keyring = { entries: [], skipped: [], name: 'the given keys' };
  const warnings: JwtWarning[] = [];
  const given =
    flags.keys.length +
    (flags.jwks ? 1 : 0) +
    (flags.issuer ? 1 : 0) +
    (flags.secretEnv ? 1 : 0) +
    (flags.secretFile ? 1 : 0);
  if (given === 0) throw noKeyError('verify');
  const http = remoteHttpFlags(ctx, flags);
  const passphrase = await readPassphrase(ctx, flags);

  for (const path of flags.keys) {
    const set = await readKeyFlag(ctx, '--key', path, passphrase);
    if (set.format === 'jwks') ring.name = 'JWKS';
    for (const k of set.keys)
      if (k.kind === 'secret')
        warnings.push(...verifyingSecretWarnings(k.key.export().toString('utf8'), `key "${path}"`));
    addToKeyring(ring, set.keys, set.source, { allowSecrets: true, flag: '--key' });
  }
  if (flags.jwks !== undefined) {
    ring.name = 'JWKS';
    if (URL_RE.test(flags.jwks)) {
      await addRemoteJwks(withHttpFlags(ctx, http), ring, flags.jwks);
    } else {
      const set = await readKeyFlag(ctx, '--jwks', flags.jwks, passphrase);
      addToKeyring(ring, set.keys, set.source, { allowSecrets: true, flag: '--jwks' });
    }
  }
  let discoveredIssuer: string | undefined;
  if (flags.issuer !== undefined) {
    const { discover, requireEndpoint } = await import('../../oauth/discovery.js');
    // discover() insists the document's issuer equals the URL given (RFC 8414 §3.3: the mix-up defence).
    const meta = await discover(withHttpFlags(ctx, http), flags.issuer);
    const jwksUri = requireEndpoint(meta, 'jwks_uri', 'JWKS');
    ring.name = 'JWKS';
    await addRemoteJwks(
      withHttpFlags(ctx, sameOrigin(jwksUri, flags.issuer) ? http : withoutCredentials(ctx, http)),
      ring,
      jwksUri,
    );
    discoveredIssuer = meta.issuer;
  }
  const secret = await readSecretFlag(ctx, flags);
  if (secret !== undefined) {
    const key = secretKeyFromText(secret.text, secret.flagged);
    warnings.push(...verifyingSecretWarnings(secret.text, secret.what));
    ring.entries.push({ key, kid: undefined, algs: [...HMAC_ALGS], label: secret.what });
  }

  for (const s of ring.skipped) warnings.push({ id: 'key_skipped', message: `key not used: ${s}` });
  if (ring.entries.length === 0) {
    // The reason quotes the key file or the published JWKS (kid, use, alg): sanitised for the error line.
    throw new InputError(
      `none of the given keys can verify a JWS${ring.skipped[0] ? ` (${terminalSafe(ring.skipped[0])})` : ''}`,
      'ERR_JWT_NO_USABLE_KEY',
      {
        hint: 'check the key with: apikit keys inspect FILE',
      },
    );
  }
  return { ring, warnings, discoveredIssuer };
}

/**
 * -H, --timeout, --connect-timeout and --max-body, for the requests of --jwks <URL> and --issuer (discovery and the
 * JWKS). Without either nothing is fetched, so they would be silently ignored: exit 2 instead.
 */
function remoteHttpFlags(ctx: Context, flags: KeySourceFlags): ResolvedHttpFlags {
  const remote = (flags.jwks !== undefined && URL_RE.test(flags.jwks)) || flags.issuer !== undefined;
  if (!remote && hasTransportFlags(flags)) {
    const given = (
      [
        ['--header', (flags.header ?? []).length > 0],
        ['--timeout', flags.timeout !== undefined],
        ['--connect-timeout', flags.connectTimeout !== undefined],
        ['--max-body', flags.maxBody !== undefined],
      ] as const
    ).find(([, on]) => on)![0];
    throw new UsageError(
      `${given} applies only to --jwks <URL> and --issuer: with these keys nothing is fetched`,
      'ERR_USAGE_HTTP_FLAGS',
    );
  }
  return resolveTransportFlags(flags, ctx);
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/**
 * The -H lines minus credentials (Authorization, Cookie, an API key: what the redactor treats as secret), for a
 * JWKS the issuer's document places on another origin — the rule of a cross-origin redirect: the user gave the
 * credential for the issuer, not for wherever its document points.
 */
function withoutCredentials(ctx: Context, http: ResolvedHttpFlags): ResolvedHttpFlags {
  const headers = Object.fromEntries(
    Object.entries(http.headers).filter(([name]) => !ctx.redactor.isSecretHeader(name)),
  );
  return { ...http, headers };
}

async function addRemoteJwks(ctx: Context, ring: Keyring, url: string): Promise<void> {
  const { fetchJwks } = await import('../../oauth/jwks.js');
  const { importJwk } = await import('../../lib/keys/load.js');
  const jwks = await fetchJwks(ctx, url);
  const keys: LoadedKey[] = [];
  jwks.keys.forEach((jwk, i) => {
    try {
      keys.push(importJwk(jwk, url, `keys[${i}]`));
    } catch (err) {
      // One key of a type apikit cannot use must not make the whole published set unusable.
      ring.skipped.push(`${url} keys[${i}]: ${(err as Error).message}`);
    }
  });
  addToKeyring(ring, keys, url, { allowSecrets: false });
}
