import 'server-only'
import { randomUUID } from 'node:crypto'
import { getConfig } from '../../shared/get-config.js'
import { rememberSentText } from '../../shared/sent-text.js'
import { warnOnce } from '../fail-open.js'
import { currentRequestContext } from '../request-context.js'
import type { GenerationAdapter, GenerationReading, GenerationSink, StreamReading } from './generation-adapter.js'
import type { GenerationRecord } from './generation-properties.js'
import { observeStream } from './observe-stream.js'
import { queueGeneration } from './queue-generation.js'
import { BUILT_IN_ADAPTERS, isAsyncIterable, unwrapWithResponse } from './read-response.js'

export interface GenerationMeta {
  /** `$ai_provider` (`openai`, `anthropic`, `azure`…); else the response's or the adapter's. */
  provider?: string
  /** The model asked for; the model named in the response wins when there is one. */
  model?: string
  /** `$ai_base_url`: the API the call went to (`client.baseURL`). */
  baseUrl?: string
  /** The prompt (a string or messages). Sent as `$ai_input` only with `POSTHOG_LLM_PAYLOADS=1`. */
  input?: unknown
  /** `$ai_span_name`, e.g. `summarize-ticket`. */
  name?: string
  /** Overrides the trace id (the request id inside `withTracking()`, else a fresh UUID). */
  traceId?: string
  /** `$ai_parent_id`, to nest the generation under your own span. */
  parentId?: string
  /** Overrides the distinct id (the request's user or visitor inside `withTracking()`). */
  distinctId?: string
  /** How to read the response; by default the built-in adapters are tried in turn. */
  adapter?: GenerationAdapter
}

/**
 * Traces one model call as a PostHog `$ai_generation`, whatever the client: runs `call`, reads
 * model, token usage and output from the response (OpenAI chat completions, Anthropic messages,
 * the AI SDK's `generateText` / `streamText`, or your own adapter), and queues the event for after
 * the response. Inside `withTracking()` the trace id is the request id and the distinct id the
 * request's user, so the generation sits on the request's timeline next to `api_request`.
 *
 * Returns exactly what `call` returns. A stream comes back as the same object, watched in
 * place: the event is sent when it ends (with `$ai_time_to_first_token`), fails, or the caller
 * stops reading. A failed call rethrows the original error after recording it with its category
 * `error_type`; a refused answer (content filter) is returned and recorded as an error. Tracing
 * never throws into the call and never waits on the network.
 *
 * @example
 * const completion = await traceGeneration(
 *   { provider: 'openai', model: 'gpt-4o-mini', input: messages, baseUrl: openai.baseURL },
 *   () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages }),
 * )
 */
export async function traceGeneration<T>(meta: GenerationMeta, call: () => T | PromiseLike<T>): Promise<T> {
  const span = startSpan(meta)
  let result: T
  try {
    result = await call()
  } catch (error) {
    keepPromptOut(error, meta.input)
    span?.fail(error)
    throw error
  }
  return span ? span.settle(result) : result
}

/**
 * Without `POSTHOG_LLM_PAYLOADS`, no prompt text may leave, not even quoted in a provider's error
 * message: the prompt is remembered on the error, and every report of it (PostHog, Sentry, this
 * one's `$ai_error`) removes it. With payloads on, the prompt is sent anyway.
 */
function keepPromptOut(error: unknown, input: unknown): void {
  try {
    const { posthog } = getConfig()
    if (!(posthog.enabled && posthog.llmPayloads)) rememberSentText(error, input)
  } catch (e) {
    warnOnce('traceGeneration prompt', e)
  }
}

interface Span extends GenerationSink {
  settle<T>(result: T): T
}

function startSpan(meta: GenerationMeta): Span | null {
  try {
    const config = getConfig()
    // PostHog off: no wrapping, no timers, the call runs as if untraced.
    if (!config.posthog.enabled) return null
    const started = performance.now()
    const context = currentRequestContext()
    const traceId = meta.traceId ?? context?.requestId ?? randomUUID()
    const spanId = randomUUID()
    let adapter = meta.adapter
    let stream = false
    let firstToken: number | undefined
    let reported = false
    const candidates = () => (adapter ? [adapter] : BUILT_IN_ADAPTERS)

    const report = (reading: GenerationReading, failed: boolean, error?: unknown) => {
      if (reported) return
      reported = true
      try {
        queueGeneration(recordOf(reading, failed, error), context, meta.distinctId)
      } catch (e) {
        warnOnce('traceGeneration report', e)
      }
    }
    const recordOf = (reading: GenerationReading, failed: boolean, error: unknown): GenerationRecord => {
      return {
        traceId,
        spanId,
        name: meta.name,
        parentId: meta.parentId,
        requestId: context?.requestId,
        provider: meta.provider ?? reading.provider ?? adapter?.provider ?? 'unknown',
        model: meta.model,
        baseUrl: meta.baseUrl,
        input: meta.input,
        latencyMs: performance.now() - started,
        stream,
        timeToFirstTokenMs: firstToken,
        reading,
        error,
        failed,
      }
    }

    const span: Span = {
      token: () => void (firstToken ??= performance.now() - started),
      done: (reading) => report(reading, false),
      fail: (error, reading = {}) => report(reading, true, error),
      settle<T>(result: T): T {
        try {
          const unwrapped = unwrapWithResponse(result)
          const value = unwrapped.data
          for (const candidate of candidates()) {
            if (candidate.watch?.(value, span)) {
              adapter = candidate
              stream = true
              return result
            }
          }
          if (isAsyncIterable(value)) {
            stream = true
            observeStream(value, streamHooks())
            return result
          }
          const found = pick(value)
          span.done({ ...found, ...(unwrapped.status !== undefined ? { httpStatus: unwrapped.status } : {}) })
        } catch (error) {
          warnOnce('traceGeneration read', error)
        }
        return result
      },
    }

    const pick = (value: unknown): GenerationReading => {
      for (const candidate of candidates()) {
        const reading = candidate.read(value)
        if (reading) {
          adapter = candidate
          return reading
        }
      }
      return {}
    }

    const streamHooks = () => {
      const reading: StreamReading = { text: '' }
      // Without payloads the text is never sent: don't hold a long answer in memory for nothing.
      const keepText = config.posthog.enabled && config.posthog.llmPayloads
      const finished = (): GenerationReading => {
        const { text, ...rest } = reading
        return { ...rest, output: [{ role: 'assistant', content: text }] }
      }
      return {
        chunk(value: unknown): boolean {
          try {
            let kind: ReturnType<NonNullable<GenerationAdapter['readChunk']>>
            for (const candidate of candidates()) {
              kind = candidate.readChunk?.(value, reading)
              if (kind) {
                adapter = candidate
                break
              }
            }
            if (kind === 'token') span.token()
            if (!keepText) reading.text = ''
            return !adapter?.hides?.(value)
          } catch (error) {
            warnOnce('traceGeneration chunk', error)
            return true
          }
        },
        end(error?: unknown) {
          try {
            if (error === undefined) span.done(finished())
            else {
              keepPromptOut(error, meta.input)
              span.fail(error, finished())
            }
          } catch (e) {
            warnOnce('traceGeneration stream end', e)
          }
        },
      }
    }

    return span
  } catch (error) {
    warnOnce('traceGeneration', error)
    return null
  }
}
