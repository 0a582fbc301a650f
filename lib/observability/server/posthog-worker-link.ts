import 'server-only'
import { Worker } from 'node:worker_threads'
// Types only: this thread loads posthog-node only if the worker fails (`moveInThread`).
import type { PostHog, PostHogOptions } from 'posthog-node'
import { warnOnce } from './fail-open.js'
import { settleWithin } from '../shared/settle-within.js'

type CaptureProps = Parameters<PostHog['capture']>[0]
type FlagValue = boolean | string

/** What the kit uses of posthog-node, with the client's own signatures: the client itself or a link to its worker. */
export interface PostHogClient {
  capture(props: CaptureProps): void
  captureExceptionImmediate(error: unknown, distinctId?: string, additionalProperties?: Record<string | number, unknown>): Promise<void>
  getFeatureFlag(key: string, distinctId: string, options?: { personProperties?: Record<string, string> }): Promise<FlagValue | undefined>
  getAllFlags(distinctId: string): Promise<Record<string, FlagValue>>
  flush(): Promise<void>
  shutdown(shutdownTimeoutMs?: number): Promise<void>
}

/** How long captured events may wait in this thread before they are handed to the worker together. */
const HANDOVER_MS = 20

type Op = 'flush' | 'shutdown' | 'getFeatureFlag' | 'getAllFlags' | 'captureExceptionImmediate'
type FromWorker = { kind: 'ready' } | { kind: 'error'; message: string } | { kind: 'reply'; id: number; ok: boolean; value?: unknown; message?: string }

/**
 * Runs the kit's posthog-node client in a worker thread and hands back a link with the client's
 * methods. Since decision 016 the kit's catalogue events do not come through here (they go
 * through its own queue, event-batch.ts); the link serves flags and `$exception` events, and
 * `capture` for anything else handed to the client.
 *
 * In a server process the request thread is the bottleneck, and posthog-node's work per event
 * (copying the message, a promise chain, then JSON, gzip and HTTP for each batch) was a large
 * share of an enabled `/api/ping`'s CPU there (docs/decisions/010); through the link an event
 * costs one structured clone. The process still holds one client: it lives in the worker.
 *
 * Until the worker reports ready, events and calls wait here. If it cannot start (an unusual
 * bundler, a sandbox without threads) or dies, the link moves to an in-thread client and replays
 * what was waiting; an event already handed to a worker that then crashed is lost, as it would be
 * in a crashed process.
 */
export function startPostHogWorker(apiKey: string, options: PostHogOptions, debug: boolean): PostHogClient {
  return new WorkerLink(apiKey, options, debug)
}

/** The worker's source, resolved by the bundler (a worker entry) or, from sources, by Node. */
function spawnWorker(workerData: unknown): Worker {
  // Not an inline object: webpack takes an inline `name` as the worker's chunk name, and this
  // module is bundled once per layer (instrumentation, routes), so both copies of the worker
  // would share one chunk and both run in the thread: two clients, every event sent twice.
  const options = { workerData, name: 'posthog-node' }
  // (Vite, which runs the jsdom tests, wants to read the options statically; it need not.)
  return new Worker(new URL('./posthog-worker.mjs', import.meta.url), /* @vite-ignore */ options)
}

/**
 * @internal For tests. `discard`: stop the worker at once, delivering nothing (a test switching
 * config). `crash`: stop it as a crash would, so the link carries on in this thread.
 */
export function stopPostHogWorkerForTests(client: PostHogClient | null | undefined, how: 'discard' | 'crash'): Promise<unknown> {
  if (!(client instanceof WorkerLink)) return Promise.resolve()
  return client.stopForTests(how)
}

/**
 * Where the link stands, each state holding only what it needs. Events and calls wait in the link
 * while `starting` (the worker has not said it is ready) and while `moving` (the worker failed;
 * posthog-node is loading in this thread). `closed` answers every call as PostHog being off would.
 */
type LinkState =
  | { readonly name: 'starting'; readonly worker: Worker }
  | { readonly name: 'ready'; readonly worker: Worker }
  | { readonly name: 'moving' }
  | { readonly name: 'in-thread'; readonly client: PostHog }
  | { readonly name: 'closed' }

