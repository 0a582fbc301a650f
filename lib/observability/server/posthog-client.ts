import 'server-only'
import { PostHog } from 'posthog-node'
import { getConfig } from '../edge/get-config'
import { AFTER_RESPONSE_BUDGET_MS, settleWithin, warnOnce } from './fail-open'
import { processSingleton } from './process-singleton'

const state = processSingleton('posthog', () => ({
  client: undefined as PostHog | null | undefined,
  inflight: null as Promise<void> | null,
  queued: null as Promise<void> | null,
  shutdownInstalled: false,
}))

/**
 * One lazily created posthog-node client per process (shared by instrumentation.ts and every
 * route bundle); null while PostHog is off, so a disabled kit opens no sockets and holds no queue.
 */
export function getPostHog(): PostHog | null {
  if (state.client !== undefined) return state.client
  const cfg = getConfig().posthog
  if (!cfg.enabled) return (state.client = null)
  const client = new PostHog(cfg.apiKey, {
    host: cfg.host,
    // Batches of 20 or every 2 s on a long-lived server; `flushSoon()` after each tracked response
    // covers serverless, where the process may freeze once the response is out.
    flushAt: 20,
    flushInterval: 2_000,
    requestTimeout: 5_000,
    fetchRetryCount: 1,
    maxQueueSize: 5_000,
    privacyMode: !cfg.llmPayloads,
  })
  if (cfg.debug) client.debug(true)
  client.on('error', (e: unknown) => warnOnce('posthog-node delivery', e))
  installShutdownFlush(client)
  return (state.client = client)
}

/**
 * Flushes the queue soon, coalescing concurrent callers: at most one flush in flight and one
 * waiting, so a burst of requests sends a few batches, not one request each. The caller waits at
 * most `timeoutMs` from its own call (a hung ingestion host costs `after()` that long, no more);
 * the flush itself is bounded by posthog-node's request timeout. Never rejects.
 */
export function flushSoon(timeoutMs = AFTER_RESPONSE_BUDGET_MS): Promise<void> {
  const ph = state.client
  if (!ph) return Promise.resolve()
  state.queued ??= (state.inflight ?? Promise.resolve()).then(() => {
    state.queued = null
    state.inflight = ph
      .flush()
      .catch(() => undefined)
      .finally(() => {
        state.inflight = null
      })
    return state.inflight
  })
  return settleWithin(state.queued, timeoutMs)
}

/** SIGTERM (deploys, scale-down) flushes what is queued, bounded so shutdown never hangs. */
function installShutdownFlush(ph: PostHog): void {
  if (state.shutdownInstalled || typeof process === 'undefined' || typeof process.once !== 'function') return
  state.shutdownInstalled = true
  const onSignal = (signal: NodeJS.Signals) => {
    void settleWithin(ph.shutdown(2_000), 2_500).finally(() => {
      // Keep the default behaviour (exit) unless the app installed its own handler.
      if (process.listenerCount(signal) === 0) process.exit(0)
    })
  }
  process.once('SIGTERM', onSignal)
  process.once('SIGINT', onSignal)
}

/** @internal */
export function resetPostHogForTests(): void {
  state.client = undefined
}
