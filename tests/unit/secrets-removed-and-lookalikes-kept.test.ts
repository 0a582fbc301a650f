import { describe, expect, it } from 'vitest'
import { isCardNumber } from '@/lib/observability/shared/secret-patterns'
import { FILTERED, isSensitiveKey, isSensitiveQueryKey, scrubDeep, scrubString, scrubUrl } from '@/lib/observability/shared/scrub'

/**
 * The privacy policy's rules one by one: every secret of the security review and of Relay's
 * default scrubber goes; values that merely look like secrets (order ids, UUIDs, timestamps,
 * counts) stay, so events keep what debugging needs.
 */

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFkYSJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'

describe('the review’s error message loses every secret and keeps its words', () => {
  const message = `login failed for password=Tr0ub4dor&3 api_key=sk_live_4eC39HqLyjWDarjtT1zdp7dc Authorization: Bearer abcDEF123456ghiJKL ${JWT} card 4111 1111 1111 1111 postgres://app:S3cretPw@db/app`

  it('removes them all', () => {
    const out = scrubString(message)
    for (const secret of ['Tr0ub4dor', 'sk_live_4eC39', 'abcDEF123456', 'eyJhbGci', '4111 1111', 'S3cretPw']) expect(out, secret).not.toContain(secret)
    expect(out).toContain('login failed for password=')
    expect(out).toContain('postgres://app:[Filtered]@db/app')
    expect(out).toContain('Authorization:')
  })
})

describe('names Relay filters by default are filtered', () => {
  it.each([
    'pwd',
    'mysql_pwd',
    'pass',
    'userPass',
    'credential',
    'credentials',
    'signature',
    'X-Amz-Signature',
    'sid',
    'connect.sid',
    'PHPSESSID',
    'JSESSIONID',
    'jwt',
    '_csrf',
    'csrf-token',
    'xsrf_token',
    'ssn',
    'cvv',
    'card[cvc]',
    'otp',
    'two_factor_auth',
    'private_key',
    'privateKey',
    'passphrase',
    'client_secret',
    'refresh_token',
    'apiKey',
    'x-api-key',
    'Authorization',
    'cardNumber',
    'iban',
  ])('%s', (key) => expect(isSensitiveKey(key)).toBe(true))

  it.each(['code', 'state', 'key', 'sig', 'nonce'])('OAuth and signed-URL name %s, in a URL only', (key) => {
    expect(isSensitiveQueryKey(key)).toBe(true)
    expect(isSensitiveKey(key)).toBe(false)
  })

  it.each([
    'passenger',
    'compass',
    'bypassCache',
    'author',
    'authority',
    'input_tokens',
    'max_tokens',
    'page',
    'endpoint',
    'user-agent',
    'classname',
    'keyboard',
    'pinned',
  ])('%s is not secret', (key) => expect(isSensitiveKey(key)).toBe(false))
})

