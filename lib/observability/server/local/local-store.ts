import 'server-only'
import { randomUUID } from 'node:crypto'
import { appendFile, mkdir, readdir, readFile, stat, unlink } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import type { LocalEvent, LocalEventFacts } from './local-event.js'
import { parseLocalStoreSettings, type LocalStoreSettings } from './local-store-settings.js'
import { warnOnce } from '../fail-open.js'
import { SEGMENT_FILE, SegmentReader, type StoredEntry } from './segment-reader.js'

/**
 * Local mode's event store (docs/configuration.md): JSON lines in segment files under `.observability/`.
 *
 * - Each process appends to its own segment (`seg-<ms>-<pid>-<rand>.jsonl`), one `appendFile` per
 *   batch, so concurrent writers (a dev server and a `next start`, several workers) never
 *   interleave inside a file.
 * - A segment holds a tenth of the bound; past it the writer starts a new one and deletes the
 *   oldest whole segments until the rest leave room for it, so the store never holds more than
 *   `maxEvents` or `maxBytes`. The oldest events go first; once full, the store keeps between
 *   80 % and 100 % of its bound.
 * - Files survive restarts; a new process starts a new segment and reads the old ones.
 */
export interface LocalStore {
  readonly settings: LocalStoreSettings
  /** Absolute path of the folder. */
  readonly dir: string
  /** Appends in arrival order; resolves once written (callers bound the wait). Never rejects. */
  append(events: readonly LocalEventFacts[]): Promise<void>
  /** The newest `limit` events (at most `maxEvents`), oldest first. */
  list(limit?: number): Promise<StoredEntry[]>
  /** The stored JSON line of one event. */
  find(id: string): Promise<string | undefined>
  /** Lines skipped as unreadable so far. */
  skipped(): number
}

interface Segment {
  name: string
  events: number
  bytes: number
}

/** @internal Exported for tests; the app uses {@link getLocalStore}. */
export function createLocalStore(settings: LocalStoreSettings, cwd = process.cwd()): LocalStore {
  // Runtime data, not a source file: the ignore comment keeps Next's file tracing from treating
  // this dynamic path as "the whole project is needed at runtime".
  const dir = isAbsolute(settings.dir) ? settings.dir : join(/*turbopackIgnore: true*/ cwd, settings.dir)
  const segmentEvents = Math.max(1, Math.ceil(settings.maxEvents / 10))
  const segmentBytes = Math.max(64 * 1024, Math.floor(settings.maxBytes / 10))
  const reader = new SegmentReader(dir)
  /** Event counts of segments, by name and size: closed segments are counted once. */
  const counts = new Map<string, { size: number; events: number }>()
  let current: Segment | null = null
  let queue: Promise<void> = Promise.resolve()

  const serialize = (facts: LocalEventFacts): string => {
    const at = Date.now()
    const event: LocalEvent = { v: 1, id: randomUUID(), at, ...facts, time: facts.time ?? at }
    const line = JSON.stringify(event)
    if (Buffer.byteLength(line) <= segmentBytes) return line
    // One event bigger than a segment would push everything else out: keep its summary only.
    return JSON.stringify({ ...event, data: { omitted: `${Buffer.byteLength(line)} bytes, more than the store keeps per event (${segmentBytes})` } })
  }

  const write = async (lines: string[]): Promise<void> => {
    await mkdir(dir, { recursive: true })
    let batch: string[] = []
    let rotated = false
    const flush = async () => {
      if (batch.length && current) await appendFile(join(dir, current.name), batch.join(''), { flag: 'a' })
      batch = []
    }
    for (const raw of lines) {
      const line = `${raw}\n`
      const size = Buffer.byteLength(line)
      if (!current || current.events >= segmentEvents || (current.events > 0 && current.bytes + size > segmentBytes)) {
        await flush()
        current = { name: segmentName(), events: 0, bytes: 0 }
        rotated = true
      }
      batch.push(line)
      current.events++
      current.bytes += size
    }
    await flush()
    if (rotated) await prune()
  }

  /**
   * Deletes the oldest segments until the others leave room for a full new one, so the store
   * stays within its bound while the segment being written fills up.
   */
  const prune = async (): Promise<void> => {
    const names = (await readdir(dir)).filter((n) => SEGMENT_FILE.test(n) && n !== current?.name).sort()
    const files: Array<{ name: string; size: number; events: number }> = []
    for (const name of names) {
      try {
        files.push({ name, ...(await countEvents(name)) })
      } catch {
        // deleted meanwhile by another writer
      }
    }
    let events = files.reduce((n, f) => n + f.events, 0)
    let bytes = files.reduce((n, f) => n + f.size, 0)
    for (const f of files) {
      if (events <= settings.maxEvents - segmentEvents && bytes <= settings.maxBytes - segmentBytes) break
      await unlink(join(dir, f.name)).catch(() => undefined)
      counts.delete(f.name)
      events -= f.events
      bytes -= f.size
    }
  }

  const countEvents = async (name: string): Promise<{ size: number; events: number }> => {
    if (name === current?.name) return { size: current.bytes, events: current.events }
    const { size } = await stat(join(dir, name))
    const known = counts.get(name)
    if (known?.size === size) return known
    const buf = await readFile(join(dir, name))
    let events = 0
    for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) events++
    const entry = { size, events }
    counts.set(name, entry)
    return entry
  }

  return {
    settings,
    dir,
    append(events) {
      if (events.length === 0) return Promise.resolve()
      const lines = events.map(serialize)
      queue = queue
        .then(() => write(lines))
        .catch((error: unknown) => {
          // The folder may have been deleted under us: start a fresh segment next time.
          current = null
          warnOnce('local mode store write', error)
        })
      return queue
    },
    async list(limit = settings.maxEvents) {
      const all = await reader.read()
      return all.slice(-Math.min(limit, settings.maxEvents))
    },
    async find(id) {
      const entry = (await reader.read()).find((e) => e.summary.id === id)
      return entry ? reader.line(entry) : undefined
    },
    skipped: () => reader.skipped,
  }
}

let lastMs = 0
let sequence = 0

/** Sorts by creation time across processes, and by a counter within one millisecond of one process. */
function segmentName(): string {
  const ms = Math.max(Date.now(), lastMs)
  sequence = ms === lastMs ? sequence + 1 : 0
  lastMs = ms
  const rand = Math.random().toString(36).slice(2, 6).padEnd(4, '0')
  return `seg-${String(ms).padStart(13, '0')}-${process.pid}-${String(sequence).padStart(6, '0')}${rand}.jsonl`
}

let store: LocalStore | undefined

/** The process's store, configured from the environment on first use (warnings printed once). */
export function getLocalStore(): LocalStore {
  if (store) return store
  const { settings, warnings } = parseLocalStoreSettings(process.env)
  for (const w of warnings) console.warn(`[observability] ${w}`)
  return (store = createLocalStore(settings))
}
