import 'server-only'
import { getConfig } from '../shared/get-config.js'
import { DELIVERY_BUDGET_MS, settleWithin } from '../shared/settle-within.js'
import { EventBatch, SERVER_EVENTS_LIB } from './event-batch.js'
import { startPostHogWorker, stopPostHogWorkerForTests, type PostHogClient } from './posthog-worker-link.js'
import { deliverOnShutdown } from './deliver-on-shutdown.js'
import { processSingleton } from './process-singleton.js'

export type { PostHogClient } from './posthog-worker-link.js'

const state = processSingleton('posthog', () => ({
  client: undefined as PostHogClient | null | undefined,
  batch: undefined as EventBatch | null | undefined,
  inflight: null as Promise<void> | null,
  queued: null as Promise<void> | null,
}))

/**
 * The process's queue of catalogue events (`capture()`), sent by the kit itself in batches
 * (event-batch.ts); null while PostHog is off. Created on first use, with the shutdown hook that
 * delivers what it holds when a deploy stops the server.
 */
export function getEventBatch(): EventBatch | null {
  if (state.batch !== undefined) return state.batch
  const cfg = getConfig().posthog
  if (!cfg.enabled) return (state.batch = null)
  const batch = new EventBatch({
    apiKey: cfg.apiKey,
    host: cfg.host,
    // Batches of 50 or every 2 s on a long-lived server; where the host may freeze the process
    // once the response is out (serverless), `afterResponse()` flushes each response's events.
    flushAt: 50,
    flushIntervalMs: 2_000,
    maxQueueSize: 5_000,
    requestTimeoutMs: 5_000,
    lib: SERVER_EVENTS_LIB,
  })
  deliverOnShutdown(() => batch.flush())
  return (state.batch = batch)
}

/**
 * One lazily created posthog-node client per process (shared by instrumentation.ts and every
 * route bundle), for what only posthog-node does: feature flags and `$exception` events (stack
 * parsing). Null while PostHog is off, so a disabled kit opens no sockets, starts no thread and
 * holds no queue. Created on first use: a server that evaluates no flags on the server and has no
 * failure never starts it. The client runs in a worker thread, off the request thread
 * (posthog-worker-link.ts); what this returns has its methods.
 */
export function getPostHog(): PostHogClient | null {
  if (state.client !== undefined) return state.client
  const cfg = getConfig().posthog
  if (!cfg.enabled) return (state.client = null)
  const client = startPostHogWorker(
    cfg.apiKey,
    {
      host: cfg.host,
      // Its own queue holds only what posthog-node itself sends besides `$exception` (sent at
      // once): flag-call events. Flushed with the kit's queue (`flushSoon`, shutdown).
      flushAt: 50,
      flushInterval: 2_000,
      requestTimeout: 5_000,
      fetchRetryCount: 1,
      maxQueueSize: 5_000,
      privacyMode: !cfg.llmPayloads,
    },
    cfg.debug,
  )
  deliverOnShutdown(() => client.flush())
  return (state.client = client)
}

/**
 * Flushes the queue soon, coalescing concurrent callers: at most one flush in flight and one
 * waiting, so a burst of requests sends a few batches, not one request each. The caller waits at
 * most `timeoutMs` from its own call (a hung ingestion host costs `after()` that long, no more);
 * the flush itself is bounded by posthog-node's request timeout. Never rejects.
 */
export function flushSoon(timeoutMs = DELIVERY_BUDGET_MS): Promise<void> {
  const ph = state.client
  const batch = state.batch
  if (!ph && !batch) return Promise.resolve()
  state.queued ??= (state.inflight ?? Promise.resolve()).then(() => {
    state.queued = null
    state.inflight = Promise.all([batch?.flush(), ph?.flush()])
      .then(() => undefined)
      .catch(() => undefined)
      .finally(() => {
        state.inflight = null
      })
    return state.inflight
  })
  return settleWithin(state.queued, timeoutMs)
}

/** @internal */
export function resetPostHogForTests(): void {
  void stopPostHogWorkerForTests(state.client, 'discard')
  state.client = undefined
  state.batch?.discard()
  state.batch = undefined
}
