import { describe, expect, it } from 'vitest'
import { eventUuid } from '@/lib/observability/server/event-uuid'

describe('server events carry a time-ordered UUIDv7', () => {
  it('is a version 7, RFC 4122 variant UUID whose first 48 bits are the milliseconds', () => {
    const now = Date.UTC(2026, 10, 29, 12, 0, 0, 123)
    const id = eventUuid(now)
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now)
  })

  it('sorts by time and never repeats', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => eventUuid(1_800_000_000_000 + Math.floor(i / 10)))
    expect(new Set(ids).size).toBe(ids.length)
    const prefixes = ids.map((id) => id.slice(0, 13))
    expect([...prefixes].sort()).toEqual(prefixes)
  })
})
