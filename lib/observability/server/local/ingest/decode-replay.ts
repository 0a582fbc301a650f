import { type DecodeOptions, budgetOf, isGzip, isObject, parseJson, toBuffer, unzip } from './bytes.js'
import { DecodeError } from './decode-error.js'
import { decodeRrwebEvent } from './decode-snapshot.js'
import type { ReplayRecording } from './types.js'

const NEWLINE = 0x0a
const OPEN_BRACKET = 0x5b

/**
 * Decode a Sentry `replay_recording` item: `{"segment_id":N}\n` then the rrweb events, either
 * plain JSON or compressed by the replay worker (zlib from the streaming compressor, gzip from
 * the one-shot path). Masking has to be checked on the inflated events, never on the wire bytes.
 *
 * @example
 * decodeReplayRecording(Buffer.concat([Buffer.from('{"segment_id":0}\n'), deflateSync('[]')])) // { segment_id: 0, events: [], encoding: 'zlib' }
 */
export function decodeReplayRecording(payload: Uint8Array, options: DecodeOptions = {}): ReplayRecording {
  const budget = budgetOf(options)
  const nl = toBuffer(payload).indexOf(NEWLINE)
  if (nl === -1) throw new DecodeError('replay_recording has no {"segment_id"} header line')
  const head = parseJson(payload.subarray(0, nl), 'replay_recording header')
  if (!isObject(head) || typeof head.segment_id !== 'number') {
    throw new DecodeError('replay_recording header has no numeric segment_id')
  }
  const data = payload.subarray(nl + 1)
  if (data.length === 0) throw new DecodeError('replay_recording has no recording data after its header')
  let encoding: ReplayRecording['encoding'] = 'none'
  let json: Uint8Array = data
  if (data[0] !== OPEN_BRACKET) {
    encoding = isGzip(data) ? 'gzip' : 'zlib'
    json = unzip(data, 'replay_recording data', budget)
  }
  const events = parseJson(json, 'replay_recording data')
  if (!Array.isArray(events)) throw new DecodeError('replay_recording data is not an array of rrweb events')
  return {
    segment_id: head.segment_id,
    events: events.map((e, i) => decodeRrwebEvent(e, `replay_recording event ${i}`, { budget })),
    encoding,
  }
}
