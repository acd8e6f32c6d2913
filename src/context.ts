import type { Dispatcher } from 'undici';
import type { ConfigStore } from './config/store.js';
import type { HttpClient, HttpClientOptions } from './http/client.js';
import type { Env, IO } from './io/io.js';
import { ApikitError, ExitCode } from './errors.js';
import { createOutput, type Output } from './io/output.js';
import { Redactor } from './io/redact.js';
import { viewOf, type Rendered, type View } from './io/render.js';
import { systemClock, systemPlatform } from './io/system.js';
import type { Outcome, Verdicted } from './lib/outcome.js';
import type { Clock } from './lib/time/clock.js';
import { version } from './version.js';

/**
 * Everything a command may touch in the world, built lazily (undici, conf and open load only when a command
 * asks for them) and injectable in tests. Commands never reach for process.*, globals or singletons.
 * The context knows no profile, no flow and no command: those layers sit above it (ARCHITECTURE.md).
 */
export type { Clock, Env };

export interface GlobalFlags {
  json: boolean;
  verbose: boolean;
  debug: boolean;
}

export interface Context {
  io: IO;
  env: Env;
  clock: Clock;
  platform: NodeJS.Platform;
  out: Output;
  redactor: Redactor;
  flags: GlobalFlags;
  version: string;
  /** Aborted when the user interrupts (Ctrl-C); long waits listen to it. */
  signal: AbortSignal;
  /** The verdict of the command that ran, set only by `finish` from its result; src/cli.ts maps it to the exit code. */
  outcome: Outcome;
  /**
   * The end of every verb's action: render the result (a pure function of the result and the view), write it,
   * and record the verdict the result carries (`outcome`, absent = ok). The only place ctx.outcome is set.
   */
  finish<R extends object>(result: R, render: (result: R, view: View) => Rendered): Promise<void>;
  /** What renderers may know: stream facts, --json, the time. */
  view(): View;
  /** A new HTTP client with apikit's defaults, the --verbose trace and the given overrides. Closed by main. */
  http(overrides?: Partial<HttpClientOptions>): Promise<HttpClient>;
  /** The config store in $APIKIT_CONFIG_DIR (or the platform default). */
  config(): Promise<ConfigStore>;
  /** Opens a URL in the user's browser. */
  openUrl(url: string): Promise<void>;
  /** Runs another apikit command line in-process (see Invoke). */
  invoke: Invoke;
  /** Releases what the context opened (HTTP agents). */
  dispose(): Promise<void>;
}

/**
 * Runs one apikit command line through the whole program — argv parsing, the command, the error mapping — with
 * its own streams and environment, and resolves with its exit code. Set by src/cli.ts (the top), so that a
 * command can replay real command lines (`apikit demo`) without importing the layer above it.
 */
export type Invoke = (argv: string[], io: IO, env: Env, overrides?: ContextOverrides) => Promise<number>;

/** What tests (and embedders) may replace. */
export interface ContextOverrides {
  /** How a command runs another command line (src/cli.ts passes its own `main`). */
  invoke?: Invoke;
  clock?: Clock;
  dispatcher?: Dispatcher;
  configDir?: string;
  openUrl?: (url: string) => Promise<void>;
  signal?: AbortSignal;
  platform?: NodeJS.Platform;
}

export function createContext(io: IO, env: Env, overrides: ContextOverrides = {}): Context {
  const redactor = new Redactor();
  const clients: HttpClient[] = [];
  let store: ConfigStore | undefined;
  const clock = overrides.clock ?? systemClock;
  const ctx: Context = {
    io,
    env,
    clock,
    platform: overrides.platform ?? systemPlatform(),
    out: createOutput(io, redactor, () => ctx.view()),
    redactor,
    flags: { json: false, verbose: false, debug: false },
    version: version(),
    signal: overrides.signal ?? new AbortController().signal,
    outcome: 'ok',
    view: () => viewOf(io, ctx.flags.json, clock.now()),
    async finish(result, render) {
      await ctx.out.emit(render(result, ctx.view()));
      ctx.outcome = (result as Verdicted).outcome ?? 'ok';
    },
    async http(options = {}) {
      const { createHttpClient, DEFAULT_HTTP_OPTIONS } = await import('./http/client.js');
      const client = createHttpClient({
        ...DEFAULT_HTTP_OPTIONS,
        userAgent: `apikit/${ctx.version}`,
        headers: {},
        redactor,
        clock,
        dispatcher: overrides.dispatcher,
        signal: ctx.signal,
        trace: ctx.flags.verbose ? (line) => io.stderr.write(line + '\n') : undefined,
        ...stripUndefined(options),
      });
      clients.push(client);
      return client;
    },
    async config() {
      if (!store) {
        const { openConfigStore } = await import('./config/store.js');
        const { configDir } = await import('./config/paths.js');
        store = openConfigStore(overrides.configDir ?? configDir(env, ctx.platform), {
          warn: (message) => ctx.out.warn(message),
          platform: ctx.platform,
        });
      }
      return store;
    },
    async openUrl(url) {
      if (overrides.openUrl) return overrides.openUrl(url);
      const { default: open } = await import('open');
      const child = await open(url, { wait: false });
      child.on('error', () => undefined);
      child.unref();
    },
    async invoke(argv, childIo, childEnv, childOverrides) {
      if (!overrides.invoke) {
        throw new ApikitError('this context cannot run another command', 'ERR_INVOKE', ExitCode.INTERNAL);
      }
      return overrides.invoke(argv, childIo, childEnv, { invoke: overrides.invoke, ...childOverrides });
    },
    async dispose() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    },
  };
  return ctx;
}

function stripUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
