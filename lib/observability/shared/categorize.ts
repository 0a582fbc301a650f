import { firstLine, type NormalizedError } from './errors.js'

/** The error categories of docs/events.md "Error categories". */
export type ErrorType = 'connection_error' | 'content_filter' | 'quota_error' | 'auth_error' | 'validation_error' | 'provider_error' | 'application_error'

export type UserImpact = 'high' | 'medium' | 'low'

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
])

interface Inspectable {
  name?: unknown
  code?: unknown
  status?: unknown
  statusCode?: unknown
  type?: unknown
  cause?: unknown
  error?: unknown
  /** The AI SDK's `RetryError` keeps the provider's error here. */
  lastError?: unknown
  /** The AI SDK's `APICallError` keeps the parsed error body here (`{ error: { code, type } }`). */
  data?: unknown
}

/**
 * Classifies a failure by its name, code, HTTP status and message, looking through `cause`
 * chains (fetch wraps ECONNREFUSED in `TypeError: fetch failed`; the AI SDK wraps the provider's
 * error in `RetryError.lastError` and its body in `APICallError.data`). Works with the error
 * classes of the `openai`, `@anthropic-ai/sdk` and `ai` packages without importing them: the
 * first two leave `name` as `'Error'`, so the constructor name (`RateLimitError`,
 * `APIConnectionTimeoutError`…) stands in for it.
 */
export function categorizeError(thrown: unknown, normalized?: Pick<NormalizedError, 'type' | 'message'>): ErrorType {
  const chain = causes(thrown)
  const name = normalized?.type ?? nameOf(thrown)
  const message = (normalized?.message ?? String((thrown as { message?: unknown } | null)?.message ?? '')).toLowerCase()

  for (const e of chain) {
    const code = typeof e.code === 'string' ? e.code.toUpperCase() : ''
    const type = typeof e.type === 'string' ? e.type.toLowerCase() : ''
    const n = nameOf(e)
    if (code.includes('CONTENT_FILTER') || code === 'CONTENT_POLICY_VIOLATION' || type.includes('content_filter') || /ContentFilter|Refusal/.test(n))
      return 'content_filter'
    if (
      code === 'INSUFFICIENT_QUOTA' ||
      code === 'RATE_LIMIT_EXCEEDED' ||
      type.includes('rate_limit') ||
      type === 'insufficient_quota' ||
      /RateLimit|Quota/i.test(n)
    )
      return 'quota_error'
    if (NETWORK_CODES.has(code) || /Connection|Timeout|AbortError/.test(n)) return 'connection_error'
  }

  // The status may sit one link down (the AI SDK's RetryError carries none, its lastError does).
  const upstream = chain.find((e) => httpStatus(e) !== undefined)
  const status = upstream ? httpStatus(upstream) : undefined
  if (status === 429) return 'quota_error'
  if (status === 401 || status === 403) return 'auth_error'
  if (status === 400 || status === 409 || status === 413 || status === 422) {
    if (/content[ _-]?(filter|policy|management)|safety system|flagged/.test(message)) return 'content_filter'
    return 'validation_error'
  }
  if (status !== undefined && status >= 500 && status < 600 && isUpstream(upstream)) return 'provider_error'

  if (/content[ _-]?filter|content management policy|content policy/.test(message)) return 'content_filter'
  if (/rate.?limit|quota|insufficient.?(balance|credit|funds)|too many requests/.test(message)) return 'quota_error'
  // By message too: bundlers minify class names (`APIConnectionTimeoutError` becomes `eF` in a
  // `next build` server chunk), and these clients leave `name` as 'Error'.
  if (
    /fetch failed|socket hang up|network ?error|econnrefused|econnreset|client (closed|disconnected|went away)|aborted|timed out|^connection error/.test(
      message,
    )
  )
    return 'connection_error'
  if (/Unauthori[sz]ed|Forbidden|Authentication|Permission|Auth/.test(name)) return 'auth_error'
  if (/Validation|ZodError|BadRequest|Invalid|Unprocessable/.test(name)) return 'validation_error'
  if (/Provider|Upstream|APIError|InternalServer|ServiceUnavailable|Overloaded|BadGateway/.test(name)) return 'provider_error'
  return 'application_error'
}

