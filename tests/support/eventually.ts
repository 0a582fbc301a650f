/**
 * Polls `read` until `check` accepts what it returned, and returns that; on timeout, throws with
 * `what` and the last value read (or the last error). The one polling loop of the tests that do
 * not wait on the fake ingestion server (which has its own `waitFor`).
 *
 * @example
 * const feed = await eventually(() => readFeed(app), (f) => f.events.length > 0, 'an event in the feed')
 */
export async function eventually<T>(
  read: () => T | Promise<T>,
  check: (value: T) => unknown,
  what: string,
  { timeoutMs = 15_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: { value?: T; error?: unknown } = {}
  for (;;) {
    try {
      const value = await read()
      last = { value }
      if (check(value)) return value
    } catch (error) {
      last = { error }
    }
    if (Date.now() > deadline) {
      const seen = 'error' in last ? `last error: ${String(last.error)}` : `last value: ${describe(last.value)}`
      throw new Error(`${what}: not after ${timeoutMs} ms; ${seen}`)
    }
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text === undefined ? String(value) : text.length > 3_000 ? `…${text.slice(-3_000)}` : text
}