describe('secrets are recognised by shape in free text', () => {
  it.each([
    ['Visa', '4111111111111111'],
    ['Visa, spaced', '4012 8888 8888 1881'],
    ['Mastercard', '5555555555554444'],
    ['Mastercard 2-series', '2223003122003222'],
    ['Amex, dashed 4-6-5', '3782-822463-10005'],
    ['Discover', '6011111111111117'],
    ['JCB', '3530111333300000'],
    ['Diners (14 digits)', '30569309025904'],
    ['UnionPay (19 digits)', '6205500000000000004'],
    ['Maestro', '6759649826438453'],
  ])('%s card number', (_name, card) => {
    expect(isCardNumber(card)).toBe(true)
    expect(scrubString(`paid with ${card} today`)).toBe(`paid with ${FILTERED} today`)
  })

  it.each([
    ['German IBAN', 'DE89370400440532013000'],
    ['British IBAN, printed in groups', 'GB82 WEST 1234 5698 7654 32'],
    ['French IBAN', 'FR1420041010050500013M02606'],
    ['Norwegian IBAN (15)', 'NO9386011117947'],
  ])('%s', (_name, iban) => expect(scrubString(`refund to ${iban}, thanks`)).toBe(`refund to ${FILTERED}, thanks`))

  it('bare JWTs, bearer and basic credentials, private keys, SSNs', () => {
    expect(scrubString(`session ${JWT} expired`)).toBe(`session ${FILTERED} expired`)
    expect(scrubString('Authorization: Basic dXNlcjpwYXNz')).not.toContain('dXNlcjpwYXNz')
    expect(scrubString('sent Bearer abc.def-123_456 upstream')).toBe(`sent Bearer ${FILTERED} upstream`)
    expect(scrubString('key -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY----- end')).toBe(`key ${FILTERED} end`)
    expect(scrubString('ssn 078-05-1120 on file')).toBe(`ssn ${FILTERED} on file`)
  })

  it('URL credentials, with or without a user name', () => {
    expect(scrubUrl('https://user:hunter22@example.com/x')).toBe(`https://user:${FILTERED}@example.com/x`)
    expect(scrubUrl('redis://:s3cr3tpass@cache:6379/0')).toBe(`redis://:${FILTERED}@cache:6379/0`)
  })

  it('sensitive query and fragment values, OAuth code and state included', () => {
    expect(scrubUrl('/cb?code=4/0AfJohXk&state=xyz789&page=2#access_token=ya29.abc&expires_in=3599')).toBe(
      `/cb?code=${FILTERED}&state=${FILTERED}&page=2#access_token=${FILTERED}&expires_in=3599`,
    )
    expect(scrubUrl('https://maps.example/api?key=AIzaSyA-123&q=paris')).toBe(`https://maps.example/api?key=${FILTERED}&q=paris`)
  })

  it('secrets inside any encoded query value', () => {
    expect(scrubUrl('/search?q=card+4111+1111+1111+1111+please&page=2')).toBe(`/search?q=card%20${FILTERED}%20please&page=2`)
    expect(scrubUrl('/x?msg=login%20password%3Dhunter2')).toBe(`/x?msg=login%20password%3D${FILTERED}`)
    expect(scrubUrl('/x?msg=hello+world&page=2')).toBe('/x?msg=hello+world&page=2')
  })

  it('key: value, key=value and quoted JSON pairs', () => {
    expect(scrubString('db error: password: hunter2, retrying')).toBe(`db error: password: ${FILTERED}, retrying`)
    expect(scrubString('{"user":"ada","password":"two words","token": "t0k"}')).toBe(`{"user":"ada","password":"${FILTERED}","token": "${FILTERED}"}`)
    expect(scrubString("config secret='abc' loaded")).toBe(`config secret='${FILTERED}' loaded`)
  })
})

describe('values that only look like secrets survive', () => {
  it.each([
    ['an order id', 'order ORD-2024-000123 shipped'],
    ['a 16-digit reference failing Luhn', 'reference 4111111111111112 not found'],
    ['a UUID', 'request 0f8fad5b-d9cb-469f-a165-70867728950e failed'],
    ['an all-digit UUID', 'id 12345678-1234-1234-1234-123456789012 unknown'],
    ['an epoch in milliseconds', 'at 1733529600000 the job ran'],
    ['an epoch in microseconds', 'at 1733529600000123 the job ran'],
    ['an ISO timestamp', 'at 2026-12-07T00:36:18.123Z the job ran'],
    ['a phone number', 'call +44 20 7946 0958'],
    ['an error code', 'failed with code=E_TIMEOUT after 3 tries'],
    ['a count of tokens', 'input_tokens: 1234, max_tokens=4096'],
    ['an author', 'author: Ada Lovelace'],
    ['a route pattern', 'GET /api/items/[id]'],
  ])('%s', (_name, text) => expect(scrubString(text)).toBe(text))

  it('and in objects, counts and error codes keep their values', () => {
    expect(scrubDeep({ code: 'ECONNREFUSED', state: 'open', usage: { input_tokens: 10 }, key: 'demo-flag' })).toEqual({
      code: 'ECONNREFUSED',
      state: 'open',
      usage: { input_tokens: 10 },
      key: 'demo-flag',
    })
  })
})

describe('a URL used as a name is scrubbed as one', () => {
  it('heatmap data keyed by page URL', () => {
    expect(scrubDeep({ 'http://app/x?token=abc': [1] })).toEqual({ [`http://app/x?token=${FILTERED}`]: [1] })
  })
})
