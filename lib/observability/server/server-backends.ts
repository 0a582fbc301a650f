import 'server-only'
import type { Backends } from '../shared/report-failure.js'
import { capture } from './capture.js'
import { getPostHog } from './posthog-client.js'
import { loadSentry } from './sentry.js'

/**
 * The Node runtime's SDK handles for `reportFailure` (shared/report-failure.ts): the Sentry SDK
 * `register()` started, the process's posthog-node client, and its catalogue capture. A backend
 * that is off is null, and nothing is loaded for it.
 *
 * @example
 * await reportFailure(await serverBackends(), { error, distinctId, user: null, mechanism })
 */
export async function serverBackends(): Promise<Backends> {
  return { sentry: await loadSentry(), posthog: getPostHog(), capture }
}
