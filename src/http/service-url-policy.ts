const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * True when the bot may send replies to `serviceUrl` for a request it could not authenticate:
 * the address starts with an entry of the allow-list, or is on this machine and the list says
 * "loopback". Without this, anyone could make the bot POST to an address of their choosing,
 * internal ones too (SSRF), because the reply goes to the serviceUrl the request names.
 */
export function serviceUrlAllowed(serviceUrl: string, allowList: readonly string[]): boolean {
  if (!URL.canParse(serviceUrl)) return false;
  const url = new URL(serviceUrl);
  if (url.username || url.password) return false;
  const written = `${url.origin}${url.pathname}`;
  return allowList.some((entry) => {
    if (entry === 'loopback') return isLoopback(url.hostname);
    if (!URL.canParse(entry)) return false;
    const allowed = new URL(entry);
    return url.origin === allowed.origin && written.startsWith(`${allowed.origin}${allowed.pathname}`);
  });
}
