import { createPrivateKey, randomBytes, type JsonWebKey } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeCause, hasCode, InputError } from '../errors.js';
import { writeFilesAtomic, type FileToWrite } from '../files/atomic-write.js';
import { generateKey, plannedFiles } from '../lib/keys/generate.js';
import { adoptCompanionKids, loadKeys, publicJwk } from '../lib/keys/load.js';
import { signingJwk } from '../lib/keys/signing-jwk.js';

/**
 * The sandbox's persistent state: a handful of files in its state directory (`<config dir>/sandbox`, 0700),
 * each made once — at the first start, atomically, private ones 0600 — and read back on every later start, so a
 * restart keeps the confidential client's secret, the private_key_jwt client's key and the issuer's signing keys
 * (tokens issued before a restart still verify). A file that is there but unusable is a one-line InputError
 * naming it (exit 2); it is never silently replaced, since something (a CI job, a saved profile) may depend on it.
 */

export const STATE_FILES = {
  /** The confidential client's secret: 32 random bytes, base64url, one trailing newline (0600). */
  clientSecret: 'client-secret',
  /** The private_key_jwt client's key, exactly as `apikit keys generate --alg ES256 --out <dir>/signer` writes it. */
  signerKey: 'signer.key.pem',
  signerPublicKey: 'signer.pub.pem',
  signerJwks: 'signer.jwks.json',
  /** The issuer's own signing keys, a private JWKS (RS256 + ES256; 0600). */
  issuerKeys: 'issuer-keys.json',
  /** The keys that sign the issuer's cookies (0600). */
  cookieKeys: 'cookie-keys.json',
} as const;

/** Large enough for any key or JWKS the sandbox writes; a bigger file is not one of them. */
const MAX_STATE_FILE_BYTES = 256 * 1024;

export interface SandboxState {
  clientSecret: string;
  clientSecretFile: string;
  signer: {
    keyFile: string;
    jwksFile: string;
    kid: string;
    /** The public JWK to register for the client (kid, alg, use "sig"). */
    publicJwk: Record<string, unknown>;
  };
  /** The provider's signing keys, private JWKs with kid, alg and use. */
  issuerKeys: JsonWebKey[];
  cookieKeys: string[];
}

/** Creates the state directory (0700) when missing and reads — or on the first start makes — every state file. */
export async function loadSandboxState(stateDir: string): Promise<SandboxState> {
  await ensureStateDir(stateDir);
  const clientSecretFile = join(stateDir, STATE_FILES.clientSecret);
  const clientSecret = await readOrCreateStateFiles(
    [clientSecretFile],
    async () => [{ path: clientSecretFile, data: randomBytes(32).toString('base64url') + '\n', mode: 0o600 }],
    ([data]) => parseClientSecret(data!),
  );
  const signer = await loadSigner(stateDir);
  const issuerKeysFile = join(stateDir, STATE_FILES.issuerKeys);
  const issuerKeys = await readOrCreateStateFiles(
    [issuerKeysFile],
    async () => [{ path: issuerKeysFile, data: json({ keys: await newIssuerKeys() }), mode: 0o600 }],
    ([data]) => parseIssuerKeys(data!),
  );
  const cookieKeysFile = join(stateDir, STATE_FILES.cookieKeys);
  const cookieKeys = await readOrCreateStateFiles(
    [cookieKeysFile],
    async () => [
      { path: cookieKeysFile, data: json({ keys: [randomBytes(32).toString('base64url')] }), mode: 0o600 },
    ],
    ([data]) => parseCookieKeys(data!),
  );
  return { clientSecret, clientSecretFile, signer, issuerKeys, cookieKeys };
}

/** The state directory, made 0700 when missing (it holds secrets; its listing is nobody else's business). */
export async function ensureStateDir(stateDir: string): Promise<void> {
  try {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new InputError(
      `cannot create the sandbox state directory "${stateDir}": ${describeCause(err)}`,
      'ERR_SANDBOX_STATE',
    );
  }
}

/**
 * The one pattern for a state file (or a set made together, like a key pair): when none of `paths` exists, `make`
 * builds them and they are written all-or-nothing (never over a file: a second sandbox that starts at the same
 * moment and wins the race has its files read instead); then each is read and `parse` turns the contents into the
 * value, throwing a StateProblem for contents it cannot use. Some but not all present is an error naming the
 * missing one. Exported for the rest of the sandbox (the API key file).
 */
