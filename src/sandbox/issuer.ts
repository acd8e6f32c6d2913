import type { RequestHandler } from '../server/loopback-server.js';
import { sendHtml } from '../server/respond.js';
import { UsageError } from '../errors.js';
import type { Clock } from '../lib/time/clock.js';
import { memoryAdapter } from './issuer-adapter.js';
import { interactionRoutes, type TestUser } from './issuer-interactions.js';
import {
  deviceConfirmPage,
  deviceInputPage,
  deviceSuccessPage,
  errorPage,
  pageHeaders,
  PROVIDER_HEADERS,
  type DeviceInputMessage,
  type PageClient,
} from './issuer-pages.js';
import { loadSandboxState } from './state.js';

/**
 * The sandbox's authorization server: oidc-provider (a certified OpenID provider), configured for apikit —
 * - `apikit-cli`: a public native client (PKCE S256, loopback redirect on any port, RFC 8252 §7.3) for
 *   `apikit login`, with the authorization code, refresh token (rotated on every use) and device grants;
 * - `sandbox-service`: a confidential client for client credentials (client_secret_basic or _post), its secret
 *   in `<state dir>/client-secret`;
 * - `sandbox-signer`: client credentials with private_key_jwt (RFC 7523), its key in `<state dir>/signer.key.pem`
 *   as `apikit keys generate` writes it;
 * - the API (`resource`, RFC 8707) gets JWT access tokens (RFC 9068, aud = the resource) with read:posts,
 *   write:posts and delete:posts; a request without a resource indicator gets it by default;
 * - revocation (RFC 7009), introspection (RFC 7662), the device flow (RFC 8628), RFC 9207 `iss`, S256 only;
 * - one test user with a real sign-in page (./issuer-interactions.ts), consent implied for these first-party clients.
 * oidc-provider is loaded here and only here, so that no other command pays for it.
 */

export interface IssuerOptions {
  /** 'http://127.0.0.1:PORT' — exactly discovery's `issuer`. */
  issuer: string;
  /** The API's resource indicator (its URL), the audience of its access tokens. */
  resource: string;
  /** Where the persistent files live (created 0700 if missing): ./state.ts. */
  stateDir: string;
  clock: Clock;
  /** Access-token lifetime in seconds (user and client-credentials tokens); default 600. */
  accessTokenTtl?: number;
  /** The device flow's polling interval in seconds (RFC 8628 §3.2); default 5. */
  deviceInterval?: number;
  /** Told about errors inside the provider (a 500 it answered); nothing is printed. */
  onError?: (err: unknown) => void;
}

export interface SandboxIssuer {
  handler: RequestHandler;
  /** issuer + '/jwks', as discovery says. */
  jwksUri: string;
  clients: {
    public: { client_id: string };
    confidential: { client_id: string; secret_file: string };
    private_key_jwt: { client_id: string; key_file: string };
  };
  user: { username: string; password: string };
  scopes: string[];
  close(): Promise<void>;
}

export const SANDBOX_SCOPES: readonly string[] = ['read:posts', 'write:posts', 'delete:posts'];
export const SANDBOX_USER: Readonly<TestUser> = { username: 'alice', password: 'wonderland' };
export const SANDBOX_CLIENT_IDS = {
  public: 'apikit-cli',
  confidential: 'sandbox-service',
  privateKeyJwt: 'sandbox-signer',
} as const;

const DEFAULT_ACCESS_TOKEN_TTL = 600;
const DEFAULT_DEVICE_INTERVAL = 5;
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'email'];

// The provider's request context, as far as the callbacks below use it (oidc-provider is untyped).
interface Ctx {
  status: number;
  type: string;
  body: unknown;
  set(headers: Record<string, string>): void;
  oidc: {
    client?: { clientId: string; clientName?: string };
    session?: { state?: { secret?: unknown } };
    urlFor(name: string): string;
  };
}
interface Client {
  clientId: string;
  clientName?: string;
  clientAuthMethod: string;
  grantTypeAllowed(grant: string): boolean;
}

