/**
 * Turns whatever was thrown into something safe to describe: `throw "x"`, `throw null`, plain
 * objects, cyclic objects and megabyte messages all come out as a bounded `{ type, message, stack }`.
 */

export interface NormalizedError {
  /** The exception type: the error's `name` (or constructor name), `string`, `null`, `object`… */
  readonly type: string
  readonly message: string
  readonly stack: string
  /** An `Error` instance to hand to SDKs that want one (the original when it was an Error). */
  readonly error: Error
}

export const MAX_MESSAGE_CHARS = 2_000
export const MAX_TRACEBACK_CHARS = 5_000

export function normalizeError(thrown: unknown): NormalizedError {
  if (thrown instanceof Error) {
    const type = errorType(thrown)
    const message = clip(safeString(thrown.message), MAX_MESSAGE_CHARS)
    const stack = clip(safeString(thrown.stack ?? `${type}: ${message}`), MAX_TRACEBACK_CHARS)
    return { type, message, stack, error: safeString(thrown.message).length > MAX_MESSAGE_CHARS ? boundedCopy(thrown, type, message, stack) : thrown }
  }
  const type = thrown === null ? 'null' : Array.isArray(thrown) ? 'array' : typeof thrown
  const message = clip(describe(thrown), MAX_MESSAGE_CHARS)
  const error = new Error(message)
  error.name = type === 'object' ? objectName(thrown) : 'NonErrorThrown'
  return { type: error.name === 'NonErrorThrown' ? type : error.name, message, stack: clip(safeString(error.stack), MAX_TRACEBACK_CHARS), error }
}

/** SDKs copy `message` and `stack` verbatim; a megabyte message must not become a megabyte event. */
function boundedCopy(original: Error, type: string, message: string, stack: string): Error {
  const copy = new Error(message, { cause: (original as { cause?: unknown }).cause })
  copy.name = type
  copy.stack = stack.replace(/^[^\n]*/, `${type}: ${message.slice(0, 200)}`)
  return copy
}

/** `name` is user-controlled and may be anything; fall back to the constructor. */
function errorType(e: Error): string {
  const n = typeof e.name === 'string' && e.name && e.name !== 'Error' ? e.name : e.constructor?.name || 'Error'
  return clip(n, 100)
}

function objectName(o: unknown): string {
  const name = (o as { name?: unknown })?.name
  if (typeof name === 'string' && /^[A-Za-z_$][\w$]{0,99}$/.test(name)) return name
  const ctor = (o as object | null)?.constructor?.name
  return ctor && ctor !== 'Object' ? ctor : 'NonErrorThrown'
}

function describe(v: unknown): string {
  if (typeof v === 'string') return v
  if (v === null || v === undefined) return String(v)
  if (typeof v !== 'object') return String(v)
  const msg = (v as { message?: unknown }).message
  if (typeof msg === 'string') return msg
  try {
    return JSON.stringify(v, cycleSafe()) ?? Object.prototype.toString.call(v)
  } catch {
    return Object.prototype.toString.call(v)
  }
}

function cycleSafe() {
  const seen = new WeakSet<object>()
  return (_k: string, val: unknown) => {
    if (typeof val === 'bigint') return val.toString()
    if (val && typeof val === 'object') {
      if (seen.has(val)) return '[Circular]'
      seen.add(val)
    }
    return val
  }
}

function safeString(v: unknown): string {
  try {
    return typeof v === 'string' ? v : String(v ?? '')
  } catch {
    return ''
  }
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…[truncated ${s.length - max} chars]` : s
}

/** First line of a message, for fingerprints of uncategorised errors. */
export function firstLine(message: string): string {
  const i = message.indexOf('\n')
  return (i === -1 ? message : message.slice(0, i)).slice(0, 200)
}

/** Marks an error as already reported so a second hook (onRequestError) does not report it again. */
const REPORTED = Symbol.for('observability.reported')

export function markReported(thrown: unknown): void {
  if (thrown && typeof thrown === 'object') {
    try {
      Object.defineProperty(thrown, REPORTED, { value: true, enumerable: false, configurable: true })
    } catch {
      // Frozen objects cannot be marked; the worst case is a second report.
    }
  }
}

export function wasReported(thrown: unknown): boolean {
  return !!thrown && typeof thrown === 'object' && (thrown as Record<symbol, unknown>)[REPORTED] === true
}
