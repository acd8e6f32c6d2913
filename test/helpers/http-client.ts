import {
  createHttpClient,
  DEFAULT_HTTP_OPTIONS,
  type HttpClient,
  type HttpClientOptions,
} from '../../src/http/client.js';
import { Redactor } from '../../src/io/redact.js';
import { systemClock } from '../../src/io/system.js';

/** apikit's HTTP client with its defaults, as ctx.http() builds it, for tests that drive the client directly. */
export function testClient(overrides: Partial<HttpClientOptions> = {}): HttpClient {
  return createHttpClient({
    ...DEFAULT_HTTP_OPTIONS,
    userAgent: 'test',
    headers: {},
    redactor: new Redactor(),
    clock: systemClock,
    ...overrides,
  });
}

/** Clients made for one test file, with shared defaults, all closed by `closeAll()` (in an afterEach). */
export function clientPool(defaults: Partial<HttpClientOptions> = {}): {
  make(overrides?: Partial<HttpClientOptions>): HttpClient;
  closeAll(): Promise<void>;
} {
  const made: HttpClient[] = [];
  return {
    make(overrides = {}) {
      const client = testClient({ ...defaults, ...overrides });
      made.push(client);
      return client;
    },
    async closeAll() {
      await Promise.all(made.splice(0).map((c) => c.close()));
    },
  };
}
