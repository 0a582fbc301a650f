/**
 * A least-recently-used map of byte buffers that never holds more than `maxEntries` values or
 * `maxBytes` bytes: whatever the requests ask for, its memory stays bounded. A value larger than
 * `maxBytes` on its own is not kept at all.
 *
 * @example
 * const cache = new BoundedCache(24, 12 * 1024 * 1024)
 * cache.set('array.js', bytes)
 * cache.get('array.js') // bytes, now the most recently used
 */
export class BoundedCache<K, V extends Uint8Array = Uint8Array> {
  private readonly map = new Map<K, V>()
  private total = 0

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {}

  /** Number of values held. */
  get size(): number {
    return this.map.size
  }

  /** Bytes held, all values together. */
  get bytes(): number {
    return this.total
  }

  get(key: K): V | undefined {
    const value = this.map.get(key)
    if (value === undefined) return undefined
    // A Map iterates in insertion order: re-inserting makes this the newest.
    this.map.delete(key)
    this.map.set(key, value)
    return value
  }

  set(key: K, value: V): void {
    this.delete(key)
    if (value.byteLength > this.maxBytes || this.maxEntries < 1) return
    this.map.set(key, value)
    this.total += value.byteLength
    for (const [oldest, old] of this.map) {
      if (this.map.size <= this.maxEntries && this.total <= this.maxBytes) break
      this.map.delete(oldest)
      this.total -= old.byteLength
    }
  }

  delete(key: K): void {
    const value = this.map.get(key)
    if (value === undefined) return
    this.map.delete(key)
    this.total -= value.byteLength
  }
}
