import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync, unzipSync } from 'node:zlib'
import { DecodeError, tooLarge } from './decode-error'

/** Relay's limit for a decompressed envelope; generous enough for any PostHog batch too. */
export const DEFAULT_MAX_BYTES = 200 * 1024 * 1024

export interface DecodeOptions {
  /** Refuse bodies that inflate past this many bytes (decompression-bomb guard). */
  maxBytes?: number
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

function inflateWith(fn: Inflate, bytes: Uint8Array, what: string, maxBytes: number): Buffer {
  try {
    return fn(toBuffer(bytes), { maxOutputLength: maxBytes })
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(what, maxBytes)
    throw new DecodeError(`${what} could not be decompressed: ${(error as Error).message}`)
  }
}

/** @internal */
export function gunzip(bytes: Uint8Array, what: string, maxBytes = DEFAULT_MAX_BYTES): Buffer {
  return inflateWith(gunzipSync, bytes, what, maxBytes)
}

/** @internal zlib or gzip, auto-detected. */
export function unzip(bytes: Uint8Array, what: string, maxBytes = DEFAULT_MAX_BYTES): Buffer {
  return inflateWith(unzipSync, bytes, what, maxBytes)
}

/**
 * @internal Undo `Content-Encoding` (applied right to left) and then any gzip the header did
 * not announce: PostHog detects gzip by its magic bytes, whatever the headers say.
 */
export function removeContentEncoding(
  headers: Record<string, string>,
  body: Uint8Array,
  maxBytes = DEFAULT_MAX_BYTES,
): Buffer {
  let bytes = toBuffer(body)
  const codings = (header(headers, 'content-encoding') ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity')
  for (const coding of codings.reverse()) {
    if (coding === 'gzip' || coding === 'x-gzip') bytes = gunzip(bytes, 'gzip body', maxBytes)
    else if (coding === 'deflate')
      bytes = inflateWith(isZlib(bytes) ? inflateSync : inflateRawSync, bytes, 'deflate body', maxBytes)
    else if (coding === 'br') bytes = inflateWith(brotliDecompressSync, bytes, 'br body', maxBytes)
    else throw new DecodeError(`unsupported Content-Encoding "${coding}"`, 415)
  }
  if (isGzip(bytes)) bytes = gunzip(bytes, 'gzip body', maxBytes)
  if (bytes.length > maxBytes) throw tooLarge('body', maxBytes)
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
