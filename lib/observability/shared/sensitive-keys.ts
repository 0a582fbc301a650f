/**
 * Which names mark a value as secret: header, cookie, query, property and `key=value` names alike.
 * Sentry Relay's default data scrubber and the JavaScript SDK's own snippet list are the floor
 * (docs/privacy.md lists every rule); the kit adds what those lists miss in practice.
 */

/** Names that are secret as a whole (headers, cookies), compared lower-cased. */
const EXACT = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
  'x-csrf-token',
  'x-xsrf-token',
  'x-session-id',
  'x-amz-security-token',
  'connect.sid',
  'phpsessid',
  'jsessionid',
  'asp.net_sessionid',
])

/**
 * Substrings that make any name secret, as in Relay (`password|secret|passwd|api_key|apikey|auth|
 * credentials|mysql_pwd|privatekey|private_key|token`) and the SDK (`jwt`, `bearer`, `csrf`,
 * `xsrf`, `pwd`, `sessid`). `auth` leaves out `author…`, which names people, not credentials.
 */
const PARTS =
  /password|passwd|passphrase|pwd|secret|token|api[-_]?key|auth(?!or)|credential|session|sessid|private[-_]?key|jwt|bearer|csrf|xsrf|signature|card[-_]?number|creditcard|credit[-_]card/

/** Short words that are secret only as a whole word of the name (`pass`, but not `passenger`). */
const WORDS = new Set(['pass', 'sid', 'ssn', 'cvv', 'cvc', 'cvv2', 'otp', 'pin', 'iban', '2fa', 'mfa'])

/**
 * Words that are secret in a URL's query or fragment only: OAuth's `code` and `state`, signed
 * URLs' `sig`, API keys passed as `?key=`. As object keys they are too common to filter
 * (`error.code`, a component's `state`).
 */
const URL_WORDS = new Set(['code', 'state', 'sig', 'key', 'nonce', 'ticket'])

/** Token counts (`input_tokens`, `max_tokens`) are numbers about a model call, not credentials. */
const COUNTS = /tokens$/

/** True for a name whose value must never leave: `Authorization`, `db_password`, `apiKey`, `connect.sid`. */
export function isSensitiveKey(key: string): boolean {
  return remembered(KEY_VERDICTS, key, judgeKey)
}

/** `isSensitiveKey`, plus the names that are secret in a URL: `?code=`, `?state=`, `?key=`, `?sig=`. */
export function isSensitiveQueryKey(key: string): boolean {
  return remembered(QUERY_VERDICTS, key, (k) => judgeKey(k) || words(k).some((w) => URL_WORDS.has(w)))
}

function judgeKey(key: string): boolean {
  const k = key.toLowerCase()
  if (EXACT.has(k)) return true
  if (PARTS.test(k) && !COUNTS.test(k)) return true
  return words(key).some((w) => WORDS.has(w))
}

/**
 * Events repeat the same few dozen names, and judging one splits it into words: verdicts are
 * kept, up to a bound, so a hostile stream of fresh names cannot grow memory.
 */
const MAX_VERDICTS = 4_096
const KEY_VERDICTS = new Map<string, boolean>()
const QUERY_VERDICTS = new Map<string, boolean>()

function remembered(verdicts: Map<string, boolean>, key: string, judge: (key: string) => boolean): boolean {
  const known = verdicts.get(key)
  if (known !== undefined) return known
  const verdict = judge(key)
  if (verdicts.size < MAX_VERDICTS && key.length <= 128) verdicts.set(key, verdict)
  return verdict
}

/** `connect.sid` → [connect, sid]; `userPass` → [user, pass]; `card[cvv]` → [card, cvv]. */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
}
