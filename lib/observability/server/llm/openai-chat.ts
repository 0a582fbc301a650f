import 'server-only'
import { isObject, tokens, type ChunkKind, type GenerationAdapter, type GenerationReading, type StreamReading } from './generation-adapter.js'

/**
 * Reads the official `openai` client's chat completions (`chat.completions.create`), whole or
 * streamed, and any OpenAI-compatible server's (Azure, Groq, vLLM, OpenRouter…). Structural: it
 * imports nothing from `openai`, so it also reads responses of other versions.
 *
 * Streams report usage only in a last chunk, and only when the request asked for it with
 * `stream_options: { include_usage: true }`; `traceOpenAIChat()` asks for it.
 *
 * @example
 * await traceGeneration({ model, input: messages, adapter: openAIChat }, () => client.chat.completions.create({ model, messages }))
 */
export const openAIChat: GenerationAdapter = {
  provider: 'openai',
  read: readCompletion,
  readChunk,
}

/**
 * @internal `openAIChat` for a stream whose usage chunk we requested: that chunk (no choices) is
 * consumed by the trace and kept from the caller, who did not ask for it and may index `choices[0]`.
 */
export const openAIChatWithHiddenUsage: GenerationAdapter = {
  ...openAIChat,
  hides: (chunk) => isObject(chunk) && Array.isArray(chunk.choices) && chunk.choices.length === 0 && isObject(chunk.usage),
}

interface Usage {
  prompt_tokens?: unknown
  completion_tokens?: unknown
  prompt_tokens_details?: { cached_tokens?: unknown } | null
}

function readCompletion(result: unknown): GenerationReading | undefined {
  if (!isObject(result) || !Array.isArray(result.choices) || !(result.object === 'chat.completion' || isObject(result.usage))) return undefined
  const choices = result.choices.filter(isObject)
  const refused = choices.some((c) => c.finish_reason === 'content_filter')
  return {
    ...(typeof result.model === 'string' ? { model: result.model } : {}),
    ...usageOf(result.usage as Usage | undefined),
    output: choices.map((c) =>
      isObject(c.message)
        ? { role: c.message.role ?? 'assistant', content: c.message.content ?? null, ...(c.message.tool_calls ? { tool_calls: c.message.tool_calls } : {}) }
        : null,
    ),
    ...(typeof choices[0]?.finish_reason === 'string' ? { stopReason: choices[0].finish_reason } : {}),
    ...(refused ? { refused } : {}),
  }
}

function readChunk(chunk: unknown, into: StreamReading): ChunkKind | undefined {
  if (!isObject(chunk) || !Array.isArray(chunk.choices) || (chunk.object !== undefined && chunk.object !== 'chat.completion.chunk')) return undefined
  if (typeof chunk.model === 'string' && chunk.model) into.model = chunk.model
  if (isObject(chunk.usage)) Object.assign(into, usageOf(chunk.usage as Usage))
  let kind: ChunkKind = 'meta'
  for (const choice of chunk.choices) {
    if (!isObject(choice)) continue
    const delta = isObject(choice.delta) ? choice.delta : {}
    if (typeof delta.content === 'string' && delta.content) {
      into.text += delta.content
      kind = 'token'
    }
    if (Array.isArray(delta.tool_calls) && delta.tool_calls.length) kind = 'token'
    if (typeof choice.finish_reason === 'string') {
      into.stopReason = choice.finish_reason
      if (choice.finish_reason === 'content_filter') into.refused = true
    }
  }
  return kind
}

function usageOf(usage: Usage | null | undefined): Partial<GenerationReading> {
  if (!usage || typeof usage !== 'object') return {}
  const input = tokens(usage.prompt_tokens)
  const output = tokens(usage.completion_tokens)
  const cached = tokens(usage.prompt_tokens_details?.cached_tokens)
  return {
    ...(input !== undefined ? { inputTokens: input } : {}),
    ...(output !== undefined ? { outputTokens: output } : {}),
    ...(cached ? { cacheReadInputTokens: cached } : {}),
  }
}
