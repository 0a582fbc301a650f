import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { localEvent, localEvents, localPreflight, localSentryIngest, localViewer } from '@/lib/observability/server/local/local-routes'
import { posthogProxy, sentryTunnel } from '@/lib/observability/server/proxy'
import { clientAddressHeader } from '@/lib/observability/server/local/client-address'
import { LOCAL_POSTHOG_KEY } from '@/lib/observability/shared/config'
import { resetObservability } from 'nextjs-observability-kit/testing'
import { eventually } from './eventually'

/**
 * Local mode's route functions called directly with real `Request`s, as Next calls them, for unit
 * tests. The client address is what `watchClientAddresses` writes into a request from that
 * address; everything else (Host, Origin, Sec-Fetch-Site) is set per request like a browser or
 * an SDK would.
 */

/** Turns local mode on with its store in `dir` (call before the first request of the test file). */
export function useLocalMode(dir: string, extra: Record<string, string> = {}): void {
  for (const k of Object.keys(process.env)) if (/^(POSTHOG|SENTRY|OBSERVABILITY)_/.test(k)) delete process.env[k]
  Object.assign(process.env, { OBSERVABILITY_LOCAL: '1', OBSERVABILITY_LOCAL_DIR: dir, ...extra })
  resetObservability()
}

export interface From {
  /** The socket's address; `null` for a request the address watcher never saw. */
  address?: string | null
  host?: string
  headers?: Record<string, string>
}

/** What one request looks like when it arrives at `next dev` on port 3000 from `from`. */
export function request(path: string, init: RequestInit = {}, from: From = {}): Request {
  const { address = '127.0.0.1', host = 'localhost:3000', headers = {} } = from
  const all = new Headers(init.headers)
  all.set('host', host)
  for (const [k, v] of Object.entries(headers)) all.set(k, v)
  if (address !== null) all.set(...clientAddressHeader(address))
  // Next builds the URL from the address it listens on, not from the Host header.
  return new Request(new URL(path, 'http://localhost:3000'), { ...init, headers: all })
}

const params = <T>(value: T) => ({ params: Promise.resolve(value) })

/**
 * Every route of local mode, by name, as the package's route modules call them (those add only
 * Next's `connection()`, which needs a real request scope).
 */
export const routes = {
  posthog: (req: Request) =>
    posthogProxy(
      req,
      params({
        path: new URL(req.url).pathname
          .replace(/^\/_ox\/p\//, '')
          .split('/')
          .filter(Boolean),
      }),
    ),
  sentryTunnel: (req: Request) => sentryTunnel(req),
  sentryIngest: (req: Request) => localSentryIngest(req),
  events: (req: Request) => localEvents(req),
  event: (req: Request) => localEvent(req, params({ id: new URL(req.url).pathname.split('/').pop() ?? '' })),
  viewer: (req: Request) => Promise.resolve(localViewer(req)),
  preflight: () => Promise.resolve(localPreflight()),
}

/** A posthog-js batch of one event named `name`, as plain JSON. */
export function posthogBatch(name: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ api_key: LOCAL_POSTHOG_KEY, batch: [{ event: name, properties: { distinct_id: 'd-1', ...extra } }] })
}

/** A Sentry envelope carrying one error event whose message is `message`. */
export function sentryEnvelope(message: string, tunnel: boolean): string {
  const header = { event_id: 'a'.repeat(32), sent_at: new Date().toISOString(), ...(tunnel ? { dsn: 'http://local@127.0.0.1:3000/_ox/s/1' } : {}) }
  return `${JSON.stringify(header)}\n${JSON.stringify({ type: 'event' })}\n${JSON.stringify({ event_id: 'a'.repeat(32), message, level: 'error' })}\n`
}

/** Everything the store has written to disk, as one string. */
export function storedText(dir: string): string {
  if (!existsSync(dir)) return ''
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('')
}

/**
 * Waits until `marker` is on disk. The store writes in arrival order, so once a marker sent last
 * is there, anything sent before it that was going to be stored is there too.
 */
export async function waitForStored(dir: string, marker: string, timeoutMs = 5_000): Promise<void> {
  await eventually(
    () => storedText(dir),
    (text) => text.includes(marker),
    `${marker} in the store in ${dir}`,
    { timeoutMs, intervalMs: 20 },
  )
}