export async function readOrCreateStateFiles<T>(
  paths: readonly string[],
  make: () => Promise<FileToWrite[]>,
  parse: (contents: Buffer[]) => T,
): Promise<T> {
  let contents = await Promise.all(paths.map(readStateFile));
  if (contents.every((c) => c === undefined)) {
    try {
      await writeFilesAtomic(await make());
    } catch (err) {
      // ERR_FILE_EXISTS: another start won the race, its files are read below. Any other failure to write is
      // writeFilesAtomic's one-line error naming the file (ERR_FILE_WRITE, exit 2).
      if (!hasCode(err, 'ERR_FILE_EXISTS')) throw err;
    }
    contents = await Promise.all(paths.map(readStateFile));
    if (contents.every((c) => c === undefined))
      throw stateError(
        paths[0]!,
        'cannot be read back after writing it (a dangling symbolic link?)',
        undefined,
      );
  }
  // A set that another start is writing at this moment appears file by file (writeFilesAtomic links each in
  // turn): a partial set is read again, for up to a second, before it counts as damaged.
  const partial = () => contents.some((c) => c === undefined) && contents.some((c) => c !== undefined);
  for (let i = 0; i < PARTIAL_SET_RETRIES && partial(); i++) {
    await sleep(50);
    contents = await Promise.all(paths.map(readStateFile));
  }
  const missing = paths.findIndex((_p, i) => contents[i] === undefined);
  if (missing >= 0) {
    const present = paths.find((_p, i) => contents[i] !== undefined)!;
    throw new InputError(
      `sandbox state file "${paths[missing]}" is missing, but "${present}" (made with it) is there`,
      'ERR_SANDBOX_STATE',
      { hint: `restore it, or delete "${present}" too and restart apikit sandbox to make new ones` },
    );
  }
  try {
    return parse(contents as Buffer[]);
  } catch (err) {
    if (!hasCode(err, STATE_PROBLEM)) throw err;
    const problem = err as StateProblem;
    throw stateError(paths[problem.index] ?? paths[0]!, problem.message, err);
  }
}

const STATE_PROBLEM = 'ERR_SANDBOX_STATE_CONTENTS';
/** 20 × 50 ms: a concurrent start writes a set within milliseconds. */
const PARTIAL_SET_RETRIES = 20;

/** What a parser found wrong with the contents of the `index`-th file it was handed. */
export class StateProblem extends Error {
  readonly code = STATE_PROBLEM;
  constructor(
    message: string,
    readonly index = 0,
  ) {
    super(message);
    this.name = 'StateProblem';
  }
}

function stateError(path: string, problem: string, cause: unknown): InputError {
  return new InputError(`sandbox state file "${path}" is unusable: ${problem}`, 'ERR_SANDBOX_STATE', {
    hint: 'move it away and restart apikit sandbox to make a new one (what depended on it must then be updated)',
    cause,
  });
}

/** The file's bytes, or undefined when there is no such file; anything else unreadable is an error naming it. */
async function readStateFile(path: string): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if (hasCode(err, 'ENOENT')) return undefined;
    throw stateError(path, describeCause(err), err);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw stateError(path, 'not a regular file', undefined);
    if (info.size > MAX_STATE_FILE_BYTES)
      throw stateError(path, `larger than ${MAX_STATE_FILE_BYTES} bytes`, undefined);
    return await handle.readFile();
  } catch (err) {
    if (hasCode(err, 'ERR_SANDBOX_STATE')) throw err;
    throw stateError(path, describeCause(err), err);
  } finally {
    await handle.close();
  }
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