export async function createIssuer(options: IssuerOptions): Promise<SandboxIssuer> {
  const issuer = checkOrigin('issuer', options.issuer);
  const resource = options.resource;
  if (!URL.canParse(resource)) throw new UsageError(`resource "${resource}" is not a URL`, 'ERR_USAGE');
  const ttl = options.accessTokenTtl ?? DEFAULT_ACCESS_TOKEN_TTL;
  const state = await loadSandboxState(options.stateDir);

  // Not the package's main entry: lib/index.js only re-exports these two modules, after printing "Unsupported
  // runtime" with console.warn when Node's LTS codename sorts before "Jod" (Node 22) — on every start on Node 20,
  // which apikit supports and on which oidc-provider works. Importing the modules themselves skips that check
  // without touching the console. The package has no "exports" map, so these paths are public to Node.
  const { Provider } = await import('oidc-provider/lib/provider.js');
  const { InvalidTarget } = await import('oidc-provider/lib/helpers/errors.js');

  const sameResource = (indicator: string): boolean =>
    URL.canParse(indicator) && new URL(indicator).href === new URL(resource).href;

  const apiScopes = SANDBOX_SCOPES.join(' ');
  const clients = [
    {
      client_id: SANDBOX_CLIENT_IDS.public,
      client_name: 'apikit CLI',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      // RFC 8252 §7.3: for a native client oidc-provider accepts these loopback URIs on any port.
      redirect_uris: ['http://127.0.0.1/callback', 'http://localhost/callback'],
      grant_types: ['authorization_code', 'refresh_token', DEVICE_GRANT],
      response_types: ['code'],
      scope: [...OIDC_SCOPES, ...SANDBOX_SCOPES].join(' '),
    },
    {
      client_id: SANDBOX_CLIENT_IDS.confidential,
      client_name: 'sandbox service',
      client_secret: state.clientSecret,
      // oidc-provider accepts client_secret_post too for a client registered with client_secret_basic.
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: apiScopes,
    },
    {
      client_id: SANDBOX_CLIENT_IDS.privateKeyJwt,
      client_name: 'sandbox signer',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [state.signer.publicJwk] },
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: apiScopes,
    },
  ];

  const provider = new Provider(issuer, {
    adapter: memoryAdapter(options.clock),
    clients,
    jwks: { keys: state.issuerKeys },
    cookies: { keys: state.cookieKeys },
    findAccount: async (_ctx: unknown, id: string) =>
      id === SANDBOX_USER.username
        ? {
            accountId: id,
            claims: async () => ({
              sub: id,
              name: 'Alice (apikit sandbox)',
              email: 'alice@example.com',
              email_verified: true,
            }),
          }
        : undefined,
    claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
    // The API's scopes are listed too, so that clients may declare them in their `scope` metadata.
    scopes: [...OIDC_SCOPES, ...SANDBOX_SCOPES],
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    // The authorization code flow only: no implicit or hybrid responses (RFC 9700 §2.1.2).
    responseTypes: ['code'],
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    // Browsers may read discovery and the JWKS (oidc-provider allows that always); the token endpoint is for
    // apikit and scripts, not for pages.
    clientBasedCORS: () => false,
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: {
        enabled: true,
        // A client revokes its own tokens only (RFC 7009 §2.1).
        allowedPolicy: async (_ctx: unknown, client: Client, token: { clientId: string }) =>
          token.clientId === client.clientId,
      },
      introspection: {
        enabled: true,
        // A confidential client (a resource server's stand-in) may introspect any token; a public one its own.
        allowedPolicy: async (_ctx: unknown, client: Client, token: { clientId: string }) =>
          client.clientAuthMethod !== 'none' || token.clientId === client.clientId,
      },
      deviceFlow: {
        enabled: true,
        userCodeInputSource,
        userCodeConfirmSource,
        successSource,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string[]) =>
          oneOf ? (oneOf.find(sameResource) ?? oneOf[0]) : resource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
          if (!sameResource(indicator)) throw new InvalidTarget(`the sandbox serves one API: ${resource}`);
          return {
            scope: apiScopes,
            audience: resource,
            accessTokenTTL: ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    ttl: {
      AccessToken: ttl,
      ClientCredentials: ttl,
      AuthorizationCode: 60,
      DeviceCode: 600,
      IdToken: 3600,
      RefreshToken: 86_400,
      Interaction: 600,
      Session: 86_400,
      Grant: 86_400,
    },
    // A refresh token for every login of a client allowed the grant, not only with offline_access (which
    // oidc-provider drops unless prompt=consent is sent): apikit login's sessions should outlive the access token.
    issueRefreshToken: async (_ctx: unknown, client: Client) => client.grantTypeAllowed('refresh_token'),
    // RFC 9700 §4.14.2: a public client's refresh token is single-use; reusing a rotated one revokes the grant.
    rotateRefreshToken: () => true,
    renderError,
  });

  provider.use(async (ctx: Ctx, next: () => Promise<void>) => {
    ctx.set({ ...PROVIDER_HEADERS });
    await next();
  });
  // RFC 8628 §3.2: `interval` is optional (default 5 s); oidc-provider sends none.
  const interval = options.deviceInterval ?? DEFAULT_DEVICE_INTERVAL;
  provider.on('device_authorization.success', (_ctx: unknown, body: Record<string, unknown>) => {
    body.interval = interval;
  });
  // With a listener, Koa does not print errors to the console itself; oidc-provider reports its 500s here.
  const onError = options.onError ?? (() => undefined);
  provider.on('error', (err: unknown) => onError(err));
  provider.on('server_error', (_ctx: unknown, err: unknown) => onError(err));

  const interactions = interactionRoutes(provider, SANDBOX_USER);
  const callback = provider.callback();
  let closed = false;
  const handler: RequestHandler = async (req, res) => {
    if (closed) {
      req.resume();
      sendHtml(res, 503, errorPage({ title: 'The sandbox is stopping' }), {
        ...pageHeaders(),
        connection: 'close',
      });
      return;
    }
    if (await interactions(req, res)) return;
    await callback(req, res);
  };

  return {
    handler,
    jwksUri: `${issuer}/jwks`,
    clients: {
      public: { client_id: SANDBOX_CLIENT_IDS.public },
      confidential: { client_id: SANDBOX_CLIENT_IDS.confidential, secret_file: state.clientSecretFile },
      private_key_jwt: { client_id: SANDBOX_CLIENT_IDS.privateKeyJwt, key_file: state.signer.keyFile },
    },
    user: { ...SANDBOX_USER },
    scopes: [...SANDBOX_SCOPES],
    async close() {
      // The provider holds no sockets or timers (the listener is the caller's); after close it answers 503.
      closed = true;
    },
  };
}

