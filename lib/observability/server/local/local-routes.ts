import 'server-only'
import { getConfig } from '../../shared/get-config.js'
import { groupTimeline } from './local-timeline.js'
import { isSameOrigin, localNotFound as notFound, refuseRemote } from './local-access.js'
import { localSentry } from './local-ingest.js'
import { getLocalStore } from './local-store.js'
import { viewerPage } from './viewer-page.js'

/**
 * The route handlers of local mode (docs/decisions/008-local-mode.md). Each answers 404 outside
 * local mode, so a production deployment exposes nothing of it, and 404 to clients on other
 * machines unless `OBSERVABILITY_LOCAL_ALLOW_REMOTE` is on (`local-access.ts`).
 */

/** The newest events the feed lists by default; the page asks for no more. */
const FEED_LIMIT = 1_000

const HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }

/**
 * `POST /_ox/s/api/<project>/envelope/`: where the Sentry server SDK sends, its local DSN being
 * `http://local@127.0.0.1:<port>/_ox/s/1`.
 *
 * @example
 * // app/%5Fox/s/[...path]/route.ts
 * export { POST } from 'nextjs-observability-kit/routes/local-sentry'
 */
export async function localSentryIngest(request: Request): Promise<Response> {
  if (!getConfig().local) return notFound()
  return localSentry(request, 'server')
}

/**
 * `GET /_ox/local/events`: the timeline as JSON, summaries only (an event's data is fetched when
 * it is expanded). `?v=<version>` answers `{ unchanged: true }` when nothing arrived since, so
 * the page can poll every second for almost nothing.
 *
 * @example
 * // app/%5Fox/local/events/route.ts
 * export { GET } from 'nextjs-observability-kit/routes/local-events'
 */
export async function localEvents(request: Request): Promise<Response> {
  if (!getConfig().local) return notFound()
  const refused = refuseRemote(request)
  if (refused) return refused
  // Only the page itself reads the feed: another origin cannot even include it as a script.
  if (!isSameOrigin(request)) return crossOrigin()
  const store = getLocalStore()
  const query = new URL(request.url).searchParams
  const limit = Math.min(Math.max(Number(query.get('limit')) || FEED_LIMIT, 1), store.settings.maxEvents)
  const entries = await store.list(limit)
  const version = `${entries.length}.${entries[0]?.summary.id ?? ''}.${entries.at(-1)?.summary.id ?? ''}.${store.skipped()}`
  if (query.get('v') === version) return Response.json({ version, unchanged: true }, { headers: HEADERS })
  const events = entries.map((e) => e.summary)
  return Response.json(
    {
      version,
      store: { dir: store.dir, maxEvents: store.settings.maxEvents, maxBytes: store.settings.maxBytes, skipped: store.skipped() },
      events,
      groups: groupTimeline(events),
    },
    { headers: HEADERS },
  )
}

/**
 * `GET /_ox/local/events/<id>`: one stored event with its decoded data, as stored.
 *
 * @example
 * // app/%5Fox/local/events/[id]/route.ts
 * export { GET } from 'nextjs-observability-kit/routes/local-event'
 */
export async function localEvent(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  if (!getConfig().local) return notFound()
  const refused = refuseRemote(request)
  if (refused) return refused
  if (!isSameOrigin(request)) return crossOrigin()
  const { id } = await context.params
  if (!/^[0-9a-f-]{36}$/.test(id)) return notFound()
  const line = await getLocalStore().find(id)
  if (!line) return notFound()
  return new Response(line, { headers: { ...HEADERS, 'content-type': 'application/json' } })
}

/**
 * `GET /observability`: the timeline page. A self-contained HTML document from a route handler,
 * not a React page, so nothing of it is ever part of the app's client bundle.
 *
 * @example
 * // app/observability/route.ts
 * export { GET } from 'nextjs-observability-kit/routes/observability'
 */
export function localViewer(request: Request): Response {
  if (!getConfig().local) return notFound()
  const refused = refuseRemote(request)
  if (refused) return refused
  const nonce = crypto.randomUUID().replace(/-/g, '')
  return new Response(viewerPage(nonce), {
    headers: {
      ...HEADERS,
      'content-type': 'text/html; charset=utf-8',
      // Event data is user-controlled: even if something slipped through, no other script runs.
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      'referrer-policy': 'no-referrer',
    },
  })
}

/**
 * `OPTIONS` on local mode's own routes: 404. None of them takes a request from another origin,
 * so a CORS preflight has nothing to learn, not even that the route exists (Next would otherwise
 * answer 204 with the route's methods, to anyone, in any mode).
 *
 * @example
 * // app/observability/route.ts
 * export { OPTIONS } from 'nextjs-observability-kit/routes/observability'
 */
export function localPreflight(): Response {
  return notFound()
}

function crossOrigin(): Response {
  return Response.json({ error: 'local mode’s events are for this app’s own pages' }, { status: 403, headers: HEADERS })
}
