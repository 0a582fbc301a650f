/**
 * The PostHog paths the same-origin proxy forwards: what the SDKs themselves request, nothing
 * else. A self-hosted PostHog serves its whole app (login, sign-up, the `/api/projects/` REST API)
 * on the same host as ingestion; none of that may appear on the app's origin.
 *
 * Derived from the pinned SDKs' own code (re-read it when upgrading them):
 * - posthog-js 1.449.2, `dist/module.js` and its lazy bundles: every URL goes through
 *   `requestRouter.endpointFor(target, path)`, which for a custom `api_host` such as ours is
 *   `api_host + path` for every target. Capture `/e/` (`analyticsDefaultEndpoint`, which remote
 *   config `analytics.endpoint` may turn into `/i/v0/e/`); replay `/s/` (`lazy-recorder.js`,
 *   remote config `sessionRecording.endpoint`); `/flags/?v=2`; remote config
 *   `/array/<token>/config` and `/array/<token>/config.js`; lazy bundles
 *   `/static/<name>.js?v=<version>` or `/static/<version>/<name>.js` (recorder, surveys,
 *   exception autocapture, web vitals, dead clicks, tracing headers, toolbar, product tours,
 *   conversations, logs…); logs `/i/v1/logs`; metrics `/i/v1/metrics`; `/api/surveys/`,
 *   `/api/early_access_features/`, `/api/product_tours/`, `/api/web_experiments/` (all
 *   `?token=`); the conversations widget under `/api/conversations/v1/widget/`. Heatmaps, web
 *   vitals, dead clicks and exceptions are events sent to the capture endpoint. No `/decide/`.
 * - posthog-node 5.74 (`dist/client.mjs`, `dist/ai-capture/routing.mjs`,
 *   `dist/capture-v1/sender.mjs`) and @posthog/core 1.69 (`posthog-core-stateless.mjs`):
 *   `/batch/`, `/flags/?v=…`, `/i/v0/ai/batch/`, `/i/v1/analytics/events`, `/i/v1/logs`,
 *   `/i/v1/metrics`, `/api/surveys/`.
 *
 * Left out on purpose: what needs a secret key or an `Authorization` header, which the proxy
 * never forwards (posthog-node's local evaluation `/flags/definitions`, `/api/projects/@current/…`
 * for remote-config payloads and emails, `/i/v1/traces`), and site apps (`opt_in_site_apps`,
 * off in the kit). The toolbar's own calls go to `ui_host`, not through here.
 *
 * Pure: no I/O, so the list is tested on its own.
 */

/** Content types an endpoint answers with (compared without parameters such as `charset`). */
export type ContentTypes = readonly string[]

/**
 * JSON, and plain text for errors: PostHog's capture service answers its errors as
 * `(status, message)` (rust/capture `api.rs`), which is `text/plain`.
 */
export const API_TYPES: ContentTypes = ['application/json', 'text/plain']
const SCRIPT_TYPES: ContentTypes = ['application/javascript', 'text/javascript', 'application/x-javascript']
const SOURCE_MAP_TYPES: ContentTypes = ['application/json']

export interface PostHogRoute {
  /** `assets`: PostHog Cloud serves these from its assets host (see `assetsHost`). */
  readonly host: 'api' | 'assets'
  /** What a response may be passed back as; anything else is not relayed. */
  readonly types: ContentTypes
}

const API: PostHogRoute = { host: 'api', types: API_TYPES }

/** Exact API paths; a trailing slash is optional, as PostHog accepts both. */
const API_PATHS = [
  '/e',
  '/i/v0/e',
  '/batch',
  '/s',
  '/flags',
  '/i/v0/ai/batch',
  '/i/v1/analytics/events',
  '/i/v1/logs',
  '/i/v1/metrics',
  '/api/surveys',
  '/api/early_access_features',
  '/api/product_tours',
  '/api/web_experiments',
  '/api/conversations/v1/widget/message',
  '/api/conversations/v1/widget/tickets',
  '/api/conversations/v1/widget/restore',
  '/api/conversations/v1/widget/restore/request',
]
const API_PATH_SET = new Set(API_PATHS)

const CONVERSATION_MESSAGES = /^\/api\/conversations\/v1\/widget\/messages\/[A-Za-z0-9_-]+(?:\/read)?\/?$/
const REMOTE_CONFIG = /^\/array\/([A-Za-z0-9_-]+)\/config(\.js)?$/
const STATIC_BUNDLE = /^\/static\/(?:\d+\.\d+\.\d+(?:-[A-Za-z0-9.]+)?\/)?[A-Za-z0-9_-][A-Za-z0-9._-]*\.js(\.map)?$/

/**
 * The route for `path` (`/e/`, `/static/lazy-recorder.js`…), or undefined when the SDKs never
 * request it. Remote config is served only for `token`, the project the app is configured with.
 *
 * @example
 * posthogRoute('/flags/', 'phc_x')                 // { host: 'api', types: [json, text] }
 * posthogRoute('/array/phc_x/config.js', 'phc_x')  // { host: 'assets', types: [javascript] }
 * posthogRoute('/api/projects/', 'phc_x')          // undefined
 */
export function posthogRoute(path: string, token: string): PostHogRoute | undefined {
  const bare = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
  if (API_PATH_SET.has(bare) || CONVERSATION_MESSAGES.test(path)) return API
  const config = REMOTE_CONFIG.exec(path)
  if (config) return config[1] === token ? { host: 'assets', types: config[2] ? SCRIPT_TYPES : API_TYPES } : undefined
  const bundle = STATIC_BUNDLE.exec(path)
  if (bundle) return { host: 'assets', types: bundle[1] ? SOURCE_MAP_TYPES : SCRIPT_TYPES }
  return undefined
}
