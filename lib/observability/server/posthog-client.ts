import 'server-only'
import { getConfig } from '../edge/get-config'
import { AFTER_RESPONSE_BUDGET_MS, settleWithin } from './fail-open'
import { startPostHogWorker, stopPostHogWorkerForTests, type PostHogClient } from './posthog-worker-link'
import { processSingleton } from './process-singleton'

export type { PostHogClient } from './posthog-worker-link'

const state = processSingleton('posthog', () => ({
  client: undefined as PostHogClient | null | undefined,
  inflight: null as Promise<void> | null,
  queued: null as Promise<void> | null,
  shutdownInstalled: false,
}))

/**
 * One lazily created posthog-node client per process (shared by instrumentation.ts and every
 * route bundle); null while PostHog is off, so a disabled kit opens no sockets, starts no thread
 * and holds no queue. The client runs in a worker thread, off the request thread
 * (posthog-worker-link.ts); what this returns has its methods.
 */
export function getPostHog(): PostHogClient | null {
  if (state.client !== undefined) return state.client
  const cfg = getConfig().posthog
  if (!cfg.enabled) return (state.client = null)
  const client = startPostHogWorker(cfg.apiKey, {
    host: cfg.host,
    // Batches of 50 or every 2 s on a long-lived server; where the host may freeze the process
    // once the response is out (serverless), `afterResponse()` flushes each response's events.
    flushAt: 50,
    flushInterval: 2_000,
    requestTimeout: 5_000,
    fetchRetryCount: 1,
    maxQueueSize: 5_000,
    privacyMode: !cfg.llmPayloads,
  }, cfg.debug)
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

/**
 * SIGTERM and SIGINT (deploys, scale-down) deliver what is queued before the process exits,
 * bounded so that shutdown never hangs. `next start` handles the signal itself: it stops taking
 * requests, waits for their `after()` tasks, then calls `process.exit()`. The events those last
 * requests queued are still in posthog-node's batch then (docs/decisions/002), so that exit is
 * held, at most 2.5 s, until the batch is out.
 */
function installShutdownFlush(ph: PostHogClient): void {
  if (state.shutdownInstalled || typeof process === 'undefined' || typeof process.once !== 'function') return
  state.shutdownInstalled = true
  const onSignal = (signal: NodeJS.Signals) => {
    void ph.flush().catch(() => undefined)
    const exit = process.exit
    let exiting: Promise<void> | undefined
    const deliverThenExit = (code?: number | string | null) => {
      exiting ??= settleWithin(ph.shutdown(2_000), 2_500).finally(() => {
        process.exit = exit
        exit.call(process, code ?? undefined)
      })
    }
    process.exit = deliverThenExit as typeof process.exit
    // Without another handler (a custom server), exit as before once delivered.
    if (process.listenerCount(signal) === 0) deliverThenExit(0)
  }
  process.once('SIGTERM', onSignal)
  process.once('SIGINT', onSignal)
}

/** @internal */
export function resetPostHogForTests(): void {
  void stopPostHogWorkerForTests(state.client, 'discard')
  state.client = undefined
}
