import 'server-only'
import { isObject, tokens, type ChunkKind, type GenerationAdapter, type GenerationReading, type StreamReading } from './generation-adapter.js'

/**
 * Reads `@anthropic-ai/sdk` messages (`messages.create`, whole or with `stream: true`, and an
 * iterated `messages.stream()`). Structural: the kit does not depend on the Anthropic SDK.
 * Usage arrives in two parts when streaming: input tokens in `message_start`, the cumulative
 * output count in `message_delta`.
 *
 * @example
 * await traceGeneration({ model, input: messages }, () => anthropic.messages.create({ model, max_tokens: 1024, messages }))
 */
export const anthropicMessages: GenerationAdapter = {
  provider: 'anthropic',
  read: readMessage,
  readChunk,
}

interface Usage {
  input_tokens?: unknown
  output_tokens?: unknown
  cache_read_input_tokens?: unknown
  cache_creation_input_tokens?: unknown
}

function readMessage(result: unknown): GenerationReading | undefined {
  if (!isObject(result) || result.type !== 'message' || !Array.isArray(result.content)) return undefined
  return {
    ...(typeof result.model === 'string' ? { model: result.model } : {}),
    ...usageOf(result.usage as Usage | undefined),
    output: [{ role: 'assistant', content: result.content }],
    ...stopOf(result.stop_reason),
  }
}

const EVENTS = new Set(['message_start', 'message_delta', 'message_stop', 'content_block_start', 'content_block_delta', 'content_block_stop', 'ping'])

function readChunk(event: unknown, into: StreamReading): ChunkKind | undefined {
  if (!isObject(event) || typeof event.type !== 'string' || !EVENTS.has(event.type)) return undefined
  switch (event.type) {
    case 'message_start': {
      const message = isObject(event.message) ? event.message : {}
      if (typeof message.model === 'string') into.model = message.model
      Object.assign(into, usageOf(message.usage as Usage | undefined))
      return 'meta'
    }
    case 'message_delta': {
      // `usage.output_tokens` here is the running total for the message, not an increment.
      Object.assign(into, usageOf(event.usage as Usage | undefined))
      if (isObject(event.delta)) Object.assign(into, stopOf(event.delta.stop_reason))
      return 'meta'
    }
    case 'content_block_delta': {
      const delta = isObject(event.delta) ? event.delta : {}
      if (typeof delta.text === 'string') into.text += delta.text
      return delta.type === 'text_delta' || delta.type === 'input_json_delta' || delta.type === 'thinking_delta' ? 'token' : 'meta'
    }
    default:
      return 'meta'
  }
}

function stopOf(reason: unknown): Partial<GenerationReading> {
  if (typeof reason !== 'string') return {}
  return { stopReason: reason, ...(reason === 'refusal' ? { refused: true } : {}) }
}

function usageOf(usage: Usage | null | undefined): Partial<GenerationReading> {
  if (!usage || typeof usage !== 'object') return {}
  const out: Partial<GenerationReading> = {}
  const input = tokens(usage.input_tokens)
  const output = tokens(usage.output_tokens)
  const cacheRead = tokens(usage.cache_read_input_tokens)
  const cacheWrite = tokens(usage.cache_creation_input_tokens)
  if (input !== undefined) out.inputTokens = input
  if (output !== undefined) out.outputTokens = output
  if (cacheRead) out.cacheReadInputTokens = cacheRead
  if (cacheWrite) out.cacheCreationInputTokens = cacheWrite
  return out
}
