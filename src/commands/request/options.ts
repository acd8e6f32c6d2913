import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import { readInput } from '../../files/read-input.js';
import { terminalSafe } from '../../lib/text/terminal-safe.js';
import { parseHeaderLine, type HttpFlags } from '../shared/http-flags.js';
import {
  parseHttpUrl,
  parseMethodToken,
  refuseTwoCredentials,
  type TargetWording,
} from '../shared/probe-flags.js';

/** `apikit request`'s flags as commander gives them. */
export interface RequestFlags extends HttpFlags {
  data?: string;
  dataFile?: string;
  dataStdin?: boolean;
}

/** Where the request body comes from: -d (argv text), --data-file, --data-stdin — at most one. */
export type BodySource =
  { kind: 'none' } | { kind: 'text'; text: string } | { kind: 'file'; path: string } | { kind: 'stdin' };

export interface RequestOptions {
  method: string;
  url: string;
  body: BodySource;
  http: HttpFlags;
}

/**
 * A request body read from a file or stdin may be this large: above the 1 MiB limits APIs commonly set (the
 * sandbox's included), so that `request` can show a 413 too.
 */
export const MAX_REQUEST_BODY_BYTES = 16 * 1024 * 1024;

const quote = (value: string): string => `"${terminalSafe(value, 80)}"`;

/** Every flag of the verb's own, checked (no I/O): a bad one is exit 2 before anything is read or sent. */
export function parseRequestFlags(
  method: string,
  url: string | undefined,
  flags: RequestFlags,
): RequestOptions {
  if (url === undefined) {
    throw new UsageError(
      /^[a-z][a-z0-9+.-]*:\/\//i.test(method)
        ? 'give the method first, then the URL'
        : 'missing the URL (apikit request <METHOD> <URL>)',
      'ERR_USAGE_ARGUMENTS',
      {
        hint: `apikit request GET ${/:\/\//.test(method) ? terminalSafe(method, 200) : 'https://api.example.com/v1/items'}`,
      },
    );
  }
  const http: HttpFlags = {
    header: flags.header,
    timeout: flags.timeout,
    connectTimeout: flags.connectTimeout,
    maxBody: flags.maxBody,
    followRedirects: flags.followRedirects,
    bearerEnv: flags.bearerEnv,
    apiKeyEnv: flags.apiKeyEnv,
    apiKeyHeader: flags.apiKeyHeader,
    basicEnv: flags.basicEnv,
    profile: flags.profile,
  };
  for (const line of http.header ?? []) {
    const [name, value] = parseHeaderLine(line);
    if (/[\r\n\0]/.test(value)) {
      throw new UsageError(
        `-H ${terminalSafe(name, 80)}: a value cannot hold a line break or NUL`,
        'ERR_HTTP_HEADER',
      );
    }
  }
  refuseTwoCredentials(http);
  return {
    method: parseRequestMethod(method),
    url: parseRequestUrl(url).href,
    body: bodySourceOf(flags),
    http,
  };
}

const REQUEST_WORDING: TargetWording = {
  notAMethod: (quoted) => `${quoted} is not an HTTP method (e.g. GET, POST)`,
  connect: 'CONNECT opens a tunnel, not a request: use curl --proxytunnel',
  methodHint: 'apikit request <METHOD> <URL>',
  example: 'https://api.example.com/v1/items',
  notHttp: (quoted) => `${quoted} is not http or https`,
};

/** An RFC 9110 token, upper-cased (`get` is GET). CONNECT opens a tunnel: not a request this verb makes. */
export function parseRequestMethod(value: string): string {
  return parseMethodToken(value, REQUEST_WORDING);
}

/** An absolute http(s) URL without user:password@ (that would be a secret on argv, and in every message). */
export function parseRequestUrl(value: string): URL {
  return parseHttpUrl(value, REQUEST_WORDING);
}

function bodySourceOf(flags: RequestFlags): BodySource {
  const given = [
    flags.data !== undefined ? '-d' : undefined,
    flags.dataFile !== undefined ? '--data-file' : undefined,
    flags.dataStdin === true ? '--data-stdin' : undefined,
  ].filter((f) => f !== undefined);
  if (given.length > 1) {
    throw new UsageError(`${given.join(' and ')}: give the body one way`, 'ERR_USAGE_FLAG_CONFLICT');
  }
  if (flags.data !== undefined) {
    // curl reads `-d @file` from the file; sending the text "@post.json" instead would be a silent surprise.
    if (flags.data.startsWith('@')) {
      throw new UsageError(
        `-d ${quote(flags.data)}: apikit does not read a file named with @`,
        'ERR_USAGE_DATA',
        {
          hint: `use --data-file ${terminalSafe(flags.data.slice(1), 200) || '<file>'}`,
        },
      );
    }
    return { kind: 'text', text: flags.data };
  }
  if (flags.dataFile !== undefined) {
    return flags.dataFile === '-' ? { kind: 'stdin' } : { kind: 'file', path: flags.dataFile };
  }
  if (flags.dataStdin === true) return { kind: 'stdin' };
  return { kind: 'none' };
}

/** The body's bytes (an empty file or stdin is an empty body), or undefined when there is none. */
export async function readRequestBody(
  source: BodySource,
  ctx: Pick<Context, 'io'>,
): Promise<Buffer | undefined> {
  switch (source.kind) {
    case 'none':
      return undefined;
    case 'text':
      return Buffer.from(source.text, 'utf8');
    case 'file':
    case 'stdin': {
      const input = await readInput(source.kind === 'stdin' ? '-' : source.path, ctx.io, {
        limit: MAX_REQUEST_BODY_BYTES,
        allowEmpty: true,
        stdinIsTTY: ctx.io.stdinIsTTY,
      });
      return input.data;
    }
  }
}
