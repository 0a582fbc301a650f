import { getConfig } from '../edge/get-config'
import { sentryServerOptions } from './sentry-options'

/** `register()` for the Edge runtime: Sentry only, and only when `SENTRY_DSN` is set. */
export async function registerEdge(): Promise<void> {
  const config = getConfig()
  if (!config.sentry.enabled) return
  const Sentry = await import('@sentry/nextjs')
  Sentry.init(sentryServerOptions({ ...config, sentry: config.sentry }))
}
