import { decompressFromBase64 } from 'lz-string'
import { DecodeBudget } from './bytes.js'
import { DecodeError } from './decode-error.js'
import { MAX_DECODED_BYTES, MAX_LZ64_CHARS } from './limits.js'

/** lz-string's base64 pads with up to three `=`. */
const BASE64 = /^[A-Za-z0-9+/]+=*$/

/**
 * The `compression=lz64` encoding of older posthog-js releases (`LZString.compressToBase64`),
 * which PostHog's capture still accepts. lz-string cannot stop at an output size, so the input is
 * bounded instead ({@link MAX_LZ64_CHARS}: its worst case stays well inside the budget), and the
 * output is then counted against the request's budget like any other layer.
 *
 * @example
 * decompressLz64('N4Ig...') // '{"event":"x"}'
 */
export function decompressLz64(input: string, budget = new DecodeBudget(MAX_DECODED_BYTES)): string {
  if (input === '') throw new DecodeError('lz64 body is empty')
  if (input.length > MAX_LZ64_CHARS) throw new DecodeError(`lz64 body has ${input.length} characters; at most ${MAX_LZ64_CHARS} are decompressed`, 413)
  // lz-string reads a character outside its alphabet as zero bits; refuse it instead of guessing.
  if (!BASE64.test(input)) throw new DecodeError('lz64 body has a character outside base64')
  let out: string | null
  try {
    out = decompressFromBase64(input)
  } catch {
    out = null
  }
  // null: a code that names no dictionary entry. A truncated body gives '' and fails as JSON.
  if (typeof out !== 'string') throw new DecodeError('lz64 body is not lz-string data')
  budget.charge(out.length, 'lz64 body')
  return out
}
