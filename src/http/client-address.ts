import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

const LOOPBACK = /^(?:127(?:\.\d{1,3}){3}|::1|::ffff:127(?:\.\d{1,3}){3})$/;

function trusted(address: string, proxies: readonly string[]): boolean {
  return proxies.some((proxy) => (proxy === 'loopback' ? LOOPBACK.test(address) : proxy === address || proxy === address.replace(/^::ffff:/, '')));
}

/**
 * The client's address, for rate limits. Behind a proxy listed in TRUST_PROXY the socket's peer
 * is the proxy, so the address is read from X-Forwarded-For: the rightmost entry that is not a
 * trusted proxy (entries to its left are the client's own claims and could be forged).
 * Anyone else's X-Forwarded-For is ignored.
 */
export function clientAddress(req: IncomingMessage, proxies: readonly string[]): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (proxies.length === 0 || !trusted(peer, proxies)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => isIP(hop) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) if (!trusted(hops[i]!, proxies)) return hops[i]!;
  return hops[0] ?? peer;
}
