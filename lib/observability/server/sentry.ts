import 'server-only'
import { getConfig } from '../shared/get-config.js'
import { processSingleton } from './process-singleton.js'

type SentryModule = typeof import('@sentry/nextjs')

const state = processSingleton('sentry', () => ({ loading: undefined as Promise<SentryModule | null> | undefined, loaded: null as SentryModule | null }))

/**
 * The Sentry SDK, loaded on first use and only when `SENTRY_DSN` is set: a disabled kit never
 * loads it. `instrumentation.ts` initialises it at startup; this only hands out the module.
 */
export function loadSentry(): Promise<SentryModule | null> {
  if (!getConfig().sentry.enabled) return Promise.resolve(null)
  state.loading ??= import('@sentry/nextjs').then(
    (m) => (state.loaded = m),
    () => null,
  )
  return state.loading
}

/** The module once `registerNode()` has loaded it, synchronously; null while off or not yet loaded. */
export function loadedSentry(): SentryModule | null {
  return state.loaded
}
