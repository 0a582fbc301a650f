import 'server-only'
import { after } from 'next/server'
import { guard } from './fail-open.js'
import { hostMayFreeze } from './host-may-freeze.js'
import { flushSoon } from './posthog-client.js'

/**
 * Schedules telemetry for after the response is sent (`after()`), so nothing waits on the
 * network. Where the host may freeze the process once the response is out (serverless), the
 * PostHog events the task queued are flushed before it counts as done, and `after()` keeps the
 * function alive until then; a long-lived server leaves them to posthog-node's batches
 * (docs/decisions/002). Call it during the request: that is where the host is judged. Outside
 * a Next request scope (scripts, tests) the task runs on the next tick.
 */
export function afterResponse(label: string, task: () => unknown): void {
  const run = hostMayFreeze()
    ? async () => {
        await task()
        await flushSoon()
      }
    : task
  try {
    after(() => guard(label, run))
  } catch {
    setImmediate(() => void guard(label, run))
  }
}
