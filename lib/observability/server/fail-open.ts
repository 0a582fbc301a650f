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

const warned = new Set<string>()

/** Telemetry problems are worth one line in the logs, not one per request. */
export function warnOnce(label: string, error: unknown): void {
  if (warned.has(label)) return
  warned.add(label)
  const message = error instanceof Error ? error.message : String(error)
  console.warn(`[observability] ${label} failed (further failures of this kind are silent): ${message}`)
}
