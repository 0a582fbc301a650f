import 'server-only'

/**
 * Runs telemetry work so that nothing it does can throw into, or reject under, the app. The
 * returned promise always resolves, so it is safe to hand to `after()` / `waitUntil`.
 */
export async function guard(label: string, fn: () => unknown): Promise<void> {
  try {
    await fn()
  } catch (e) {
    warnOnce(label, e)
  }
}

/**
 * How long telemetry may keep working after a response: what `after()` waits for, so a
 * serverless function is kept alive at most this long, and a SIGTERM'd server exits promptly even
 * when the ingestion host hangs.
 */
export const AFTER_RESPONSE_BUDGET_MS = 2_000

/** Resolves when `promise` settles or after `ms`, whichever is first; never rejects. */
export function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    timer.unref?.()
    promise.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    )
  })
}

const warned = new Set<string>()

/** Telemetry problems are worth one line in the logs, not one per request. */
export function warnOnce(label: string, error: unknown): void {
  if (warned.has(label)) return
  warned.add(label)
  const message = error instanceof Error ? error.message : String(error)
  console.warn(`[observability] ${label} failed (further failures of this kind are silent): ${message}`)
}
