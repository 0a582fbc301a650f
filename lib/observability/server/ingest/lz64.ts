import { DecodeError } from './decode-error'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='
const VALUE = new Map([...ALPHABET].map((ch, i) => [ch, i]))

/**
 * `LZString.decompressFromBase64`, the `compression=lz64` encoding of older posthog-js
 * releases. PostHog's capture still accepts it, so the local decoder does too, without taking
 * a dependency for a legacy path.
 *
 * @example
 * decompressLz64('N4Ig...') // '{"event":"x"}'
 */
export function decompressLz64(input: string): string {
  if (input === '') throw new DecodeError('lz64 body is empty')
  let index = 0
  const next = (): number => {
    const at = index++
    if (at >= input.length) return 0
    const v = VALUE.get(input.charAt(at))
    if (v === undefined) throw new DecodeError(`lz64 body has a non-base64 character at ${at}`)
    return v
  }
  let value = next()
  let position = 32
  const readBits = (count: number): number => {
    let bits = 0
    for (let power = 1; power !== 1 << count; power <<= 1) {
      const bit = value & position
      position >>= 1
      if (position === 0) {
        position = 32
        value = next()
      }
      if (bit > 0) bits |= power
    }
    return bits
  }

  const dictionary: string[] = ['', '', '']
  let enlargeIn = 4
  let numBits = 3
  const first = readBits(2)
  if (first === 2) return ''
  if (first !== 0 && first !== 1) throw new DecodeError('lz64 body has an invalid first token')
  let w = String.fromCharCode(readBits(first === 0 ? 8 : 16))
  dictionary[3] = w
  const out: string[] = [w]

  for (;;) {
    if (index > input.length) throw new DecodeError('lz64 body ends without a terminator')
    let c = readBits(numBits)
    if (c === 2) return out.join('')
    if (c === 0 || c === 1) {
      dictionary.push(String.fromCharCode(readBits(c === 0 ? 8 : 16)))
      c = dictionary.length - 1
      if (--enlargeIn === 0) enlargeIn = 1 << numBits++
    }
    let entry: string
    const known = dictionary[c]
    if (known !== undefined && c >= 3) entry = known
    else if (c === dictionary.length) entry = w + w.charAt(0)
    else throw new DecodeError('lz64 body refers to an unknown dictionary entry')
    out.push(entry)
    dictionary.push(w + entry.charAt(0))
    w = entry
    if (--enlargeIn === 0) enlargeIn = 1 << numBits++
  }
}
