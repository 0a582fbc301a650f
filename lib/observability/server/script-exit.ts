import 'server-only'
import { settleWithin } from '../shared/settle-within.js'
import { getEventBatch, getPostHog } from './posthog-client.js'
import { loadedSentry } from './sentry.js'

/**
 * How long the end of a script may wait for delivery, by default. A script's process exits within
 * a second of its work ending whatever the ingestion hosts do, while a healthy host has time to
 * answer: each failure is already on its way when the wait starts. Shorter than
 * `DELIVERY_BUDGET_MS` (shared/settle-within.ts): a server can afford that, where a person is waiting
 * on a script's prompt or a cron slot on its exit.
 */
export const SCRIPT_EXIT_BUDGET_MS = 750

/**
 * @internal The end of a `runObserved()` run: lets work queued "after the response" (LLM
 * generations; outside Next it runs on the next turn) reach posthog-node, waits for the failure
 * `reports`, then shuts PostHog down (its queue delivered, its worker stopped) and flushes Sentry.
 * Everything ends by `deadline` (a `performance.now()` time); never rejects.
 */
export async function deliverBeforeExit(reports: readonly Promise<unknown>[], deadline: number): Promise<void> {
  const left = () => Math.max(0, deadline - performance.now())
  await new Promise((resolve) => setImmediate(resolve))
  await settleWithin(Promise.allSettled(reports), left())
  const posthog = getPostHog()
  const Sentry = loadedSentry()
  const delivery = [getEventBatch()?.flush(), posthog?.shutdown(left()), Sentry?.isInitialized() ? Sentry.flush(left()) : undefined]
  await settleWithin(Promise.allSettled(delivery), left())
}
