import 'server-only'

/** The minute the cached prefix is for (its first ms), and its `YYYY-MM-DDTHH:MM:`. */
let minuteStart = Number.NaN
let minutePrefix = ''

/**
 * `new Date(ms).toISOString()`, for a server event's `timestamp`. Inside `next start` that call
 * cost ~10 µs per event by its CPU profile (against ~0.5 µs in a plain loop), the largest part of
 * the kit's `capture()` (docs/benchmarks.md): the date and the minute change once a minute, so
 * they come from Date once a minute and the seconds are formatted here.
 */
export function isoTimestamp(ms: number = Date.now()): string {
  const inMinute = ms - Math.floor(ms / 60_000) * 60_000
  const start = ms - inMinute
  if (start !== minuteStart) {
    minuteStart = start
    minutePrefix = new Date(start).toISOString().slice(0, 17)
  }
  const seconds = Math.floor(inMinute / 1000)
  const millis = inMinute - seconds * 1000
  return `${minutePrefix}${seconds < 10 ? '0' : ''}${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`
}
