/**
 * How long telemetry may keep working after a response, or after a failure on the Edge runtime:
 * what `after()` waits for, so a serverless function is kept alive at most this long, and a
 * SIGTERM'd server exits promptly even when the ingestion host hangs.
 */
export const DELIVERY_BUDGET_MS = 2_000

/** Resolves when `promise` settles or after `ms`, whichever is first; never rejects. */
export function settleWithin(promise: PromiseLike<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    // Node: a pending bound must not keep the process alive.
    ;(timer as { unref?: () => void }).unref?.()
    promise.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    )
  })
}
