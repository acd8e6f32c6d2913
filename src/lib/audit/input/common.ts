import { InputError } from '../../../errors.js';
import type { HeaderLines } from '../../headers.js';
import { terminalSafe } from '../../text/terminal-safe.js';

/**
 * What every `--headers` format comes down to, the one error they all throw, and the header-line builder they
 * share. The builder makes null-prototype objects: a saved file may name a field `__proto__` or `constructor`
 * (both are valid tokens), which must stay a header and never reach Object.prototype.
 */

export interface ParsedInput {
  /** The response's URL when the file says it (a request line with Host, a HAR entry, a JSON `url`). */
  url?: string;
  method: string;
  status: number;
  headers: HeaderLines;
  /** The body as bytes, whole. */
  body?: Buffer;
  /** The declared body size when the file gives one (HAR `content.size`). */
  bodyBytes?: number;
  /** The request carried a credential header (a saved request or HAR entry). */
  authenticated: boolean;
}

/** A malformed --headers file: exit 2, one line naming the file, where in it, and what is wrong. */
export class AuditInputError extends InputError {
  readonly source: string;
  readonly where: string;
  readonly problem: string;
  constructor(source: string, where: string, problem: string) {
    super(
      `cannot read "${terminalSafe(source, 200)}" as a response: ${terminalSafe(where, 200)}: ` +
        terminalSafe(problem, 300),
      'ERR_AUDIT_INPUT',
      {
        hint: 'give a raw HTTP response (curl -i), a HAR file, or a JSON object of headers',
      },
    );
    this.name = 'AuditInputError';
    this.source = source;
    this.where = where;
    this.problem = problem;
  }
}

/** Whether `err` is the --headers reader's error (by name and code: no instanceof outside src/errors.ts). */
export function isAuditInputError(err: unknown): err is AuditInputError {
  const e = err as { name?: unknown; code?: unknown } | null | undefined;
  return e?.name === 'AuditInputError' && e.code === 'ERR_AUDIT_INPUT';
}

/** Thrown by the format readers with `where` and `problem`; input.ts adds the source's name. */
export class InputProblem extends Error {
  constructor(
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where}: ${problem}`);
    this.name = 'InputProblem';
  }
}

export function isInputProblem(err: unknown): err is InputProblem {
  return (err as { name?: unknown } | null | undefined)?.name === 'InputProblem';
}

/** RFC 9110 §5.1: a field name is a token. */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A piece of the input quoted in a message: short, and safe on a terminal. */
export function quoted(text: string, max = 40): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(terminalSafe(cut, max + 1));
}

/** Builds HeaderLines line by line: names lower-cased, lines in order, on a null-prototype object. */
export class LinesBuilder {
  readonly #lines: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  add(name: string, value: string): void {
    const key = name.toLowerCase();
    const list = Object.prototype.hasOwnProperty.call(this.#lines, key) ? this.#lines[key]! : [];
    if (list.length === 0) this.#lines[key] = list;
    list.push(value);
  }
  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.#lines, name.toLowerCase());
  }
  build(): HeaderLines {
    return this.#lines;
  }
}

/** Credential request headers: the request was authenticated (the redactor's list, less the response's own). */
const CREDENTIAL_REQUEST_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'api-key',
  'dpop',
]);

export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_REQUEST_HEADERS.has(name.toLowerCase());
}

/** RFC 9110 §15: a status code is three digits, 100…599. */
export function isStatus(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599;
}

/** An absolute http(s) URL, or undefined. */
export function httpUrl(text: string): string | undefined {
  try {
    const u = new URL(text);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return undefined;
  }
}
