import 'server-only'
import { randomFillSync } from 'node:crypto'
import { v7 as uuidv7 } from 'uuid'

/** 256 ids' worth of random bytes per refill. */
const POOL_BYTES = 16 * 256

let pool = new Uint8Array(0)
let offset = POOL_BYTES
/**
 * A source of time-ordered ids (UUID v7, like the ids PostHog's SDKs mint), for the time `ms` or
 * now: the event queue has its own (an event's id carries its capture time, minted when its batch
 * is serialised), `eventUuid` serves new visitors.
 * Random bytes come from a pool filled 256 ids at a time: `uuid` asks the system for 16
 * bytes per id, a syscall that cost ~6 µs here and ~50 µs per tracked request inside `next start`
 * (docs/benchmarks.md), the largest single item of the kit's per-request cost. Node pools
 * `crypto.randomUUID()` the same way. The pool is only ever read forward, never handed out twice.
 * Ids a source mints one after another sort in that order, as `uuid`'s own do (its counter, kept
 * here because `uuid` keeps it only for the ids it draws the bytes of itself).
 */
export function uuidV7Source(): (ms?: number) => string {
  /** As `uuid` keeps it for its own ids: within a millisecond, ids count up from a random start. */
  let lastMs = -Infinity
  let seq = 0
  return (ms = Date.now()) => {
    const random = randomBytes16()
    if (ms > lastMs) {
      lastMs = ms
      seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!
    } else {
      seq = (seq + 1) | 0
      // The counter ran over within one millisecond: the next millisecond's ids carry on.
      if (seq === 0) lastMs++
    }
    return uuidv7({ random, msecs: lastMs, seq })
  }
}

/** A new visitor's id (flag bootstrap). */
export const eventUuid = uuidV7Source()

function randomBytes16(): Uint8Array {
  if (offset + 16 > pool.length) {
    pool = randomFillSync(new Uint8Array(POOL_BYTES))
    offset = 0
  }
  return pool.subarray(offset, (offset += 16))
}
