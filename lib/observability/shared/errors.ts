import { scrubString } from './scrub.js'
import { removeSentText, sentTextOf, type SentText } from './sent-text.js'

/**
 * Turns whatever was thrown into something safe to describe and to send: `throw "x"`, `throw
 * null`, plain objects, cyclic objects and megabyte messages all come out as a bounded
 * `{ type, message, stack }`, scrubbed by the kit's privacy policy (and with any remembered LLM
 * prompt removed), and an `Error` for the SDKs that carries only the scrubbed text.
 */

export interface NormalizedError {
  /** The exception type: the error's `name` (or constructor name), `string`, `null`, `object`… */
  readonly type: string
  /** Scrubbed and bounded. */
  readonly message: string
  /** Scrubbed and bounded. */
  readonly stack: string
  /**
   * An `Error` to hand to SDKs: the original when nothing in it or its `cause` chain needed
   * scrubbing or bounding, else a copy (name, scrubbed message and stack, scrubbed causes).
   */
  readonly error: Error
}

export const MAX_MESSAGE_CHARS = 2_000
export const MAX_TRACEBACK_CHARS = 5_000
/** How many `cause` links the SDK copy keeps (Sentry's LinkedErrors default is 5). */
const MAX_CAUSES = 5

export function normalizeError(thrown: unknown): NormalizedError {
  const sent = sentTextOf(thrown)
  if (thrown instanceof Error) {
    const type = errorType(thrown)
    const message = cleanText(safeString(thrown.message), MAX_MESSAGE_CHARS, sent)
    const stack = cleanText(boundFirstLine(safeString(thrown.stack ?? `${type}: ${message}`)), MAX_TRACEBACK_CHARS, sent)
    return { type, message, stack, error: sdkError(thrown, sent, 0) }
  }
  const type = thrown === null ? 'null' : Array.isArray(thrown) ? 'array' : typeof thrown
  const message = cleanText(describe(thrown), MAX_MESSAGE_CHARS, sent)
  const error = new Error(message)
  error.name = type === 'object' ? objectName(thrown) : 'NonErrorThrown'
  return { type: error.name === 'NonErrorThrown' ? type : error.name, message, stack: clip(safeString(error.stack), MAX_TRACEBACK_CHARS), error }
}

/** A stack opens with the message: a megabyte message must not push every frame out of the limit. */
function boundFirstLine(stack: string): string {
  const end = stack.indexOf('\n')
  const first = end === -1 ? stack : stack.slice(0, end)
  return first.length > 300 ? `${first.slice(0, 300)}…${end === -1 ? '' : stack.slice(end)}` : stack
}

/** Cut, scrubbed, cut again: a secret is judged whole unless it straddles twice the limit. */
function cleanText(text: string, max: number, sent: readonly SentText[]): string {
  const head = text.length > max * 2 ? text.slice(0, max * 2) : text
  return clip(scrubString(removeSentText(head, sent)), max, text.length - head.length)
}

/**
 * The error as SDKs should see it. SDKs copy `message`, `stack` and each `cause` verbatim, so a
 * copy stands in whenever any of them would carry a secret or a megabyte.
 */
function sdkError(original: Error, sent: readonly SentText[], depth: number): Error {
  const type = errorType(original)
  const rawMessage = safeString(original.message)
  const rawStack = safeString(original.stack)
  const message = cleanText(rawMessage, MAX_MESSAGE_CHARS, sent)
  const stack = cleanText(boundFirstLine(rawStack), MAX_TRACEBACK_CHARS, sent)
  const rawCause = (original as { cause?: unknown }).cause
  const cause =
    depth >= MAX_CAUSES
      ? undefined
      : rawCause instanceof Error
        ? sdkError(rawCause, sent, depth + 1)
        : rawCause === undefined
          ? undefined
          : normalizeError(rawCause).error
  if (message === rawMessage && stack === rawStack && cause === rawCause) return original
  const copy = new Error(message, cause === undefined ? undefined : { cause })
  copy.name = type
  copy.stack = stack
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

/** `s` cut to `max` characters, saying how many were left out (`dropped` were cut before). */
function clip(s: string, max: number, dropped = 0): string {
  if (s.length <= max && dropped === 0) return s
  const kept = Math.min(s.length, max)
  return `${s.slice(0, kept)}…[truncated ${s.length - kept + dropped} chars]`
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