/** An HTTP status carried by the error (`status`, `statusCode`, `response.status`), if any. */
export function httpStatus(thrown: unknown): number | undefined {
  const e = thrown as (Inspectable & { response?: { status?: unknown } }) | null
  if (!e || typeof e !== 'object') return undefined
  for (const v of [e.status, e.statusCode, e.response?.status]) {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 100 && v < 600) return v
  }
  return undefined
}

/** Errors thrown by API clients (openai, anthropic, the AI SDK, fetch wrappers) rather than our own code. */
function isUpstream(thrown: unknown): boolean {
  const e = thrown as (Inspectable & { headers?: unknown; responseHeaders?: unknown; request_id?: unknown; requestID?: unknown }) | undefined
  if (!e || typeof e !== 'object') return false
  return 'headers' in e || 'responseHeaders' in e || 'request_id' in e || 'requestID' in e || /API|Provider|Upstream|Server/.test(nameOf(e))
}

/** `name`, or the constructor's name when `name` is the generic `'Error'` (Stainless-generated SDK errors). */
function nameOf(thrown: unknown): string {
  if (!thrown || typeof thrown !== 'object') return ''
  const name = (thrown as Inspectable).name
  if (typeof name === 'string' && name && name !== 'Error') return name
  const ctor = (thrown as object).constructor?.name
  return ctor && ctor !== 'Object' ? ctor : typeof name === 'string' ? name : ''
}

function causes(thrown: unknown): Inspectable[] {
  const out: Inspectable[] = []
  let e: unknown = thrown
  for (let i = 0; i < 6 && e && typeof e === 'object'; i++) {
    out.push(e as Inspectable)
    const x = e as Inspectable
    e = x.cause ?? x.error ?? x.lastError ?? x.data
  }
  return out
}

/**
 * Sentry's fingerprint (docs/events.md "Sentry"): `[type, error_type]`, or `[type, first line]` for
 * uncategorised errors so distinct bugs of one class do not merge into one issue.
 */
export function fingerprint(normalized: Pick<NormalizedError, 'type' | 'message'>, errorType: ErrorType): [string, string] {
  return [normalized.type, errorType === 'application_error' ? firstLine(normalized.message) || 'application_error' : errorType]
}

/**
 * Expected client errors (4xx other than 401, 403 and 429) are the caller's mistake, not ours:
 * they stay out of Sentry but still count in `api_request`.
 */
export function isExpectedClientError(status: number): boolean {
  return status >= 400 && status < 500 && status !== 401 && status !== 403 && status !== 429
}

export interface ImpactContext {
  readonly errorType: ErrorType
  readonly statusCode: number
  readonly method: string
  readonly endpoint: string
}

export type UserImpactRule = (ctx: ImpactContext) => UserImpact | undefined

/**
 * Default impact: a bug or a locked-out user is high; a degraded dependency (likely transient,
 * retryable) is medium; refused input is low. Writes (non-GET) bump medium to high, since a lost
 * write is worse than a failed read.
 */
export function defaultUserImpact(ctx: ImpactContext): UserImpact {
  switch (ctx.errorType) {
    case 'application_error':
    case 'auth_error':
      return 'high'
    case 'provider_error':
    case 'connection_error':
    case 'quota_error':
      return ctx.method === 'GET' || ctx.method === 'HEAD' ? 'medium' : 'high'
    case 'validation_error':
    case 'content_filter':
      return 'low'
  }
}

/** Applies the app's rules in order, the first answer wins, then the default. */
export function userImpact(ctx: ImpactContext, rules: readonly UserImpactRule[] = []): UserImpact {
  for (const rule of rules) {
    try {
      const r = rule(ctx)
      if (r === 'high' || r === 'medium' || r === 'low') return r
    } catch {
      // A broken rule must not break capture.
    }
  }
  return defaultUserImpact(ctx)
}
