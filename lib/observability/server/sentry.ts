import 'server-only'
import { getConfig } from '../edge/get-config'

type SentryModule = typeof import('@sentry/nextjs')

let loading: Promise<SentryModule | null> | undefined

/**
 * The Sentry SDK, loaded on first use and only when `SENTRY_DSN` is set: a disabled kit never
 * loads it. `instrumentation.ts` initialises it at startup; this only hands out the module.
 */
export function loadSentry(): Promise<SentryModule | null> {
  if (!getConfig().sentry.enabled) return Promise.resolve(null)
  loading ??= import('@sentry/nextjs').catch(() => null)
  return loading
}
