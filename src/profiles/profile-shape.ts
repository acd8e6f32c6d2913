import { CONFIDENTIAL_AUTH_METHODS } from '../lib/oauth/client-auth.js';

/**
 * The shape check of the stored profiles (config.json → `profiles`, src/profiles/profile.ts), run on every read:
 * a hand-edited or damaged file is then one message naming what is wrong (exit 2) instead of a crash far away
 * ("Invalid time value"), and because writes read first, nothing is written over it. Only what apikit relies on
 * is checked; fields it does not know are left alone. Returns what is wrong, or undefined.
 */
export function storedProfilesProblem(data: Record<string, unknown>): string | undefined {
  const stored = data.profiles;
  if (stored === undefined) return undefined;
  if (!isObject(stored)) return `"profiles" is ${kind(stored)}, not an object`;
  for (const [name, profile] of Object.entries(stored)) {
    if (!isObject(profile)) return `profile ${JSON.stringify(name)} is ${kind(profile)}, not an object`;
    const problem = profileProblem(name, profile);
    if (problem !== undefined) return `profile ${JSON.stringify(name)}: ${problem}`;
  }
  return undefined;
}

const GRANTS = ['authorization_code', 'device_code', 'client_credentials'];
const AUTH_METHODS = ['none', ...CONFIDENTIAL_AUTH_METHODS];

function profileProblem(name: string, p: Record<string, unknown>): string | undefined {
  if (p.name !== name) return `"name" is ${describe(p.name)}, not ${JSON.stringify(name)}`;
  if (typeof p.grant !== 'string' || !GRANTS.includes(p.grant))
    return `"grant" is ${describe(p.grant)}, not one of ${GRANTS.join(', ')}`;
  return (
    fields(p, ['tokenEndpoint', 'clientId'], 'string', true) ??
    fields(
      p,
      [
        'issuer',
        'authorizationEndpoint',
        'revocationEndpoint',
        'deviceAuthorizationEndpoint',
        'jwksUri',
        'scope',
        'audience',
        'subject',
      ],
      'string',
      false,
    ) ??
    fields(p, ['createdAt', 'updatedAt'], 'time', false) ??
    stringList(p, 'resource') ??
    stringMap(p, 'params') ??
    clientAuthProblem(p.clientAuth) ??
    tokensProblem(p.tokens)
  );
}

function clientAuthProblem(auth: unknown): string | undefined {
  if (auth === undefined) return undefined;
  if (!isObject(auth)) return `"clientAuth" is ${kind(auth)}, not an object`;
  if (typeof auth.method !== 'string' || !AUTH_METHODS.includes(auth.method))
    return `"clientAuth.method" is ${describe(auth.method)}, not one of ${AUTH_METHODS.join(', ')}`;
  return prefixed(
    'clientAuth',
    fields(auth, ['secretEnv', 'secretFile', 'privateKeyFile', 'assertionAud'], 'string', false),
  );
}

function tokensProblem(tokens: unknown): string | undefined {
  if (tokens === undefined) return undefined;
  if (!isObject(tokens)) return `"tokens" is ${kind(tokens)}, not an object`;
  return prefixed(
    'tokens',
    fields(tokens, ['accessToken', 'tokenType'], 'string', true) ??
      fields(tokens, ['refreshToken', 'idToken', 'scope'], 'string', false) ??
      fields(tokens, ['obtainedAt'], 'time', true) ??
      fields(tokens, ['expiresAt'], 'time', false),
  );
}

/** The first of `names` that is missing (when required) or not of the type; a time is epoch ms, finite. */
function fields(
  obj: Record<string, unknown>,
  names: string[],
  type: 'string' | 'time',
  required: boolean,
): string | undefined {
  for (const name of names) {
    const value = obj[name];
    if (value === undefined) {
      if (required) return `"${name}" is missing`;
      continue;
    }
    if (type === 'string' && typeof value !== 'string')
      return `"${name}" is ${describe(value)}, not a string`;
    if (type === 'time' && !isTime(value))
      return `"${name}" is ${describe(value)}, not a time in epoch milliseconds`;
  }
  return undefined;
}

function stringList(obj: Record<string, unknown>, name: string): string | undefined {
  const value = obj[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    return `"${name}" is ${describe(value)}, not a list of strings`;
  return undefined;
}

function stringMap(obj: Record<string, unknown>, name: string): string | undefined {
  const value = obj[name];
  if (value === undefined) return undefined;
  if (!isObject(value) || !Object.values(value).every((v) => typeof v === 'string'))
    return `"${name}" is ${describe(value)}, not an object of strings`;
  return undefined;
}

function prefixed(parent: string, problem: string | undefined): string | undefined {
  return problem?.replace(/^"/, `"${parent}.`);
}

/** Epoch milliseconds a Date can hold (±8.64e15), so that formatting it never throws. */
function isTime(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 8.64e15;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** A value in a message: short, and never more than a type for strings (a damaged field may hold a token). */
function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return kind(value);
}
