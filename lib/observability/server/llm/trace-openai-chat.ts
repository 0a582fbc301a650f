import 'server-only'
import type OpenAI from 'openai'
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions'
import type { Stream } from 'openai/streaming'
import { openAIChat, openAIChatWithHiddenUsage } from './openai-chat.js'
import { traceGeneration, type GenerationMeta } from './trace-generation.js'

export interface TraceOpenAIChatOptions extends Omit<GenerationMeta, 'adapter' | 'model' | 'input' | 'baseUrl'> {
  /** Per-request options of the openai client (`timeout`, `signal`, `maxRetries`, `headers`). */
  request?: OpenAI.RequestOptions
}

/**
 * `client.chat.completions.create(params)`, traced as one `$ai_generation` with the model,
 * messages and base URL taken from the call. For streams it asks for the usage chunk
 * (`stream_options.include_usage`), without which OpenAI reports no token counts for a stream,
 * and keeps that extra chunk (it has no `choices`) out of your stream unless you asked for it.
 *
 * @example
 * const stream = await traceOpenAIChat(openai, { model: 'gpt-4o-mini', messages, stream: true }, { request: { timeout: 30_000 } })
 * for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? '')
 */
export function traceOpenAIChat(
  client: OpenAI,
  params: ChatCompletionCreateParamsStreaming,
  options?: TraceOpenAIChatOptions,
): Promise<Stream<ChatCompletionChunk>>
export function traceOpenAIChat(client: OpenAI, params: ChatCompletionCreateParamsNonStreaming, options?: TraceOpenAIChatOptions): Promise<ChatCompletion>
export function traceOpenAIChat(
  client: OpenAI,
  params: ChatCompletionCreateParamsStreaming | ChatCompletionCreateParamsNonStreaming,
  options: TraceOpenAIChatOptions = {},
): Promise<Stream<ChatCompletionChunk> | ChatCompletion> {
  const { request, ...meta } = options
  const addUsage = params.stream === true && params.stream_options?.include_usage === undefined
  const meta_: GenerationMeta = {
    provider: 'openai',
    ...meta,
    model: params.model,
    input: params.messages,
    baseUrl: client.baseURL,
    adapter: addUsage ? openAIChatWithHiddenUsage : openAIChat,
  }
  if (params.stream === true) {
    const streaming: ChatCompletionCreateParamsStreaming = addUsage ? { ...params, stream_options: { ...params.stream_options, include_usage: true } } : params
    return traceGeneration(meta_, () => client.chat.completions.create(streaming, request))
  }
  return traceGeneration(meta_, () => client.chat.completions.create(params as ChatCompletionCreateParamsNonStreaming, request))
}
