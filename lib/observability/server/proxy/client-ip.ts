import { isIP } from 'node:net'

/**
 * The browser's address as the app's own trusted proxies report it, or undefined when the kit
 * cannot know it. A route handler never sees the socket: Next 16 hands it headers only, and
 * `next start` fills `X-Forwarded-For` with the socket address only when the request carries
 * none, so by itself the header says whatever the client wrote.
 *
 * With `hops` proxies in front of the app, each appending the address it saw, the client is the
 * `hops`-th entry from the right: everything left of it was written by someone we do not trust.
 * A chain shorter than `hops` did not come through those proxies and gives nothing. 0 trusts
 * nothing. Only a plain IPv4 or IPv6 address is returned.
 *
 * @example
 * clientIp(new Headers({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7' }), 1) // '203.0.113.7'
 * clientIp(new Headers({ 'x-forwarded-for': '203.0.113.7' }), 0)          // undefined
 */
export function clientIp(headers: Headers, hops: number): string | undefined {
  if (!Number.isInteger(hops) || hops < 1) return undefined
  // Headers joins repeated X-Forwarded-For lines with ", ", which keeps their order.
  const chain = (headers.get('x-forwarded-for') ?? '').split(',').map((entry) => entry.trim())
  if (chain.length === 1 && chain[0] === '') return undefined
  const entry = chain[chain.length - hops]
  return entry !== undefined && isIP(entry) !== 0 ? entry : undefined
}
