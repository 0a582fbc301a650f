import 'server-only'
import { randomBytes } from 'node:crypto'
import { subscribe } from 'node:diagnostics_channel'
import type { IncomingMessage } from 'node:http'
import { processSingleton } from '../process-singleton.js'

/**
 * The address of the machine a request came from, for local mode's loopback-only routes.
 *
 * A route handler gets a Web `Request`, not the socket, and Next's `x-forwarded-for` cannot be
 * trusted for this: Next fills it in from the socket only when the client did not send one, so
 * `X-Forwarded-For: 127.0.0.1` from anywhere reads as loopback. Node publishes every request of
 * its HTTP servers on the `http.server.request.start` diagnostics channel before any handler runs;
 * there the kit writes the socket's address into a header of its own, over whatever the client
 * sent under that name. The value carries a random token of this process, so a request that
 * arrived before the subscription (nothing was written over its copy) is not believed either.
 * The address is read from the socket when Next copies the headers, after Next has restored the
 * real peer of a connection that came through its own front proxy.
 */

const HEADER = 'x-observability-client-address'

/** How long after the watcher started a request it did not see may simply predate it. */
const STARTUP_MS = 120_000

interface Watcher {
  token: string
  since: number
}

/**
 * Starts writing the client address into every request of this process's HTTP servers, once per
 * process. Called from `registerNode()` when local mode is on, so it runs before the first request
 * is handled, and again by each local-mode route in case the app's instrumentation did not.
 *
 * @example
 * if (getConfig().local) watchClientAddresses()
 */
export function watchClientAddresses(): void {
  watcher()
}

function watcher(): Watcher {
  return processSingleton('localClientAddressWatcher', () => {
    const token = randomBytes(16).toString('hex')
    subscribe('http.server.request.start', (message) => stamp((message as { request: IncomingMessage }).request, token))
    return { token, since: Date.now() }
  })
}

/**
 * True in the first two minutes after the watcher started, when a request it did not see may
 * have arrived before it (it waited for `next dev` to compile). Such a request is asked to come
 * again (it will be seen then) rather than told the route does not exist.
 */
export function watcherJustStarted(): boolean {
  return Date.now() - watcher().since < STARTUP_MS
}

/**
 * The client's IP address as the socket saw it (`127.0.0.1`, `::1`, `::ffff:192.0.2.7`), or
 * undefined when the request was not seen by {@link watchClientAddresses}.
 *
 * @example
 * isLoopback(clientAddress(request))
 */
export function clientAddress(request: Request): string | undefined {
  const { token } = watcher()
  const value = request.headers.get(HEADER)
  if (!value?.startsWith(`${token} `)) return undefined
  return value.slice(token.length + 1) || undefined
}

/** @internal Tests call route functions directly: the header a request from `address` would carry. */
export function clientAddressHeader(address: string): [string, string] {
  return [HEADER, `${watcher().token} ${address}`]
}

function stamp(request: IncomingMessage, token: string): void {
  const headers = request.headers
  for (let i = request.rawHeaders.length - 2; i >= 0; i -= 2) {
    if (request.rawHeaders[i]?.toLowerCase() === HEADER) request.rawHeaders.splice(i, 2)
  }
  Object.defineProperty(headers, HEADER, {
    enumerable: true,
    configurable: true,
    get: () => `${token} ${request.socket?.remoteAddress ?? ''}`,
    // Middleware that rewrites the request headers writes back the value it read.
    set: (value: unknown) => Object.defineProperty(headers, HEADER, { value, enumerable: true, configurable: true, writable: true }),
  })
}
