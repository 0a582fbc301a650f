import 'server-only'

/**
 * What an adapter reads from a provider's response. Every field is optional: what a response
 * does not carry is left out of the event rather than guessed.
 */
export interface GenerationReading {
  /** The model that answered (e.g. `gpt-4o-mini-2024-07-18`), which may differ from the one asked for. */
  model?: string
  /** The provider as the response names it (the AI SDK's `providerMetadata` key), if the call did not say. */
  provider?: string
  inputTokens?: number
  outputTokens?: number
  cacheReadInputTokens?: number
  cacheCreationInputTokens?: number
  /** `$ai_output_choices`, e.g. `[{ role: 'assistant', content }]`; sent only with `POSTHOG_LLM_PAYLOADS=1`. */
  output?: unknown
  stopReason?: string
  /** The model declined on policy (OpenAI `finish_reason: content_filter`, Anthropic `stop_reason: refusal`). */
  refused?: boolean
  httpStatus?: number
}

/** A streamed answer, folded chunk by chunk; `text` becomes the output at the end. */
export interface StreamReading extends GenerationReading {
  text: string
}

/** `token`: the chunk carried output (the first one sets time to first token); `meta`: understood, no output. */
export type ChunkKind = 'token' | 'meta'

/** Where a watched result reports its end (the AI SDK's `streamText`, which finishes later). */
export interface GenerationSink {
  token(): void
  done(reading: GenerationReading): void
  fail(error: unknown, reading?: GenerationReading): void
}

/**
 * Reads one client library's responses. `traceGeneration()` tries the built-in adapters in turn
 * unless one is given, so most calls need none. Write one for another client with `read` (and
 * `readChunk` if it streams).
 *
 * @example
 * const mistral: GenerationAdapter = {
 *   provider: 'mistral',
 *   read: (r) => isMistral(r) ? { model: r.model, inputTokens: r.usage.prompt_tokens, outputTokens: r.usage.completion_tokens } : undefined,
 * }
 */
export interface GenerationAdapter {
  /** `$ai_provider` when neither the call nor the response names one. */
  readonly provider: string
  /** Reads a finished response; undefined when it is not this library's shape. */
  read(result: unknown): GenerationReading | undefined
  /** Folds one streamed chunk into `into`; undefined when the chunk is not this library's shape. */
  readChunk?(chunk: unknown, into: StreamReading): ChunkKind | undefined
  /** Chunks the caller did not ask for (one the adapter requested), kept out of the caller's stream. */
  hides?(chunk: unknown): boolean
  /** For results that finish later without being an async iterable: watch them, report to `sink`, return true. */
  watch?(result: unknown, sink: GenerationSink): boolean
}

/** @internal A non-negative integer token count, or undefined: providers send null, -1 or nothing at times. */
export function tokens(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined
}

/** @internal */
export function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object'
}
