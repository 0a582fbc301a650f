import 'server-only'
import { settleWithin } from '../shared/settle-within.js'
import { processSingleton } from './process-singleton.js'

/** Something holding telemetry that must go out before the process exits (posthog-node, Sentry). */
export type ShutdownDelivery = (timeoutMs: number) => Promise<unknown>

/** What a shutdown may take in all, so a deploy never waits long on a hung ingestion host. */
const SHUTDOWN_BUDGET_MS = 2_000

const state = processSingleton('shutdown', () => ({ deliveries: new Set<ShutdownDelivery>(), installed: false }))

/**
 * SIGTERM and SIGINT (deploys, scale-down) deliver what each backend holds before the process
 * exits, all at once and bounded, so shutdown never hangs. `next start` handles the signal
 * itself: it stops taking requests, waits for their `after()` tasks, then calls `process.exit()`.
 * What those last requests queued is still in the SDKs' batches then (docs/decisions/002), so
 * that exit is held, at most `SHUTDOWN_BUDGET_MS` and a little, until they are out. Without any
 * other handler (a custom server, a script), the process exits once delivered, as it would have.
 *
 * @example
 * deliverOnShutdown((ms) => Sentry.close(ms))
 */
export function deliverOnShutdown(delivery: ShutdownDelivery): void {
  state.deliveries.add(delivery)
  if (state.installed || typeof process === 'undefined' || typeof process.once !== 'function') return
  state.installed = true
  const onSignal = (signal: NodeJS.Signals) => {
    const exit = process.exit
    let exiting: Promise<void> | undefined
    const deliverThenExit = (code?: number | string | null) => {
      exiting ??= deliverAll().finally(() => {
        process.exit = exit
        exit.call(process, code ?? undefined)
      })
    }
    process.exit = deliverThenExit as typeof process.exit
    // Start now, while Next finishes in-flight requests; what they queue meanwhile goes at exit.
    void deliverAll()
    if (process.listenerCount(signal) === 0) deliverThenExit(0)
  }
  process.once('SIGTERM', onSignal)
  process.once('SIGINT', onSignal)
}

/** Every registered delivery at once, bounded. */
function deliverAll(): Promise<void> {
  const deliveries = [...state.deliveries].map((deliver) => Promise.resolve().then(() => deliver(SHUTDOWN_BUDGET_MS)))
  return settleWithin(Promise.allSettled(deliveries), SHUTDOWN_BUDGET_MS + 500)
}
