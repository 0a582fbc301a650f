/**
 * Paths the kit owns. The prefix is deliberately bland: ad blockers match `/ingest`, `/posthog`,
 * `/sentry`, `/analytics` and `/telemetry`, and would then drop first-party traffic too.
 */
export const KIT_PREFIX = '/_ox'

/** PostHog reverse proxy (docs/configuration.md): `/_ox/p/e/`, `/_ox/p/flags/`, `/_ox/p/static/…`. */
export const POSTHOG_PROXY_PATH = `${KIT_PREFIX}/p`

/** Sentry tunnel (docs/configuration.md "Same-origin routes"). */
export const SENTRY_TUNNEL_PATH = `${KIT_PREFIX}/s`

/** Local mode's timeline page (docs/configuration.md); its JSON feed lives under `/_ox/local/`. */
export const LOCAL_VIEWER_PATH = '/observability'

/** Health checks and the kit's own routes (local mode's page included) produce no events. */
export function isUntrackedPath(pathname: string): boolean {
  return (
    pathname === KIT_PREFIX ||
    pathname.startsWith(`${KIT_PREFIX}/`) ||
    pathname === LOCAL_VIEWER_PATH ||
    pathname.startsWith(`${LOCAL_VIEWER_PATH}/`) ||
    pathname === '/api/health' ||
    pathname.startsWith('/api/health/')
  )
}

/** `/debug/*` and `/api/debug/*`: the demo's debug routes (README, "The demo"). */
export function isDebugPath(pathname: string): boolean {
  return /^\/(api\/)?debug(\/|$)/.test(pathname)
}
