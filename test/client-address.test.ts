import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress } from '../src/http/client-address';
import { parseConfig } from '../src/config';

const request = (peer: string, forwarded?: string) => ({ socket: { remoteAddress: peer }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as IncomingMessage;

describe('clientAddress (TRUST_PROXY)', () => {
  it('without trusted proxies the peer is the client, whatever X-Forwarded-For says', () => {
    expect(clientAddress(request('203.0.113.7', '198.51.100.1'), [])).toBe('203.0.113.7');
  });

  it('behind a trusted proxy, the rightmost address that is not a trusted proxy', () => {
    expect(clientAddress(request('10.0.0.2', '198.51.100.1'), ['10.0.0.2'])).toBe('198.51.100.1');
    // The client wrote a fake first hop; the proxy appended the real one.
    expect(clientAddress(request('10.0.0.2', '1.2.3.4, 198.51.100.1'), ['10.0.0.2'])).toBe('198.51.100.1');
    expect(clientAddress(request('127.0.0.1', '198.51.100.9, 10.0.0.2'), ['loopback', '10.0.0.2'])).toBe('198.51.100.9');
    expect(clientAddress(request('::ffff:10.0.0.2', '198.51.100.1'), ['10.0.0.2'])).toBe('198.51.100.1');
  });

  it('a proxy that is not trusted cannot pick the address; garbage in the header is passed over', () => {
    expect(clientAddress(request('10.0.0.3', '198.51.100.1'), ['10.0.0.2'])).toBe('10.0.0.3');
    expect(clientAddress(request('10.0.0.2', 'not-an-ip'), ['10.0.0.2'])).toBe('10.0.0.2');
  });

  it('a TRUST_PROXY that is not addresses stops start-up with a Danish/English message', () => {
    expect(() => parseConfig({ TRUST_PROXY: 'proxy.local' })).toThrow(/TRUST_PROXY.*IP-adresser.*IP addresses/);
    expect(parseConfig({ TRUST_PROXY: 'loopback, 10.0.0.2' }).TRUST_PROXY).toEqual(['loopback', '10.0.0.2']);
  });
});
