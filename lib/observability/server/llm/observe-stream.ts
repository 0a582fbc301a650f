import 'server-only'

/** @internal */
export interface StreamHooks {
  /** Sees every chunk; returns false to keep it from the caller. Must not throw. */
  chunk(value: unknown): boolean
  /** Called once: at the end of the stream, on its error, or when the caller stops early. */
  end(error?: unknown): void
}

/**
 * @internal Watches a streamed response in place and returns the same object, so its type and methods
 * (`controller`, `tee()`, `toReadableStream()`, `finalMessage()`…) stay the SDK's. The openai
 * and Anthropic `Stream` classes read every chunk through their `iterator` property (`for await`,
 * `tee()` and `toReadableStream()` alike), so that is what is wrapped; any other async iterable
 * gets its `Symbol.asyncIterator` wrapped. Nothing is read ahead: chunks pass through as the
 * caller pulls them. A stream that is never iterated is never reported.
 */
export function observeStream<S extends object>(stream: S, hooks: StreamHooks): S {
  const target = stream as Record<PropertyKey, unknown>
  const key: PropertyKey = typeof target.iterator === 'function' && 'controller' in target ? 'iterator' : Symbol.asyncIterator
  const original = target[key]
  if (typeof original !== 'function') return stream
  let claimed = false
  Object.defineProperty(stream, key, {
    configurable: true,
    writable: true,
    enumerable: Object.prototype.propertyIsEnumerable.call(stream, key),
    value: function observed(this: unknown, ...args: unknown[]) {
      const inner = (original as (...a: unknown[]) => AsyncIterator<unknown>).apply(this ?? stream, args)
      // A second iteration is the SDK's to refuse ("stream already consumed"); report only the first.
      if (claimed) return inner
      claimed = true
      return wrap(inner, hooks)
    },
  })
  return stream
}

function wrap(inner: AsyncIterator<unknown>, hooks: StreamHooks): AsyncIterableIterator<unknown> {
  let ended = false
  const end = (error?: unknown) => {
    if (ended) return
    ended = true
    hooks.end(error)
  }
  return {
    async next(...args: [] | [unknown]) {
      for (;;) {
        let step: IteratorResult<unknown>
        try {
          step = await inner.next(...args)
        } catch (error) {
          end(error)
          throw error
        }
        if (step.done) {
          end()
          return step
        }
        if (hooks.chunk(step.value)) return step
      }
    },
    async return(value?: unknown) {
      // The caller stopped early (`break`, an error in its loop): report what was seen so far.
      end()
      return inner.return ? inner.return(value) : { done: true, value }
    },
    async throw(error?: unknown) {
      end(error)
      if (inner.throw) return inner.throw(error)
      throw error
    },
    [Symbol.asyncIterator]() {
      return this
    },
  }
}
