/**
 * Secrets recognised by their shape, wherever they stand in free text: bearer and basic
 * credentials, JWTs, private keys, card numbers (Luhn), IBANs (ISO 13616 check digits) and US
 * social security numbers. Each rule replaces only the secret, so the words around it stay
 * readable. Checksums, not prefix lists, decide cards and IBANs: an order number, a UUID or a
 * timestamp of the same length survives.
 */

const BEARER = /\b(Bearer|Basic|Digest)\s+[A-Za-z0-9._~+/=-]{6,}|\b(Token)\s+[A-Za-z0-9._~+/=-]{16,}/gi
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g
const PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g
// No lookbehind: Safari before 16.4 cannot parse it, and this module ships to browsers. The
// character before a match is captured and put back instead.
const SSN = /(^|[^\w-])(\d{3}-\d{2}-\d{4})(?![\w-])/g
/** 13–19 digits, contiguous or in the groups cards are printed in (4-4-4-4…, Amex 4-6-5). */
const CARD = /(^|[^\w-])(\d{13,19}|\d{4}([ -])\d{4}\3\d{4}\3\d{1,7}|\d{4}([ -])\d{6}\4\d{4,5})(?![\w-])/g
/** Cheap tests that rule most text out before the full patterns run (UUIDs, timestamps). */
const MAYBE_CARD = /\d(?:[ -]?\d){12}/
const MAYBE_SSN = /\d{3}-\d{2}-\d{4}/
const IBAN_CANDIDATE = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,34}/g

/** Applies every shape rule, replacing each secret with `mark`. */
export function replaceSecretShapes(text: string, mark: string): string {
  let out = text
  if (/bearer|basic|digest|token/i.test(out)) out = out.replace(BEARER, (_m, scheme?: string, token?: string) => `${scheme ?? token} ${mark}`)
  if (out.includes('eyJ')) out = out.replace(JWT, mark)
  if (out.includes('-----BEGIN')) out = out.replace(PEM, mark)
  if (/\d{4}/.test(out)) {
    if (MAYBE_CARD.test(out)) out = out.replace(CARD, (m, before: string, digits: string) => (isCardNumber(digits) ? before + mark : m))
    if (MAYBE_SSN.test(out)) out = out.replace(SSN, (_m, before: string) => before + mark)
    if (/[A-Z]{2}\d{2}/.test(out)) out = replaceIbans(out, mark)
  }
  return out
}

/**
 * A payment card number: 13–19 digits passing the Luhn check, led by a major industry identifier
 * that card networks use (2–6). Epoch timestamps (leading 1) and most order ids fail one or the other.
 */
export function isCardNumber(text: string): boolean {
  const digits = text.replace(/[ -]/g, '')
  if (digits.length < 13 || digits.length > 19 || !/^[2-6]/.test(digits)) return false
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

/** IBAN lengths by country (the SWIFT IBAN registry). */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
}

/** IBANs, printed with or without the usual spaces, whose check digits are right. */
function replaceIbans(text: string, mark: string): string {
  return text.replace(IBAN_CANDIDATE, (candidate) => {
    const length = IBAN_LENGTHS[candidate.slice(0, 2)]
    if (!length) return candidate
    // The candidate may run on into the next word: take exactly the country's length.
    let compact = ''
    let end = 0
    while (end < candidate.length && compact.length < length) {
      if (candidate[end] !== ' ') compact += candidate[end]
      end++
    }
    if (compact.length !== length || /[A-Z0-9]/.test(candidate[end] ?? '') || !ibanChecksumValid(compact)) return candidate
    return mark + candidate.slice(end)
  })
}

function ibanChecksumValid(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4)
  let remainder = 0
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0)
    const value = code >= 65 ? String(code - 55) : ch
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97
  }
  return remainder === 1
}
