import type { AttackerControl, Candidate, CandidateClass } from './types.js';
import { CANDIDATE_CLASSES } from './types.js';
import { formatOrigin, parseOrigin, publicSuffix, registrableDomain, type ParsedOrigin } from './origin.js';

/**
 * The Origin values worth sending, from the trusted origins: each one names the allow-list mistake it would get
 * through (the classes in types.ts, the ones PortSwigger's "Exploiting CORS misconfigurations" and the Corsy /
 * CORScanner payload lists cover, plus the http twin, other ports and developer-hosting names). Deterministic:
 * the trusted origins first, in the order given, then class by class in CANDIDATE_CLASSES order, each class
 * trusted origin by trusted origin; an origin appears once, under the first class that produced it.
 */
export function generateCandidates(trusted: readonly string[]): Candidate[] {
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const add = (c: Candidate): void => {
    if (seen.has(c.origin)) return;
    seen.add(c.origin);
    out.push(c);
  };
  const parsed = trusted.map((t) => ({ raw: t.trim(), origin: parseOrigin(t) }));
  for (const t of parsed) {
    if (t.raw === '') continue;
    add({
      origin: t.origin?.origin ?? t.raw,
      class: 'trusted',
      attacker: 'none',
      note: 'a trusted origin: the baseline the server should allow',
    });
  }
  for (const cls of CANDIDATE_CLASSES) {
    if (cls === 'trusted') continue;
    const global = GLOBAL[cls];
    if (global) {
      for (const c of global) add(c);
      continue;
    }
    for (const t of parsed) {
      if (t.origin) for (const c of derive(cls, t.origin)) add(c);
    }
  }
  return out;
}

/** The attacker-side suffix every look-alike ends in: a name anyone can register. */
export const ATTACKER_DOMAIN = 'evil.example';

/**
 * Characters placed between the trusted host and the attacker's suffix (`app.example.com_.evil.example`): a
 * check like `/^https:\/\/app\.example\.com/` passes them, and browsers accept some in hosts (`_` everywhere;
 * Safari more of them). `%0b` and `%60` are sent as written: servers that percent-decode before matching
 * see a vertical tab or a backtick.
 */
export const SPECIAL_CHARS: readonly string[] = [
  '_',
  '-',
  '`',
  '!',
  '$',
  '&',
  "'",
  '(',
  '*',
  '+',
  ',',
  ';',
  '=',
  '%0b',
  '%60',
];

/** Public developer-hosting platforms: anyone can get a name there, so trusting `*.<platform>` trusts everyone. */
export const DEV_HOSTING_SUFFIXES: readonly string[] = [
  'github.io',
  'vercel.app',
  'netlify.app',
  'pages.dev',
];

const GLOBAL: Partial<Record<CandidateClass, Candidate[]>> = {
  arbitrary: [
    {
      origin: `https://${ATTACKER_DOMAIN}`,
      class: 'arbitrary',
      attacker: 'any-site',
      note: 'an unrelated site: passes only if the server reflects any Origin',
    },
  ],
  null: [
    {
      origin: 'null',
      class: 'null',
      attacker: 'sandboxed-page',
      note: 'Origin: null, which any page can send from a sandboxed iframe',
    },
  ],
  'dev-hosting': DEV_HOSTING_SUFFIXES.map((suffix) => ({
    origin: `https://evil.${suffix}`,
    class: 'dev-hosting' as const,
    attacker: 'any-site' as const,
    note: `a free ${suffix} name: passes if the server trusts every *.${suffix} site`,
  })),
};

