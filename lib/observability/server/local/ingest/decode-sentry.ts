import { parseSentryDsn } from '../../../shared/sentry-dsn.js'
import { type DecodeOptions, budgetOf, header, isObject, parseJson, removeContentEncoding, toBuffer } from './bytes.js'
import { DecodeError } from './decode-error.js'
import { decodeReplayRecording } from './decode-replay.js'
import type { IngestRequest, SentryAuth, SentryEnvelope, SentryEnvelopeHeader, SentryEnvelopeItem, SentryEnvelopeRequest, SentryItemHeader } from './types.js'

const NEWLINE = 0x0a
const BINARY_ITEMS = new Set(['attachment', 'profile_chunk'])
const ENVELOPE_PATH = /\/api\/(\d+)\/envelope\/?$/

/** The project id in a `…/api/<id>/envelope/` pathname (any prefix), else undefined. */
export function sentryProjectFromPath(path: string): string | undefined {
  return ENVELOPE_PATH.exec(path)?.[1]
}

/**
 * Parse envelope bytes. Works on bytes because item `length` counts bytes and a
 * `replay_recording` carries binary data after its JSON line.
 */
export function parseSentryEnvelope(body: Uint8Array, options: DecodeOptions = {}): SentryEnvelope {
  const budget = budgetOf(options)
  const buf = toBuffer(body)
  let pos = 0
  const line = (): Buffer => {
    const nl = buf.indexOf(NEWLINE, pos)
    const end = nl === -1 ? buf.length : nl
    const out = buf.subarray(pos, end)
    pos = nl === -1 ? buf.length : nl + 1
    return out
  }
  const envelopeHeader = parseJson(line(), 'envelope header')
  if (!isObject(envelopeHeader)) throw new DecodeError('envelope header is not a JSON object')
  const items: SentryEnvelopeItem[] = []
  while (pos < buf.length) {
    const headLine = line()
    if (headLine.toString('latin1').trim() === '') continue
    const where = `envelope item ${items.length}`
    const itemHeader = parseJson(headLine, `${where} header`)
    if (!isObject(itemHeader) || typeof itemHeader.type !== 'string') {
      throw new DecodeError(`${where} header has no string "type"`)
    }
    let payload: Buffer
    if (itemHeader.length !== undefined) {
      const length = itemHeader.length
      if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
        throw new DecodeError(`${where} (${itemHeader.type}) has an invalid length ${JSON.stringify(length)}`)
      }
      if (pos + length > buf.length) {
        throw new DecodeError(`${where} (${itemHeader.type}) declares ${length} bytes but only ${buf.length - pos} remain`)
      }
      payload = buf.subarray(pos, pos + length)
      pos += length
      if (pos < buf.length && buf[pos++] !== NEWLINE) {
        throw new DecodeError(`${where} (${itemHeader.type}) is not followed by a newline after its ${length} bytes`)
      }
    } else payload = line()
    items.push({ type: itemHeader.type, header: itemHeader as SentryItemHeader, payload: decodePayload(itemHeader.type, payload, where, { budget }) })
  }
  return { header: envelopeHeader as SentryEnvelopeHeader, items }
}

function decodePayload(type: string, payload: Buffer, where: string, options: DecodeOptions): unknown {
  if (BINARY_ITEMS.has(type)) return new Uint8Array(payload)
  if (type === 'replay_recording') return decodeReplayRecording(payload, options)
  return parseJson(payload, `${where} (${type}) payload`)
}

function keyFromAuthHeader(value: string | undefined): string | undefined {
  if (!value) return undefined
  const sentry = /^\s*sentry\s+(.*)$/i.exec(value)
  if (sentry) return /(?:^|[\s,])sentry_key=([^,\s]+)/.exec(sentry[1] ?? '')?.[1]
  const basic = /^\s*basic\s+(\S+)/i.exec(value)
  return basic?.[1] ? Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0] || undefined : undefined
}

/**
 * Credentials of an envelope request from the query `sentry_key`, an `X-Sentry-Auth` /
 * `Authorization` header, or the envelope's `dsn` (tunnels), in the order Relay checks them.
 */
export function sentryAuth(req: IngestRequest, envelopeHeader: SentryEnvelopeHeader): SentryAuth {
  const pathProject = sentryProjectFromPath(req.path)
  // Split with the SDK's own parser, so a tunnelled envelope authenticates as Relay would.
  const dsn = typeof envelopeHeader.dsn === 'string' ? parseSentryDsn(envelopeHeader.dsn) : undefined
  const queryKey = new URLSearchParams(req.search.replace(/^\?/, '')).get('sentry_key') ?? undefined
  if (queryKey) return { publicKey: queryKey, projectId: pathProject ?? dsn?.projectId, source: 'query' }
  const headerKey = keyFromAuthHeader(header(req.headers, 'x-sentry-auth') ?? header(req.headers, 'authorization'))
  if (headerKey) return { publicKey: headerKey, projectId: pathProject ?? dsn?.projectId, source: 'header' }
  if (dsn?.publicKey) return { publicKey: dsn.publicKey, projectId: pathProject ?? dsn.projectId, source: 'dsn' }
  return { projectId: pathProject, source: 'none' }
}

/**
 * Decode an envelope POST (direct `…/api/<id>/envelope/` or any tunnel path): remove
 * Content-Encoding (gzip, deflate, br, or gzip by magic bytes), parse, and resolve auth.
 *
 * @example
 * const { header, items, auth } = decodeSentryRequest(req)
 * items.filter((i) => i.type === 'event')
 */
export function decodeSentryRequest(req: IngestRequest, options: DecodeOptions = {}): SentryEnvelopeRequest {
  const budget = budgetOf(options)
  const bytes = removeContentEncoding(req.headers, req.body, budget)
  if (bytes.length === 0) throw new DecodeError('Sentry envelope is empty')
  const envelope = parseSentryEnvelope(bytes, { budget })
  return { ...envelope, auth: sentryAuth(req, envelope.header) }
}

/**
 * True when the body's first line is an envelope header carrying a `dsn`, which the SDK adds
 * exactly when it sends through a tunnel; lets a server accept tunnels on any path.
 */
export function isTunnelEnvelope(body: Uint8Array): boolean {
  const buf = toBuffer(body)
  const nl = buf.indexOf(NEWLINE)
  const first = buf.subarray(0, nl === -1 ? buf.length : nl)
  if (first[0] !== 0x7b) return false
  try {
    const parsed: unknown = JSON.parse(first.toString('utf8'))
    return isObject(parsed) && typeof parsed.dsn === 'string'
  } catch {
    return false
  }
}