type PendingCall = { resolve: (v: unknown) => void; reject: (e: Error) => void; op: Op; args: unknown[] }

class WorkerLink implements PostHogClient {
  private state: LinkState
  /** Events not yet handed over: while the link waits, and for up to HANDOVER_MS once ready. */
  private events: CaptureProps[] = []
  /** Calls awaiting their reply; before the worker is ready, none of them has been posted yet. */
  private calls = new Map<number, PendingCall>()
  private nextId = 1
  private handoverScheduled = false

  constructor(
    private readonly apiKey: string,
    private readonly options: PostHogOptions,
    private readonly debug: boolean,
  ) {
    try {
      const worker = spawnWorker({ apiKey, options: cloneableOptions(options), debug })
      worker.unref()
      worker.on('message', (m: FromWorker) => this.onMessage(worker, m))
      worker.on('error', (e) => this.workerLost(worker, e))
      worker.on('exit', (code) => this.workerLost(worker, new Error(`posthog-node worker exited (${code})`)))
      this.state = { name: 'starting', worker }
    } catch (e) {
      this.state = { name: 'moving' }
      this.loadInThread(e)
    }
  }

  capture(props: CaptureProps): void {
    const { state } = this
    if (state.name === 'in-thread') return state.client.capture(props)
    if (state.name === 'closed') return
    if (this.events.length >= (this.options.maxQueueSize ?? 10_000)) this.events.shift()
    this.events.push(props)
    // One message per HANDOVER_MS, however many requests finished in that time: a message has a
    // fixed cost on this thread and wakes the worker. posthog-node batches for seconds anyway,
    // and `flush()` hands over what is waiting first.
    if (state.name === 'ready' && !this.handoverScheduled) {
      this.handoverScheduled = true
      setTimeout(() => this.postEvents(), HANDOVER_MS).unref()
    }
  }

  captureExceptionImmediate(error: unknown, distinctId?: string, additionalProperties?: Record<string | number, unknown>): Promise<void> {
    return this.call('captureExceptionImmediate', [error, distinctId, additionalProperties]) as Promise<void>
  }

  getFeatureFlag(key: string, distinctId: string, options?: { personProperties?: Record<string, string> }): Promise<FlagValue | undefined> {
    return this.call('getFeatureFlag', [key, distinctId, options]) as Promise<FlagValue | undefined>
  }

  getAllFlags(distinctId: string): Promise<Record<string, FlagValue>> {
    return this.call('getAllFlags', [distinctId]) as Promise<Record<string, FlagValue>>
  }

  flush(): Promise<void> {
    return this.call('flush', []) as Promise<void>
  }

  async shutdown(shutdownTimeoutMs?: number): Promise<void> {
    if (this.state.name === 'closed') return
    try {
      // posthog-node bounds its own shutdown; a worker stuck past that is stopped anyway.
      await settleWithin(this.call('shutdown', [shutdownTimeoutMs]), (shutdownTimeoutMs ?? 30_000) + 500)
    } finally {
      void this.close()
    }
  }

  stopForTests(how: 'discard' | 'crash'): Promise<unknown> {
    if (how === 'discard') return this.close()
    const { state } = this
    return state.name === 'starting' || state.name === 'ready' ? state.worker.terminate() : Promise.resolve()
  }

  private call(op: Op, args: unknown[]): Promise<unknown> {
    const { state } = this
    if (state.name === 'in-thread') return this.inThread(state.client, op, args)
    if (state.name === 'closed') return Promise.resolve(undefined)
    return new Promise((resolve, reject) => {
      const id = this.nextId++
      this.calls.set(id, { resolve, reject, op, args })
      // Before the worker is ready, or while the in-thread client loads, the call waits here.
      if (state.name !== 'ready') return
      // Events captured before this call go first: a flush covers them.
      this.postEvents()
      this.postCall(state.worker, id, op, args)
    })
  }

  private postCall(worker: Worker, id: number, op: Op, args: unknown[]): void {
    // Errors cross as plain data: a clone keeps neither custom names nor causes reliably.
    const wire = op === 'captureExceptionImmediate' ? [errorShape(args[0]), ...args.slice(1)] : args
    worker.postMessage({ kind: 'call', id, op, args: wire })
  }

