import type { ErrorType } from './categorize.js'
import type { UserProperties } from './user.js'

/**
 * The typed event catalogue (docs/events.md). Capture helpers accept only these shapes, so a typo
 * in a property name is a compile error, not a silently broken dashboard.
 */

type UserInline = Partial<Omit<UserProperties, 'user_id'>>

export interface ApiRequestProperties extends UserInline {
  endpoint: string
  method: string
  status_code: number
  response_time_ms: number
  request_id: string
  success: boolean
  user_id: string
  environment: string
  release: string
}

export interface ApiErrorProperties extends UserInline {
  error_type: ErrorType
  error_message: string
  exception_type: string
  endpoint: string
  method: string
  status_code: number
  request_id: string
  traceback: string
  user_id: string
  environment: string
  /** The Sentry event id, so PostHog links to Sentry. */
  sentry_event_id?: string
}

export interface SlowRequestProperties extends UserInline {
  endpoint: string
  method: string
  duration_ms: number
  threshold_ms: number
  request_id: string
  user_id: string
  environment: string
}

/**
 * One model call (PostHog LLM analytics' `$ai_generation`). `$ai_input` / `$ai_output_choices`
 * exist only with `POSTHOG_LLM_PAYLOADS=1`; latencies are in seconds, as PostHog expects.
 */
export interface AiGenerationProperties {
  /** The request id inside a tracked request, so the generation joins the request's timeline. */
  $ai_trace_id: string
  $ai_span_id: string
  $ai_span_name?: string
  $ai_parent_id?: string
  $ai_provider: string
  $ai_model: string
  $ai_latency: number
  $ai_input_tokens?: number
  $ai_output_tokens?: number
  $ai_cache_read_input_tokens?: number
  $ai_cache_creation_input_tokens?: number
  /** Absent when no HTTP response came back (timeouts, refused connections). */
  $ai_http_status?: number
  $ai_base_url?: string
  $ai_is_error: boolean
  $ai_error?: string
  $ai_stop_reason?: string
  $ai_time_to_first_token?: number
  $ai_stream?: boolean
  $ai_input?: unknown
  $ai_output_choices?: unknown
  request_id?: string
  environment: string
  release: string
  /** The error category (docs/events.md) of a failed or refused call. */
  error_type?: ErrorType
}

export type ServerEvent =
  | { event: 'api_request'; properties: ApiRequestProperties }
  | { event: 'api_error'; properties: ApiErrorProperties }
  | { event: 'slow_request'; properties: SlowRequestProperties }
  | { event: '$ai_generation'; properties: AiGenerationProperties }

export type ServerEventName = ServerEvent['event']
export type PropertiesOf<E extends ServerEventName> = Extract<ServerEvent, { event: E }>['properties']
