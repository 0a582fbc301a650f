import 'server-only'
import type { ObservabilityConfig } from '../../shared/config.js'
import { categorizeError, httpStatus, type ErrorType } from '../../shared/categorize.js'
import { normalizeError } from '../../shared/errors.js'
import type { AiGenerationProperties } from '../../shared/events.js'
import { fitPayloads } from './llm-payload.js'
import { truncate } from './truncate.js'
import type { GenerationReading } from './generation-adapter.js'

/** `$ai_error` is for telling failures apart, not for dumping provider bodies. */
const MAX_ERROR_CHARS = 1_000
const MAX_LABEL_CHARS = 200

/** @internal Everything known about one finished call. */
export interface GenerationRecord {
  readonly traceId: string
  readonly spanId: string
  readonly name?: string
  readonly parentId?: string
  readonly requestId?: string
  readonly provider: string
  readonly model?: string
  readonly baseUrl?: string
  readonly input?: unknown
  readonly latencyMs: number
  readonly stream: boolean
  readonly timeToFirstTokenMs?: number
  readonly reading: GenerationReading
  readonly error?: unknown
  readonly failed: boolean
}

type PostHogOn = Extract<ObservabilityConfig['posthog'], { enabled: true }>

/**
 * @internal The `$ai_generation` properties for one call, under the payload policy: prompts and
 * completions only with `POSTHOG_LLM_PAYLOADS=1`, cut at `POSTHOG_LLM_PAYLOAD_MAX_CHARS`, and the
 * serialized event kept under PostHog's per-event byte limit whatever the text.
 */
export function generationProperties(r: GenerationRecord, posthog: PostHogOn, release: string): AiGenerationProperties {
  const { reading } = r
  const errorType: ErrorType | undefined = r.failed
    ? r.error !== undefined
      ? categorizeError(r.error, normalizeError(r.error))
      : 'application_error'
    : reading.refused
      ? 'content_filter'
      : undefined
  const status = r.failed ? statusOf(r.error) : (reading.httpStatus ?? 200)
  const base: AiGenerationProperties = {
    $ai_trace_id: r.traceId,
    $ai_span_id: r.spanId,
    ...(r.name ? { $ai_span_name: truncate(r.name, MAX_LABEL_CHARS) } : {}),
    ...(r.parentId ? { $ai_parent_id: r.parentId } : {}),
    $ai_provider: truncate(r.provider, MAX_LABEL_CHARS),
    $ai_model: truncate(reading.model ?? r.model ?? 'unknown', MAX_LABEL_CHARS),
    $ai_latency: seconds(r.latencyMs),
    ...(reading.inputTokens !== undefined ? { $ai_input_tokens: reading.inputTokens } : {}),
    ...(reading.outputTokens !== undefined ? { $ai_output_tokens: reading.outputTokens } : {}),
    ...(reading.cacheReadInputTokens ? { $ai_cache_read_input_tokens: reading.cacheReadInputTokens } : {}),
    ...(reading.cacheCreationInputTokens ? { $ai_cache_creation_input_tokens: reading.cacheCreationInputTokens } : {}),
    ...(status !== undefined ? { $ai_http_status: status } : {}),
    // A base URL may carry a key (`?api-key=` on Azure, `user:pass@`): `capture()` scrubs it like any URL.
    ...(r.baseUrl ? { $ai_base_url: truncate(r.baseUrl, MAX_LABEL_CHARS) } : {}),
    $ai_is_error: errorType !== undefined,
    ...(errorType ? { $ai_error: errorText(r, errorType), error_type: errorType } : {}),
    ...(reading.stopReason ? { $ai_stop_reason: truncate(reading.stopReason, MAX_LABEL_CHARS) } : {}),
    ...(r.stream ? { $ai_stream: true } : {}),
    ...(r.stream && r.timeToFirstTokenMs !== undefined ? { $ai_time_to_first_token: seconds(r.timeToFirstTokenMs) } : {}),
    ...(r.requestId ? { request_id: r.requestId } : {}),
    environment: posthog.environment,
    release,
  }
  if (!posthog.llmPayloads) return base
  return fitPayloads(
    base,
    { ...(r.input !== undefined ? { $ai_input: asMessages(r.input) } : {}), ...(reading.output !== undefined ? { $ai_output_choices: reading.output } : {}) },
    posthog.llmPayloadMaxChars,
  )
}

function errorText(r: GenerationRecord, errorType: ErrorType): string {
  if (!r.failed) return `${errorType}: the model declined to answer (stop reason ${r.reading.stopReason ?? 'unknown'})`
  const n = normalizeError(r.error)
  // A bundled server minifies class names (`APIConnectionTimeoutError` → `eF`): such a name says nothing.
  const type = /^[A-Za-z_$][\w$]{0,2}$/.test(n.type) ? 'Error' : n.type
  return truncate(`${type}: ${n.message}`, MAX_ERROR_CHARS)
}

/** The HTTP status of a failed call, looking one or two links down (the AI SDK's RetryError → lastError). */
function statusOf(error: unknown): number | undefined {
  let e: unknown = error
  for (let i = 0; i < 3 && e && typeof e === 'object'; i++) {
    const status = httpStatus(e)
    if (status !== undefined) return status
    const x = e as { lastError?: unknown; cause?: unknown }
    e = x.lastError ?? x.cause
  }
  return undefined
}

/** A bare prompt string is shown by PostHog as one user message. */
function asMessages(input: unknown): unknown {
  return typeof input === 'string' ? [{ role: 'user', content: input }] : input
}

function seconds(ms: number): number {
  return Math.round(Math.max(0, ms)) / 1000
}
