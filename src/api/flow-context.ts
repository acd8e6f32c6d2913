import type { Context } from '../context.js';
import { ApikitError, ExitCode } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import { Redactor } from '../io/redact.js';
import type { Clock } from './types.js';

/**
 * The Context an OAuth flow (src/oauth/) runs with when the library calls it. The flows take their HTTP client as
 * an argument and use the Context only for the clock, the redactor (secrets registered as they pass) and the
 * interrupt signal; there is no terminal, no config store and no browser here. Anything else a flow reached for
 * would be a bug in this wiring: it fails loudly (ERR_INTERNAL_LIBRARY_CONTEXT) rather than touch the world.
 * Internal: not part of the public API.
 */
export function flowContext(parts: { clock: Clock; http: HttpClient; signal: AbortSignal }): Context {
  const present: Partial<Context> = {
    clock: parts.clock,
    redactor: new Redactor(),
    signal: parts.signal,
    http: () => Promise.resolve(parts.http),
  };
  return new Proxy(present, {
    get(target, prop) {
      if (typeof prop === 'symbol' || prop === 'then') return undefined;
      if (prop in target) return target[prop as keyof Context];
      throw new ApikitError(
        `internal: the library's flow context has no "${prop}"`,
        'ERR_INTERNAL_LIBRARY_CONTEXT',
        ExitCode.INTERNAL,
      );
    },
  }) as Context;
}
