/**
 * Origins as the candidate generator needs them: split into scheme, host and port, and told apart by what kind of
 * host they name (an IP literal, a single label like `localhost`, a registrable domain). Pure string work over the
 * WHATWG URL parser (https://url.spec.whatwg.org/#concept-url-origin), which every browser's origin comes from.
 */

export interface ParsedOrigin {
  /** `https:` without the colon: `https`. */
  scheme: string;
  /** As the URL parser serialises it: lower-case, punycode, IPv6 in brackets. */
  host: string;
  /** The explicit port, or null for the scheme's default. */
  port: number | null;
  /** The serialised origin: `https://app.example.com:8443`. */
  origin: string;
  kind: 'ipv4' | 'ipv6' | 'single-label' | 'domain';
}

/** The origin of a URL or origin string; null for `null`, an opaque origin, or something that is not a URL. */
export function parseOrigin(value: string): ParsedOrigin | null {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  if (url.origin === 'null' || url.hostname === '') return null;
  const host = url.hostname;
  const kind = host.startsWith('[')
    ? 'ipv6'
    : /^\d+\.\d+\.\d+\.\d+$/.test(host)
      ? 'ipv4'
      : host.includes('.')
        ? 'domain'
        : 'single-label';
  return {
    scheme: url.protocol.slice(0, -1),
    host,
    port: url.port === '' ? null : Number(url.port),
    origin: url.origin,
    kind,
  };
}

/** `scheme://host[:port]` — no validation: look-alike hosts are built on purpose. */
export function formatOrigin(scheme: string, host: string, port: number | null): string {
  return `${scheme}://${host}${port === null ? '' : `:${port}`}`;
}

/**
 * Suffixes under which anyone can get a name, so that `evil.<suffix>` is attacker-controlled (a small excerpt of
 * the Public Suffix List, https://publicsuffix.org/list/: the two-level ccTLD forms and the developer-hosting
 * platforms people put in CORS allow-lists).
 */
const MULTI_LABEL_SUFFIXES: readonly string[] = [
  'co.uk',
  'org.uk',
  'ac.uk',
  'gov.uk',
  'com.au',
  'net.au',
  'org.au',
  'co.jp',
  'co.nz',
  'co.in',
  'co.za',
  'com.br',
  'com.cn',
  'com.mx',
  'com.tr',
  'github.io',
  'gitlab.io',
  'vercel.app',
  'netlify.app',
  'pages.dev',
  'workers.dev',
  'herokuapp.com',
  'web.app',
  'firebaseapp.com',
  'onrender.com',
  'fly.dev',
  'azurewebsites.net',
  'cloudfront.net',
  'ngrok.io',
  'ngrok-free.app',
];

/** The public suffix of a domain host (`com`, `co.uk`, `github.io`), by the excerpt above. */
export function publicSuffix(host: string): string {
  const labels = host.split('.');
  for (const suffix of MULTI_LABEL_SUFFIXES) {
    if (host.endsWith(`.${suffix}`) || host === suffix) return suffix;
  }
  return labels[labels.length - 1] ?? host;
}

/**
 * The registrable domain ("eTLD+1", https://url.spec.whatwg.org/#host-registrable-domain): `example.com` for
 * `app.example.com`; the host itself when it is only a public suffix plus nothing, an IP or a single label.
 */
export function registrableDomain(host: string): string {
  const suffix = publicSuffix(host);
  if (host === suffix) return host;
  const rest = host.slice(0, host.length - suffix.length - 1);
  const label = rest.split('.').pop() ?? rest;
  return `${label}.${suffix}`;
}

/** Hosts only reachable from inside a network: loopback, RFC 1918/6598 ranges, link-local, single labels, .local. */
export function isPrivateHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h.startsWith('[')) {
    return h === '[::1]' || /^\[(fc|fd|fe8|fe9|fea|feb)/.test(h) || h.startsWith('[::ffff:127.');
  }
  const ip = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(h);
  if (ip) {
    const [a, b] = [Number(ip[1]), Number(ip[2])];
    return (
      a === 127 ||
      a === 10 ||
      a === 0 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (!h.includes('.')) return true;
  return /\.(local|internal|intranet|lan|home\.arpa|corp)$/.test(h);
}