/** An issuer identifier the provider takes as it is: http(s), a host, no path, query or fragment. */
function checkOrigin(name: string, value: string): string {
  if (!URL.canParse(value)) throw new UsageError(`${name} "${value}" is not a URL`, 'ERR_USAGE');
  const url = new URL(value);
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== value)
    throw new UsageError(`${name} "${value}" must be an origin such as http://127.0.0.1:7301`, 'ERR_USAGE');
  return value;
}

function html(ctx: Ctx, body: string): void {
  ctx.set(pageHeaders());
  ctx.type = 'html';
  ctx.body = body;
}

function clientOf(client: { clientId: string; clientName?: string } | undefined): PageClient {
  return { id: client?.clientId ?? '', name: client?.clientName };
}

/**
 * The device flow's code entry page (also after a wrong code, with the error). The form is the sandbox's own: the
 * provider's has an inline onfocus handler, which the page's CSP would refuse (and report). Its anti-CSRF token
 * is the device session's secret, which the provider checks on the POST (lib/shared/xsrf.js).
 */
async function userCodeInputSource(
  ctx: Ctx,
  _form: string,
  _out: unknown,
  err?: { name?: string; userCode?: string },
): Promise<void> {
  const xsrf = ctx.oidc.session?.state?.secret;
  if (typeof xsrf !== 'string') throw new Error('oidc-provider: no xsrf secret in the device session');
  let message: DeviceInputMessage = 'enter';
  if (err) {
    message =
      err.userCode || err.name === 'NoCodeError'
        ? 'wrong-code'
        : err.name === 'AbortedError'
          ? 'aborted'
          : 'failed';
  }
  // The provider re-renders a wrong code with 200; like a wrong password, it is the request that was wrong.
  if (message === 'wrong-code') ctx.status = 400;
  html(
    ctx,
    deviceInputPage({ action: ctx.oidc.urlFor('code_verification'), xsrf, userCode: err?.userCode, message }),
  );
}

async function userCodeConfirmSource(
  ctx: Ctx,
  form: string,
  client: { clientId: string; clientName?: string },
  _deviceInfo: unknown,
  userCode: string,
): Promise<void> {
  html(ctx, deviceConfirmPage({ form, formId: 'op.deviceConfirmForm', client: clientOf(client), userCode }));
}

async function successSource(ctx: Ctx): Promise<void> {
  html(ctx, deviceSuccessPage(clientOf(ctx.oidc.client)));
}

async function renderError(ctx: Ctx, out: { error?: string; error_description?: string }): Promise<void> {
  html(
    ctx,
    errorPage({
      title: 'The sign-in did not work',
      ...(out.error ? { error: out.error } : {}),
      ...(out.error_description ? { description: out.error_description } : {}),
    }),
  );
}
