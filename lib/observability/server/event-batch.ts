import 'server-only'
import { request as httpRequest, Agent as HttpAgent } from 'node:http'
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https'
import { gzip } from 'node:zlib'
import { scrubServerProperties } from '../shared/event-privacy.js'
import { uuidV7Source } from './event-uuid.js'
import { warnOnce } from './fail-open.js'
import { isoTimestamp } from './iso-timestamp.js'

/** `$lib` of the events the kit sends from the server: how PostHog (and local mode's viewer) tells them from the browser's. */
export const SERVER_EVENTS_LIB = 'nextjs-observability-kit'

/** One event as PostHog's `/batch/` endpoint takes it (the format posthog-node sends too). */
export interface BatchedEvent {
  readonly type: 'capture'
  readonly event: string
  readonly distinct_id: string
  readonly properties: Record<string, unknown>
  readonly uuid: string
  readonly timestamp: string
}

/**
 * An event as `capture()` queues it. Its id, its timestamp and, for properties that are all
 * primitives, the privacy policy are applied when its batch is serialised: a batch does that
 * work for 50 events in one loop, while the code is hot, where each request doing it for its
 * own event paid for cold code and data several times over (docs/benchmarks.md).
 */
export interface QueuedEvent {
  readonly event: string
  readonly distinct_id: string
  /** The queue's own from `push()` on: nothing else may change it. */
  readonly properties: Record<string, unknown>
  /** When it was captured (ms): its `timestamp` and the time in its uuid. */
  readonly at: number
  /** True when `properties` already went through `scrubServerProperties`. */
  readonly scrubbed: boolean
}

export interface EventBatchOptions {
  readonly apiKey: string
  /** PostHog's ingestion host (`https://eu.i.posthog.com`), or the app's own in local mode. */
  readonly host: string
  /** Sent once this many events wait (a busy server), else every `flushIntervalMs`. */
  readonly flushAt: number
  readonly flushIntervalMs: number
  /** Past this many waiting events (a host that stays down) the oldest are dropped. */
  readonly maxQueueSize: number
  readonly requestTimeoutMs: number
  /** `$lib` of every event: which library sent it. */
  readonly lib: string
}

/** Events per request to `/batch/`: PostHog takes up to 20 MB per request; this keeps each one small. */
const MAX_BATCH = 100

/**
 * The kit's own queue of catalogue events (`api_request`, `slow_request`, `api_error`,
 * `$ai_generation`…), sent to PostHog's `/batch/` endpoint in batches, gzipped, from this thread.
 * Capturing one costs an object and an array push; JSON, gzip (on libuv's thread pool) and the
 * HTTP request are paid once per batch. posthog-node's own queue did per-event work several
 * times that (message copies, a promise chain, a queue rewritten per flush) and, to keep it off
 * the request thread, a worker thread of its own with its own heap (docs/decisions/016).
 *
 * Bounded: at most `maxQueueSize` events wait; one failed send is retried once, then the batch
 * is dropped with a warning. Never throws, never blocks a response.
 */
export class EventBatch {
  private queue: QueuedEvent[] = []
  private timer: NodeJS.Timeout | undefined
  /** The pending timer sends now, not at the interval. */
  private soon = false
  private sending: Promise<void> = Promise.resolve()
  /** Ids for this queue's events, in the order they were captured. */
  private readonly uuid = uuidV7Source()
  private readonly agent: HttpAgent
  private readonly url: URL

  constructor(private readonly options: EventBatchOptions) {
    this.url = new URL(`${options.host.replace(/\/+$/, '')}/batch/`)
    this.agent = this.url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true, maxSockets: 2 }) : new HttpAgent({ keepAlive: true, maxSockets: 2 })
  }

  /** Queues one event; a full batch is sent soon, a partial one within `flushIntervalMs`. */
  push(event: QueuedEvent): void {
    if (this.queue.length >= this.options.maxQueueSize) {
      this.queue.shift()
      warnOnce('posthog queue full', new Error(`more than ${this.options.maxQueueSize} events waiting; the oldest are dropped`))
    }
    this.queue.push(event)
    // Sent from a timer, never from inside the caller's task.
    if (this.queue.length >= this.options.flushAt) {
      if (!this.soon) this.schedule(0)
    } else if (!this.timer) {
      this.schedule(this.options.flushIntervalMs)
    }
  }

  /** Sends everything queued so far; resolves once it was delivered or given up on. Never rejects. */
  flush(): Promise<void> {
    this.clearTimer()
    const events = this.queue
    this.queue = []
    // One send at a time, in order: a flush waits for the one before it.
    this.sending = this.sending.then(() => this.sendAll(events))
    return this.sending
  }

  /** Events waiting (for tests and the shutdown path). */
  get size(): number {
    return this.queue.length
  }

  /** Drops everything waiting and stops the timer (tests switching configuration). */
  discard(): void {
    this.clearTimer()
    this.queue = []
  }

  private schedule(ms: number): void {
    this.clearTimer()
    this.soon = ms === 0
    // Holds no process open: a server's own lifetime, or a shutdown's flush, decides when to send.
    this.timer = setTimeout(() => void this.flush(), ms).unref()
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.soon = false
  }

  private async sendAll(events: QueuedEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += MAX_BATCH) {
      try {
        const batch = events.slice(i, i + MAX_BATCH).map((e) => this.toWire(e))
        await this.send(batch).catch(() => this.send(batch))
      } catch (error) {
        warnOnce('posthog delivery', error)
      }
    }
  }

  /** PostHog's wire shape, with `$lib`: the only copy of an event the queue makes. */
  private toWire(e: QueuedEvent): BatchedEvent {
    const properties = e.scrubbed ? e.properties : scrubServerProperties(e.properties)
    properties.$lib = this.options.lib
    return { type: 'capture', event: e.event, distinct_id: e.distinct_id, uuid: this.uuid(e.at), timestamp: isoTimestamp(e.at), properties }
  }

  private async send(batch: BatchedEvent[]): Promise<void> {
    const { lib } = this.options
    const body = JSON.stringify({ api_key: this.options.apiKey, batch, sent_at: new Date().toISOString() })
    const gzipped = await new Promise<Buffer>((resolve, reject) => gzip(body, (error, out) => (error ? reject(error) : resolve(out))))
    await new Promise<void>((resolve, reject) => {
      const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest
      const req = send(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          timeout: this.options.requestTimeoutMs,
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': gzipped.length, 'user-agent': lib },
        },
        (res) => {
          res.resume()
          res.on('end', () =>
            (res.statusCode ?? 0) < 400 ? resolve() : reject(new Error(`PostHog answered ${res.statusCode} to a batch of ${batch.length} events`)),
          )
          res.on('error', reject)
        },
      )
      req.on('timeout', () => req.destroy(new Error(`PostHog did not answer within ${this.options.requestTimeoutMs} ms`)))
      req.on('error', reject)
      req.end(gzipped)
    })
  }
}
