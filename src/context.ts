import type { Dispatcher } from 'undici';
import type { ConfigStore } from './config/store.js';
import type { HttpClient, HttpClientOptions } from './http/client.js';
import type { IO } from './io/io.js';
import { createOutput, type Output } from './io/output.js';
import { Redactor } from './io/redact.js';
import { version } from './version.js';

/**
 * Everything a command may touch in the world, built lazily (undici, conf and open load only when a command
 * asks for them) and injectable in tests. Commands never reach for process.*, globals or singletons.
 */
export type Env = Record<string, string | undefined>;

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface GlobalFlags {
  json: boolean;
  verbose: boolean;
  debug: boolean;
}

export interface Context {
  io: IO;
  env: Env;
  clock: Clock;
  out: Output;
  redactor: Redactor;
  flags: GlobalFlags;
  version: string;
  /** Aborted when the user interrupts (Ctrl-C); long waits listen to it. */
  signal: AbortSignal;
  /** The exit code the command wants when it completes without throwing (1 for a negative verdict). */
  exitCode: number;
  /** A new HTTP client with apikit's defaults, the --verbose trace and the given overrides. Closed by main. */
  http(overrides?: Partial<HttpClientOptions>): Promise<HttpClient>;
  /** The config store in $APIKIT_CONFIG_DIR (or the platform default). */
  config(): Promise<ConfigStore>;
  /** Opens a URL in the user's browser. */
  openUrl(url: string): Promise<void>;
  /** A valid access token for a login profile, refreshed when needed (used by --profile on HTTP commands). */
  profileAccessToken(profile: string): Promise<string>;
  /** Releases what the context opened (HTTP agents). */
  dispose(): Promise<void>;
}

/** What tests (and embedders) may replace. */
export interface ContextOverrides {
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
  const ctx: Context = {
    io,
    env,
    clock: overrides.clock ?? { now: () => Date.now() },
    out: createOutput(io, redactor),
    redactor,
    flags: { json: false, verbose: false, debug: false },
    version: version(),
    signal: overrides.signal ?? new AbortController().signal,
    exitCode: 0,
    async http(options = {}) {
      const { createHttpClient, DEFAULT_HTTP_OPTIONS } = await import('./http/client.js');
      const client = createHttpClient({
        ...DEFAULT_HTTP_OPTIONS,
        userAgent: `apikit/${ctx.version}`,
        headers: {},
        redactor,
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
        store = openConfigStore(overrides.configDir ?? configDir(env, overrides.platform));
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
    async profileAccessToken(profile) {
      // src/auth/: the same lock-protected refresh as `apikit token`.
      const [{ getAccessToken }, { resolveProfileName }] = await Promise.all([
        import('./auth/access-token.js'),
        import('./auth/profile.js'),
      ]);
      return (await getAccessToken(ctx, resolveProfileName(profile, env))).tokens.accessToken;
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
