import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { LocalEventFacts } from '@/lib/observability/server/local/local-event'
import { createLocalStore } from '@/lib/observability/server/local/local-store'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ox-store-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const event = (n: number, extra: Partial<LocalEventFacts> = {}): LocalEventFacts => ({
  backend: 'posthog',
  source: 'server',
  type: 'api_request',
  title: `event ${n}`,
  error: false,
  requestId: `req-${n}`,
  data: { n, padding: 'x'.repeat(100) },
  ...extra,
})

const settings = (over: Partial<{ maxEvents: number; maxBytes: number }> = {}) => ({ dir, maxEvents: 50, maxBytes: 50 * 1024 * 1024, ...over })

function linesOnDisk(): string[] {
  return readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
}

describe('local mode keeps events on disk, bounded, across restarts', () => {
  it('never keeps more than maxEvents, dropping the oldest first', async () => {
    const store = createLocalStore(settings())
    for (let i = 0; i < 300; i += 7) await store.append(Array.from({ length: 7 }, (_, j) => event(i + j)))
    const listed = await store.list()
    expect(listed.length).toBeLessThanOrEqual(50)
    expect(listed.length).toBeGreaterThanOrEqual(40)
    expect(linesOnDisk().length).toBeLessThanOrEqual(50)
    expect(listed.at(-1)?.summary.title).toBe('event 300')
    expect(listed.map((e) => e.summary.title)).not.toContain('event 0')
  })

  it('never keeps more than maxBytes on disk', async () => {
    const store = createLocalStore(settings({ maxEvents: 100_000, maxBytes: 1024 * 1024 }))
    const big = 'y'.repeat(20_000)
    for (let i = 0; i < 120; i++) await store.append([event(i, { data: { big } })])
    const bytes = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0)
    expect(bytes).toBeLessThanOrEqual(1024 * 1024)
    expect((await store.list()).at(-1)?.summary.title).toBe('event 119')
  })

  it('keeps an event bigger than a segment as its summary only', async () => {
    const store = createLocalStore(settings({ maxBytes: 1024 * 1024 }))
    await store.append([event(1, { data: { huge: 'z'.repeat(300_000) } })])
    const [entry] = await store.list()
    const stored = JSON.parse((await store.find(entry!.summary.id))!) as { data: { omitted?: string } }
    expect(stored.data.omitted).toMatch(/bytes, more than the store keeps per event/)
  })

  it('a restarted server reads what the previous one stored, and adds to it', async () => {
    const first = createLocalStore(settings())
    await first.append([event(1), event(2)])
    const second = createLocalStore(settings())
    expect((await second.list()).map((e) => e.summary.title)).toEqual(['event 1', 'event 2'])
    await second.append([event(3)])
    expect((await second.list()).map((e) => e.summary.title)).toEqual(['event 1', 'event 2', 'event 3'])
    expect(readdirSync(dir)).toHaveLength(2)
  })

  it('returns an event with its data on demand', async () => {
    const store = createLocalStore(settings())
    await store.append([event(7)])
    const [entry] = await store.list()
    expect(JSON.parse((await store.find(entry!.summary.id))!)).toMatchObject({ v: 1, title: 'event 7', data: { n: 7 } })
    expect(await store.find('00000000-0000-0000-0000-000000000000')).toBeUndefined()
  })

  it('skips corrupt and torn lines instead of failing', async () => {
    const store = createLocalStore(settings())
    await store.append([event(1)])
    const [file] = readdirSync(dir)
    appendFileSync(join(dir, file!), 'not json\n{"v":1,"id":"x"}\n[1,2]\n')
    await store.append([event(2)])
    appendFileSync(join(dir, file!), '{"v":1,"id":"torn-by-a-crash"')
    const titles = (await createLocalStore(settings()).list()).map((e) => e.summary.title)
    expect(titles).toEqual(['event 1', 'event 2'])
  })

  it('two writers on one folder (two processes) never corrupt each other', async () => {
    const a = createLocalStore(settings({ maxEvents: 10_000 }))
    const b = createLocalStore(settings({ maxEvents: 10_000 }))
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).append(Array.from({ length: 5 }, (_, j) => event(i * 5 + j, { data: { blob: 'q'.repeat(5_000) } }))),
      ),
    )
    const lines = linesOnDisk()
    expect(lines).toHaveLength(200)
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow()
    expect(await createLocalStore(settings({ maxEvents: 10_000 })).list()).toHaveLength(200)
  })

  it('answers an empty list when nothing was stored yet (no folder)', async () => {
    const store = createLocalStore({ ...settings(), dir: join(dir, 'not-yet') })
    expect(await store.list()).toEqual([])
  })
})