function derive(cls: CandidateClass, t: ParsedOrigin): Candidate[] {
  const at = (host: string, port: number | null = t.port, scheme = t.scheme) =>
    formatOrigin(scheme, host, port);
  const named = t.kind === 'domain' || t.kind === 'single-label';
  const hostNamed = named || t.kind === 'ipv4';
  switch (cls) {
    case 'prefix':
      if (!hostNamed) return [];
      return [
        {
          origin: at(`${t.host}.${ATTACKER_DOMAIN}`),
          class: cls,
          attacker: 'any-site',
          note: `${t.host} as a subdomain of an attacker's domain: passes a startsWith check`,
        },
      ];
    case 'suffix':
      return named ? suffixLookAlikes(t, at) : [];
    case 'unescaped-dot':
      return t.kind === 'domain' ? unescapedDots(t, at) : [];
    case 'special-char':
      if (!hostNamed) return [];
      return SPECIAL_CHARS.map((ch) => {
        const origin = at(`${t.host}${ch}.${ATTACKER_DOMAIN}`);
        const browser = isBrowserOrigin(origin);
        return {
          origin,
          class: cls,
          attacker: browser ? ('any-site' as const) : ('not-a-browser-origin' as const),
          note: browser
            ? `"${ch}" after ${t.host}, then an attacker's domain: passes a prefix match that stops at the host${
                ch === '*' ? ' (Chromium percent-encodes * in hosts; other engines may send it)' : ''
              }`
            : `"${ch}" after ${t.host}: the URL parser decodes or rejects it, so only a server that decodes it matches`,
        };
      });
    case 'insecure-twin':
      if (t.scheme !== 'https') return [];
      return [
        {
          origin: at(t.host, t.port, 'http'),
          class: cls,
          attacker: 'network',
          note: `the plain-http twin of ${t.origin}: anyone on the victim's network can inject a page there`,
        },
      ];
    case 'subdomain':
      if (!named) return [];
      return [
        {
          origin: at(`evil.${t.host}`),
          class: cls,
          attacker: 'sibling-name',
          note: `a subdomain of ${t.host}: passes if every subdomain is trusted (a takeover or another team's host)`,
        },
      ];
    case 'case-variant': {
      const upper = t.origin.toUpperCase();
      if (upper === t.origin) return [];
      return [
        {
          origin: upper,
          class: cls,
          attacker: 'not-a-browser-origin',
          note: 'the trusted origin in upper case: browsers always send it lower-case',
        },
      ];
    }
    case 'trailing-slash':
      return [
        {
          origin: `${t.origin}/`,
          class: cls,
          attacker: 'not-a-browser-origin',
          note: 'the trusted origin with a trailing slash: not an origin, no browser sends it',
        },
      ];
    case 'other-port':
      return otherPorts(t).map((port) => ({
        origin: at(t.host, port),
        class: cls,
        attacker: 'sibling-name' as const,
        note: `${t.host} on ${port === null ? 'its default port' : `port ${port}`}: another service on the trusted host`,
      }));
    default:
      return [];
  }
}

type At = (host: string, port?: number | null, scheme?: string) => string;

/**
 * `endsWith` checks: the registrable domain with a prefix glued on (`evilexample.com`, which anyone can register)
 * and the host with a prefix glued on (`notapp.example.com`, a sibling name under the trusted domain).
 */
function suffixLookAlikes(t: ParsedOrigin, at: At): Candidate[] {
  const out: Candidate[] = [];
  if (t.kind === 'domain') {
    const reg = registrableDomain(t.host);
    const host = `evil${reg}`;
    out.push({
      origin: at(host),
      class: 'suffix',
      attacker: lookAlikeControl(host, t),
      note: `"evil" glued to ${reg}: passes an endsWith("${reg}") check`,
    });
  }
  const host = `not${t.host}`;
  out.push({
    origin: at(host),
    class: 'suffix',
    attacker: lookAlikeControl(host, t),
    note: `"not" glued to ${t.host}: passes an endsWith("${t.host}") check`,
  });
  return out;
}

/** A regex written `app.example.com` matches `appxexample.com`: each dot replaced by a letter, one at a time. */
function unescapedDots(t: ParsedOrigin, at: At): Candidate[] {
  const out: Candidate[] = [];
  for (let i = t.host.indexOf('.'); i !== -1; i = t.host.indexOf('.', i + 1)) {
    const host = `${t.host.slice(0, i)}x${t.host.slice(i + 1)}`;
    out.push({
      origin: at(host),
      class: 'unescaped-dot',
      attacker: lookAlikeControl(host, t),
      note: `a dot of ${t.host} replaced by "x": passes a regex with an unescaped "."`,
    });
  }
  return out;
}

/**
 * Whether a page can have exactly this origin: the WHATWG URL parser (which browsers follow for hosts) keeps it
 * as written. `%0b` decodes to a control character and fails; `%60` decodes to a backtick, so its Origin would
 * be the decoded form.
 */
function isBrowserOrigin(origin: string): boolean {
  try {
    return new URL(origin).origin === origin;
  } catch {
    return false;
  }
}

function otherPorts(t: ParsedOrigin): (number | null)[] {
  if (t.port === null) return [t.scheme === 'https' ? 8443 : 8080];
  return [t.port === 65535 ? t.port - 1 : t.port + 1, null];
}

/**
 * Who can get a look-alike host: a name under the trusted registrable domain belongs to its owner (a sibling
 * name); a new name under the same public suffix can be registered by anyone; a name under no public suffix
 * (`app.examplexcom`, look-alikes of IPs and single labels) only resolves for someone who controls the victim's
 * network or DNS.
 */
function lookAlikeControl(host: string, t: ParsedOrigin): AttackerControl {
  if (t.kind !== 'domain') return 'network';
  if (registrableDomain(host) === registrableDomain(t.host)) return 'sibling-name';
  // Same top-level label and not itself a public suffix: registrable by anyone (`appxexample.com`,
  // `examplexco.uk` — .uk takes direct registrations). A new top-level label (`app.examplexcom`) exists nowhere.
  const tld = (h: string) => h.slice(h.lastIndexOf('.') + 1);
  if (host.includes('.') && tld(host) === tld(t.host) && host !== publicSuffix(host)) return 'any-site';
  return 'network';
}
