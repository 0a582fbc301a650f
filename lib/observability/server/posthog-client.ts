import 'server-only'
import { PostHog } from 'posthog-node'
import { getConfig } from '../edge/get-config'
import { AFTER_RESPONSE_BUDGET_MS, settleWithin, warnOnce } from './fail-open'

/**
 * One lazily created posthog-node client per process; null while PostHog is off, so a disabled
 * kit opens no sockets and holds no queue.
 */
let client: PostHog | null | undefined

export function getPostHog(): PostHog | null {
  if (client !== undefined) return client
  const cfg = getConfig().posthog
  if (!cfg.enabled) return (client = null)
  client = new PostHog(cfg.apiKey, {
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
  return client
}

let inflight: Promise<void> | null = null
let queued: Promise<void> | null = null

/**
 * Flushes the queue soon, coalescing concurrent callers: at most one flush in flight and one
 * waiting, so a burst of requests sends a few batches, not one request each. The caller waits at
 * most `timeoutMs` from its own call (a hung ingestion host costs `after()` that long, no more);
 * the flush itself is bounded by posthog-node's request timeout. Never rejects.
 */
export function flushSoon(timeoutMs = AFTER_RESPONSE_BUDGET_MS): Promise<void> {
  const ph = client
  if (!ph) return Promise.resolve()
  queued ??= (inflight ?? Promise.resolve()).then(() => {
    queued = null
    inflight = ph
      .flush()
      .catch(() => undefined)
      .finally(() => {
        inflight = null
      })
    return inflight
  })
  return settleWithin(queued, timeoutMs)
}

let shutdownInstalled = false

/** SIGTERM (deploys, scale-down) flushes what is queued, bounded so shutdown never hangs. */
function installShutdownFlush(ph: PostHog): void {
  if (shutdownInstalled || typeof process === 'undefined' || typeof process.once !== 'function') return
  shutdownInstalled = true
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
  client = undefined
}