function parseJson(data: Buffer, index = 0): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch {
    throw new StateProblem('not valid JSON', index);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One trailing newline is not part of the secret (as apikit's --client-secret-file reads it). */
function parseClientSecret(data: Buffer): string {
  const text = data.toString('utf8').replace(/\r?\n$/, '');
  if (!/^[\x21-\x7e]+$/.test(text)) throw new StateProblem('not one line of printable characters');
  if (text.length < 32) throw new StateProblem('shorter than 32 characters: too weak for a client secret');
  return text;
}

const ISSUER_KEY_ALGS = ['RS256', 'ES256'] as const;

/** Fresh signing keys for the provider: RS256 (OpenID Connect's default for ID tokens) and ES256. */
async function newIssuerKeys(): Promise<JsonWebKey[]> {
  const keys: JsonWebKey[] = [];
  for (const alg of ISSUER_KEY_ALGS) {
    const key = await generateKey(alg);
    if (key.type !== 'asymmetric') throw new Error(`expected an asymmetric ${alg} key`);
    const { jwk } = await signingJwk(key.publicKey, alg);
    keys.push({ ...jwk, ...key.privateKey.export({ format: 'jwk' }) });
  }
  return keys;
}

function parseIssuerKeys(data: Buffer): JsonWebKey[] {
  const doc = parseJson(data);
  if (!isObject(doc) || !Array.isArray(doc.keys) || doc.keys.length === 0)
    throw new StateProblem('expected a JWKS: {"keys": [...]}');
  const kids = new Set<string>();
  for (const [i, entry] of (doc.keys as unknown[]).entries()) {
    if (
      !isObject(entry) ||
      typeof entry.kid !== 'string' ||
      entry.kid === '' ||
      typeof entry.alg !== 'string'
    )
      throw new StateProblem(`key ${i} has no kid or alg`);
    if (kids.has(entry.kid)) throw new StateProblem(`kid "${entry.kid}" appears twice`);
    kids.add(entry.kid);
    try {
      createPrivateKey({ key: entry as JsonWebKey, format: 'jwk' });
    } catch {
      throw new StateProblem(`key "${entry.kid}" is not a private key`);
    }
  }
  const keys = doc.keys as JsonWebKey[];
  // OpenID Connect signs ID tokens with RS256 unless the client registered otherwise (OIDC Core §3.1.3.7).
  if (!keys.some((k) => (k as { alg?: unknown }).alg === 'RS256'))
    throw new StateProblem('no RS256 key (ID tokens are signed with RS256)');
  return keys;
}

function parseCookieKeys(data: Buffer): string[] {
  const doc = parseJson(data);
  const keys = isObject(doc) ? doc.keys : undefined;
  if (
    !Array.isArray(keys) ||
    keys.length === 0 ||
    !keys.every((k) => typeof k === 'string' && k.length >= 32)
  )
    throw new StateProblem('expected {"keys": ["<at least 32 characters>", ...]}');
  return keys as string[];
}

/**
 * The private_key_jwt client's key pair, made by the same code as `apikit keys generate --alg ES256 --out
 * <state dir>/signer` (the same three files, modes and kid), so that `apikit token client-credentials
 * --private-key <state dir>/signer.key.pem` adopts the kid from signer.jwks.json exactly as for a key the user made.
 * A key the user put there instead (`keys generate --alg RS256 --out <state dir>/signer --force`) works too: the
 * JWKS entry of the key in the PEM is registered, whatever its algorithm.
 */
async function loadSigner(stateDir: string): Promise<SandboxState['signer']> {
  const prefix = join(stateDir, 'signer');
  const keyFile = join(stateDir, STATE_FILES.signerKey);
  const jwksFile = join(stateDir, STATE_FILES.signerJwks);
  return readOrCreateStateFiles(
    [keyFile, jwksFile],
    async () => {
      const key = await generateKey('ES256');
      if (key.type !== 'asymmetric') throw new Error('expected an asymmetric ES256 key');
      const { jwk } = await signingJwk(key.publicKey, 'ES256');
      return plannedFiles(prefix, key, jwk).map(({ path, data, mode }) => ({ path, data, mode }));
    },
    ([pem, jwks]) => {
      let set;
      try {
        set = loadKeys(pem!, keyFile, { inspectHint: false });
      } catch (err) {
        // The loader's message names the file already; the state error names it once.
        const message = err instanceof Error ? err.message : String(err);
        throw new StateProblem(message.replace(/^cannot read key "[^"]*": /, ''), 0);
      }
      const key = set.keys[0];
      if (set.keys.length !== 1 || key?.kind !== 'private' || key.publicKey === undefined)
        throw new StateProblem('expected one private key (PEM)', 0);
      const doc = parseJson(jwks!, 1);
      const adopted = adoptCompanionKids(set, { name: jwksFile, data: jwks! }).keys[0]!;
      if (adopted.kid === undefined)
        throw new StateProblem(`holds no entry with a kid for the public key of "${keyFile}"`, 1);
      const entries = isObject(doc) && Array.isArray(doc.keys) ? (doc.keys as unknown[]) : [];
      const entry = entries.find((e) => isObject(e) && e.kid === adopted.kid) as Record<string, unknown>;
      const alg = typeof entry.alg === 'string' ? entry.alg : 'ES256';
      return {
        keyFile,
        jwksFile,
        kid: adopted.kid,
        publicJwk: { ...publicJwk(adopted), kid: adopted.kid, alg, use: 'sig' },
      };
    },
  );
}
