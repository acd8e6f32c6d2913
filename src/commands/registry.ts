import type { GroupEntry } from './group.js';

/**
 * The one registry of command groups: name, the summary `apikit --help` shows, and a lazy loader. program.ts
 * reads it; a group's index.ts takes its summary from here. Only the group named on the command line is
 * imported, so `apikit --help` and `apikit keys ...` never load jose, undici or conf unless they need them.
 */
export const GROUPS: readonly GroupEntry[] = [
  {
    name: 'demo',
    summary: 'a narrated tour of every command against a local sandbox, in under a minute (a self-test too)',
    load: () => import('./demo/index.js'),
  },
  {
    name: 'keys',
    summary: 'generate, inspect, convert and rotate signing keys (PEM, JWK, JWKS)',
    load: () => import('./keys/index.js'),
  },
  {
    name: 'jwt',
    summary: 'mint, decode and verify JSON Web Tokens (RFC 7519, RFC 8725)',
    load: () => import('./jwt/index.js'),
  },
  {
    name: 'login',
    summary: 'sign in with OAuth 2.0 Authorization Code + PKCE (or the device flow)',
    load: () => import('./login/index.js'),
  },
  {
    name: 'token',
    summary: "print a profile's access token (refreshed when needed), or fetch a client-credentials token",
    load: () => import('./token/index.js'),
  },
  {
    name: 'logout',
    summary: 'revoke and forget the tokens of a profile',
    load: () => import('./logout/index.js'),
  },
  {
    name: 'doctor',
    summary: 'check that an authorization server is ready for apikit login (PKCE, redirects, keys, clock)',
    load: () => import('./doctor/index.js'),
  },
  {
    name: 'probe',
    summary: 'measure an endpoint from outside: its rate limits, its CORS, its live and retired API versions',
    load: () => import('./probe/index.js'),
  },
  {
    name: 'audit',
    summary: "grade an API's security headers and transport (A+ to F), beside the Mozilla Observatory score",
    load: () => import('./audit/index.js'),
  },
  {
    name: 'request',
    summary: 'make an authenticated HTTP request (a profile, a bearer token, an API key or Basic auth)',
    load: () => import('./request/index.js'),
  },
  {
    name: 'apikey',
    summary: 'generate, hash and check API keys (random, checksummed, stored as a SHA-256 hash)',
    load: () => import('./apikey/index.js'),
  },
  {
    name: 'sandbox',
    summary: 'run a local OpenID provider and a reference API to try every command against',
    load: () => import('./sandbox/index.js'),
  },
  {
    name: 'profiles',
    summary: 'list, show and remove login profiles',
    load: () => import('./profiles/index.js'),
  },
  {
    name: 'completion',
    summary: 'print a shell completion script: apikit completion {bash | zsh | fish}',
    // Handed this list: the script is generated from every group (a static import back would be a cycle).
    load: async () => (await import('./completion/index.js')).completionGroup(GROUPS),
  },
];