  private postEvents(): void {
    this.handoverScheduled = false
    const { state } = this
    if (state.name !== 'ready' || !this.events.length) return
    const events = this.events
    this.events = []
    try {
      state.worker.postMessage({ kind: 'capture', events })
    } catch {
      // One event that cannot be cloned (a property holding a function) must not cost the others.
      for (const event of events) {
        try {
          state.worker.postMessage({ kind: 'capture', events: [event] })
        } catch (e) {
          warnOnce('posthog capture', e)
        }
      }
    }
  }

  private onMessage(worker: Worker, m: FromWorker): void {
    if (m.kind === 'ready') {
      if (this.state.name !== 'starting' || this.state.worker !== worker) return
      this.state = { name: 'ready', worker }
      this.postEvents()
      for (const [id, c] of this.calls) this.postCall(worker, id, c.op, c.args)
    } else if (m.kind === 'error') {
      warnOnce('posthog-node delivery', new Error(m.message))
    } else if (m.kind === 'reply') {
      const pending = this.calls.get(m.id)
      this.calls.delete(m.id)
      if (m.ok) pending?.resolve(m.value)
      else pending?.reject(new Error(m.message))
    }
  }

  /** The worker could not start or died (its `error` and `exit` both say so): once, unless closed. */
  private workerLost(worker: Worker, reason: unknown): void {
    const { state } = this
    if ((state.name !== 'starting' && state.name !== 'ready') || state.worker !== worker) return
    this.state = { name: 'moving' }
    this.loadInThread(reason)
  }

  /**
   * Carry on with a client in this thread. posthog-node is loaded only now, so a process whose
   * worker runs (or whose PostHog is off) never holds a copy of it on the request thread; what is
   * captured or asked meanwhile waits in the link.
   */
  private loadInThread(reason: unknown): void {
    warnOnce('posthog-node worker', reason)
    import('posthog-node').then(
      ({ PostHog }) => {
        if (this.state.name !== 'moving') return
        const client = new PostHog(this.apiKey, this.options)
        if (this.debug) client.debug(true)
        client.on('error', (e: unknown) => warnOnce('posthog-node delivery', e))
        this.state = { name: 'in-thread', client }
        for (const event of this.events.splice(0)) client.capture(event)
        for (const [id, c] of this.calls) {
          this.calls.delete(id)
          this.inThread(client, c.op, c.args).then(c.resolve, c.reject)
        }
      },
      (error: unknown) => {
        // Nowhere left to send.
        warnOnce('posthog-node', error)
        if (this.state.name === 'moving') void this.close()
      },
    )
  }

  /**
   * Closed for good: what waits is dropped and every waiting call answers as PostHog being off
   * would, at once, never a hang; a worker still running is stopped.
   */
  private close(): Promise<unknown> {
    const previous = this.state
    this.state = { name: 'closed' }
    this.events = []
    for (const [id, c] of this.calls) {
      this.calls.delete(id)
      c.resolve(undefined)
    }
    return previous.name === 'starting' || previous.name === 'ready' ? previous.worker.terminate() : Promise.resolve()
  }

  private inThread(client: PostHog, op: Op, args: unknown[]): Promise<unknown> {
    const method = client[op] as (...a: unknown[]) => unknown
    return Promise.resolve(method.apply(client, args))
  }
}

type ErrorShape = { name: string; message: string; stack?: string; cause?: ErrorShape }

/** An error as plain data, rebuilt into an Error by the worker (`revive` in posthog-worker.mjs). */
function errorShape(error: unknown, depth = 0): ErrorShape {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) }
  const cause = (error as { cause?: unknown }).cause
  return { name: error.name, message: error.message, stack: error.stack, ...(cause !== undefined && depth < 5 ? { cause: errorShape(cause, depth + 1) } : {}) }
}

/** Only data crosses to a worker; functions (a custom fetch, before_send) stay with an in-thread client. */
function cloneableOptions(options: PostHogOptions): PostHogOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => typeof v !== 'function')) as PostHogOptions
}
