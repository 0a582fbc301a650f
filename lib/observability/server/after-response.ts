import 'server-only'
import { after } from 'next/server'
import { guard } from './fail-open'

/**
 * Schedules telemetry for after the response is sent (`after()`), so nothing waits on the
 * network, while serverless hosts still keep the function alive until it is done. Outside a
 * Next request scope (scripts, tests) the task runs on the next tick.
 */
export function afterResponse(label: string, task: () => unknown): void {
  try {
    after(() => guard(label, task))
  } catch {
    setImmediate(() => void guard(label, task))
  }
}
