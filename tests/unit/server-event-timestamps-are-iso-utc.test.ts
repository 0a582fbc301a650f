import { describe, expect, it } from 'vitest'
import { isoTimestamp } from '@/lib/observability/server/iso-timestamp'

/**
 * A server event's `timestamp` is what `Date#toISOString()` writes for the same instant, whatever
 * minute, day or year it falls in (the kit formats the seconds itself and caches the rest per minute).
 */
describe('server event timestamps are ISO 8601 UTC, as Date writes them', () => {
  it('matches toISOString across minute, day, month, year and leap-day boundaries, in any order', () => {
    const edges = [
      0,
      1,
      999,
      1_000,
      59_999,
      60_000,
      60_001,
      86_399_999,
      86_400_000,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2024, 2, 1),
      Date.UTC(2026, 11, 31, 23, 59, 59, 999),
      Date.UTC(2027, 0, 1),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
    ]
    // A fixed pseudo-random walk: times far apart and times within the same minute, interleaved.
    let seed = 42
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31
    const random = Array.from({ length: 5_000 }, (_, i) =>
      i % 2 ? Math.floor(next() * Date.UTC(3000, 0, 1)) : Date.UTC(2026, 11, 7, 15, 4) + Math.floor(next() * 120_000),
    )
    for (const ms of [...edges, ...random, ...edges.reverse()]) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString())
  })

  it('is now when no time is given', () => {
    const before = Date.now()
    const stamp = Date.parse(isoTimestamp())
    expect(stamp).toBeGreaterThanOrEqual(before)
    expect(stamp).toBeLessThanOrEqual(Date.now())
  })
})
