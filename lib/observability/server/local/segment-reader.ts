import 'server-only'
import { open, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { LocalEventSummary } from './local-event.js'

/** `seg-<ms>-<pid>-<random>.jsonl`: names sort by creation time, and each process has its own. */
export const SEGMENT_FILE = /^seg-\d{13}-\d+-[a-z0-9]+\.jsonl$/

/** Where one stored event sits, so its data is read only when someone expands it. */
export interface StoredEntry {
  readonly summary: LocalEventSummary
  readonly file: string
  readonly start: number
  readonly length: number
}

interface Cached {
  /** Bytes parsed so far: always just after a newline. */
  offset: number
  entries: StoredEntry[]
}

const NEWLINE = 0x0a

/**
 * Reads the store's segment files incrementally: a file is parsed once, then only the bytes
 * appended since (a poll every second costs a `stat` per file). A shrunk file is reread. A line
 * that is not a stored event (a torn write, a hand edit, a crash mid-line) is skipped, never
 * fatal. Only the summary of each event stays in memory, not its data.
 */
export class SegmentReader {
  private readonly cache = new Map<string, Cached>()
  private pending: Promise<StoredEntry[]> | null = null
  /** Lines that were not events, for the page to mention. */
  skipped = 0

  constructor(private readonly dir: string) {}

  /** Every stored event, oldest first. Concurrent callers share one read. */
  read(): Promise<StoredEntry[]> {
    this.pending ??= this.readAll().finally(() => {
      this.pending = null
    })
    return this.pending
  }

  /** The raw JSON line of one event. */
  async line(entry: StoredEntry): Promise<string | undefined> {
    try {
      const handle = await open(join(this.dir, entry.file), 'r')
      try {
        const buf = Buffer.alloc(entry.length)
        const { bytesRead } = await handle.read(buf, 0, entry.length, entry.start)
        return bytesRead === entry.length ? buf.toString('utf8') : undefined
      } finally {
        await handle.close()
      }
    } catch {
      return undefined
    }
  }

  private async readAll(): Promise<StoredEntry[]> {
    let names: string[]
    try {
      names = (await readdir(this.dir)).filter((n) => SEGMENT_FILE.test(n)).sort()
    } catch {
      names = []
    }
    for (const name of this.cache.keys()) if (!names.includes(name)) this.cache.delete(name)
    const all: StoredEntry[] = []
    for (const name of names) {
      const cached = await this.refresh(name)
      if (cached) all.push(...cached.entries)
    }
    // Segments of concurrent writers overlap in time; the timeline wants arrival order.
    return all.sort((a, b) => a.summary.at - b.summary.at)
  }

  private async refresh(name: string): Promise<Cached | undefined> {
    let size: number
    try {
      size = (await stat(join(this.dir, name))).size
    } catch {
      this.cache.delete(name)
      return undefined
    }
    let cached = this.cache.get(name)
    if (!cached || size < cached.offset) this.cache.set(name, (cached = { offset: 0, entries: [] }))
    if (size > cached.offset) await this.parseTail(name, cached, size)
    return cached
  }

  private async parseTail(name: string, cached: Cached, size: number): Promise<void> {
    let buf: Buffer
    try {
      const handle = await open(join(this.dir, name), 'r')
      try {
        buf = Buffer.alloc(size - cached.offset)
        const { bytesRead } = await handle.read(buf, 0, buf.length, cached.offset)
        buf = buf.subarray(0, bytesRead)
      } finally {
        await handle.close()
      }
    } catch {
      return
    }
    let pos = 0
    for (let nl = buf.indexOf(NEWLINE); nl !== -1; nl = buf.indexOf(NEWLINE, pos)) {
      const summary = parseSummary(buf.subarray(pos, nl))
      if (summary) cached.entries.push({ summary, file: name, start: cached.offset + pos, length: nl - pos })
      else if (nl > pos) this.skipped++
      pos = nl + 1
    }
    // A last line without its newline is still being written: read it next time.
    cached.offset += pos
  }
}

function parseSummary(bytes: Buffer): LocalEventSummary | undefined {
  if (bytes.length === 0) return undefined
  try {
    const value = JSON.parse(bytes.toString('utf8')) as Record<string, unknown> | null
    if (!value || value.v !== 1 || typeof value.id !== 'string' || typeof value.at !== 'number' || typeof value.time !== 'number') return undefined
    if ((value.backend !== 'posthog' && value.backend !== 'sentry') || typeof value.type !== 'string') return undefined
    const { data: _data, v: _v, ...summary } = value
    return summary as unknown as LocalEventSummary
  } catch {
    return undefined
  }
}
