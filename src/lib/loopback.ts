/**
 * Loopback by name or address: `localhost` and `*.localhost` (RFC 6761 §6.3), 127.0.0.0/8, ::1 and the
 * IPv4-mapped form of 127/8. Anything else over plain http crosses a network in clear text.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (/^127(?:\.\d{1,3}){3}$/.test(host)) return true;
  if (host === '::1') return true;
  // new URL() writes ::ffff:127.0.0.1 as ::ffff:7f00:1.
  return /^::ffff:(?:127(?:\.\d{1,3}){3}|7f[0-9a-f]{2}:[0-9a-f]{1,4})$/.test(host);
}
