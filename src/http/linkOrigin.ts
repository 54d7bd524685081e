import { BlockList, isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayConfig } from '../config.js';

/** What linkOrigin reads of a request. */
export interface LinkRequest {
  readonly headers: IncomingHttpHeaders;
  readonly socket: { readonly remoteAddress?: string | undefined };
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The origin absolute links (file links) start with, decided per request:
 * - PUBLIC_BASE_URL when configured (required in production);
 * - else `X-Forwarded-Proto://X-Forwarded-Host` when the connection comes from an address in
 *   TRUSTED_PROXIES and the forwarded host is a plain host name;
 * - else '' and links are relative (`/files/…`), resolved by the client against the URL it called.
 * The request's own `Host` header is never used: anyone can send `Host: evil.example`.
 */
export function linkOrigin(config: Pick<GatewayConfig, 'publicBaseUrl' | 'trustedProxies'>): (request: LinkRequest) => string {
  const configured = config.publicBaseUrl;
  if (configured !== null) return () => configured;
  if (config.trustedProxies.length === 0) return () => '';
  const trusted = new BlockList();
  for (const entry of config.trustedProxies) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) trusted.addAddress(address, family);
    else trusted.addSubnet(address, Number(prefix), family);
  }
  return (request) => {
    const remote = plainAddress(request.socket.remoteAddress);
    if (remote === null || !trusted.check(remote, isIP(remote) === 6 ? 'ipv6' : 'ipv4')) return '';
    const host = firstValue(request.headers['x-forwarded-host']);
    if (host === null || !HOST.test(host)) return '';
    const proto = firstValue(request.headers['x-forwarded-proto']);
    return `${proto === 'http' ? 'http' : 'https'}://${host}`;
  };
}

/** An IPv4 peer seen through a dual-stack socket (`::ffff:10.0.0.1`) as its IPv4 address. */
function plainAddress(address: string | undefined): string | null {
  if (!address) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/** The first of a comma-separated header: what the proxy nearest the client set. */
function firstValue(value: string | string[] | undefined): string | null {
  const text = Array.isArray(value) ? value[0] : value;
  const first = text?.split(',')[0]?.trim();
  return first ? first : null;
}
