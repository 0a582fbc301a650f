import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync, unzipSync } from 'node:zlib'
import { DecodeError, tooLarge } from './decode-error.js'
import { MAX_DECODED_BYTES } from './limits.js'

export interface DecodeOptions {
  /**
   * Most bytes all decompression of one request may produce together (decompression-bomb
   * guard); past it the request is refused with 413. Default {@link MAX_DECODED_BYTES}.
   */
  maxBytes?: number
  /** @internal The running total of the request being decoded, shared by its layers. */
  budget?: DecodeBudget
}

/**
 * What is left of one request's decompression allowance. Every layer and every compressed field
 * draws on the same budget, so a body cannot multiply the bound by nesting or repeating bombs.
 *
 * @example
 * const budget = new DecodeBudget(64 * 1024 * 1024)
 * gunzip(body, 'gzip body', budget) // throws a 413 DecodeError past the budget
 */
export class DecodeBudget {
  private used = 0

  constructor(readonly limit: number) {}

  get remaining(): number {
    return Math.max(0, this.limit - this.used)
  }

  /** Counts `bytes` of output, refusing the request once the total passes the limit. */
  charge(bytes: number, what: string): void {
    this.used += bytes
    if (this.used > this.limit) throw tooLarge(what, this.limit)
  }
}

/** @internal The budget of the request `options` belong to, started here if there is none yet. */
export function budgetOf(options: DecodeOptions = {}): DecodeBudget {
  return options.budget ?? new DecodeBudget(options.maxBytes ?? MAX_DECODED_BYTES)
}

const utf8 = new TextDecoder('utf-8', { fatal: false })

/** @internal */
export function toBuffer(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
}

/** @internal */
export function text(bytes: Uint8Array): string {
  return utf8.decode(bytes)
}

/** @internal Header lookup that ignores the caller's casing. */
export function header(headers: Record<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase()
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value
  return undefined
}

/** @internal */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b
}

/** @internal zlib (RFC 1950) header: CM=8 and the 16-bit header is a multiple of 31. */
export function isZlib(bytes: Uint8Array): boolean {
  const [cmf, flg] = [bytes[0], bytes[1]]
  return cmf !== undefined && flg !== undefined && (cmf & 0x0f) === 8 && ((cmf << 8) | flg) % 31 === 0
}

type Inflate = (buf: Buffer, opts: { maxOutputLength: number }) => Buffer

/** zlib stops as soon as its output passes what is left of the budget, so a bomb never inflates in full. */
function inflateWith(fn: Inflate, bytes: Uint8Array, what: string, budget: DecodeBudget): Buffer {
  let out: Buffer
  try {
    out = fn(toBuffer(bytes), { maxOutputLength: Math.max(1, budget.remaining) })
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(what, budget.limit)
    throw new DecodeError(`${what} could not be decompressed: ${(error as Error).message}`)
  }
  budget.charge(out.length, what)
  return out
}

/** @internal */
export function gunzip(bytes: Uint8Array, what: string, budget: DecodeBudget): Buffer {
  return inflateWith(gunzipSync, bytes, what, budget)
}

/** @internal zlib or gzip, auto-detected. */
export function unzip(bytes: Uint8Array, what: string, budget: DecodeBudget): Buffer {
  return inflateWith(unzipSync, bytes, what, budget)
}

/** @internal Base64 (standard or URL-safe) to bytes, counted against the budget before it is decoded. */
export function fromBase64(data: string, what: string, budget: DecodeBudget): Buffer {
  if (Math.floor((data.length * 3) / 4) > budget.remaining) throw tooLarge(what, budget.limit)
  const bytes = Buffer.from(data, 'base64')
  budget.charge(bytes.length, what)
  return bytes
}

/**
 * @internal Undo `Content-Encoding` (applied right to left) and then any gzip the header did
 * not announce: PostHog detects gzip by its magic bytes, whatever the headers say.
 */
export function removeContentEncoding(headers: Record<string, string>, body: Uint8Array, budget: DecodeBudget): Buffer {
  let bytes = toBuffer(body)
  const codings = (header(headers, 'content-encoding') ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity')
  for (const coding of codings.reverse()) {
    if (coding === 'gzip' || coding === 'x-gzip') bytes = gunzip(bytes, 'gzip body', budget)
    else if (coding === 'deflate') bytes = inflateWith(isZlib(bytes) ? inflateSync : inflateRawSync, bytes, 'deflate body', budget)
    else if (coding === 'br') bytes = inflateWith(brotliDecompressSync, bytes, 'br body', budget)
    else throw new DecodeError(`unsupported Content-Encoding "${coding}"`, 415)
  }
  if (isGzip(bytes)) bytes = gunzip(bytes, 'gzip body', budget)
  if (bytes.length > budget.limit) throw tooLarge('body', budget.limit)
  return bytes
}

/** @internal JSON.parse whose failure names the layer that was being read. */
export function parseJson(source: string | Uint8Array, what: string): unknown {
  const str = typeof source === 'string' ? source : text(source)
  try {
    return JSON.parse(str)
  } catch (error) {
    const preview = str.length > 60 ? `${str.slice(0, 60)}…` : str
    throw new DecodeError(`${what} is not valid JSON (${(error as Error).message}); starts with ${JSON.stringify(preview)}`)
  }
}

/** @internal */
export function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
