import { readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { describe, expect, it } from 'vitest'
import { posthogStaticCacheUsage, readPosthogStatic } from '@/lib/observability/server/local/ingest'
import { BoundedCache } from '@/lib/observability/server/local/ingest/bounded-cache'

const dist = dirname(createRequire(import.meta.url).resolve('posthog-js'))

describe('local mode’s cache of posthog-js scripts never outgrows its bound', () => {
  it('holds at most its entries and bytes while every script and many missing names are asked for, twice', () => {
    const scripts = readdirSync(dist).filter((n) => /^[\w-][\w.-]*\.js(?:\.map)?$/.test(n))
    const { maxEntries, maxBytes } = posthogStaticCacheUsage()
    expect(scripts.length).toBeGreaterThan(maxEntries)
    let served = 0
    for (let round = 0; round < 2; round++) {
      for (const [i, name] of scripts.entries()) {
        if (readPosthogStatic(name, dist)) served++
        expect(readPosthogStatic(`no-such-script-${round}-${i}.js`, dist)).toBeNull()
        const usage = posthogStaticCacheUsage()
        expect(usage.entries).toBeLessThanOrEqual(maxEntries)
        expect(usage.bytes).toBeLessThanOrEqual(maxBytes)
      }
    }
    // Everything was still served: the bound drops cached copies, never answers.
    expect(served).toBe(2 * scripts.length)
    expect(posthogStaticCacheUsage().entries).toBeGreaterThan(0)
  })

  it('drops the least recently used first and never keeps a value larger than the whole bound', () => {
    const cache = new BoundedCache<string>(2, 10)
    cache.set('a', new Uint8Array(4))
    cache.set('b', new Uint8Array(4))
    cache.get('a')
    cache.set('c', new Uint8Array(4))
    expect([cache.get('a')?.length, cache.get('b'), cache.get('c')?.length]).toEqual([4, undefined, 4])
    cache.set('d', new Uint8Array(6))
    expect(cache.bytes).toBeLessThanOrEqual(10)
    expect(cache.get('d')?.length).toBe(6)
    cache.set('huge', new Uint8Array(11))
    expect(cache.get('huge')).toBeUndefined()
    expect(cache.size).toBeLessThanOrEqual(2)
  })
})
