import 'server-only'

/**
 * A UUIDv7 for one PostHog event: 48 bits of Unix milliseconds, then randomness, so ids sort by
 * time as posthog-node's own do. Passing it to `capture()` spares posthog-node two generators
 * and two validations of its own per event (it only makes one when none is given).
 */
export function eventUuid(now: number = Date.now()): string {
  const random = crypto.randomUUID() // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx, V holding the variant
  const ms = now.toString(16).padStart(12, '0').slice(-12)
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${random.slice(15, 18)}-${random.slice(19)}`
}
