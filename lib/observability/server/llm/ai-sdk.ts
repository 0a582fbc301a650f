import 'server-only'
import { isObject, tokens, type GenerationAdapter, type GenerationReading, type GenerationSink } from './generation-adapter.js'

/**
 * Reads the Vercel AI SDK (`ai`): `generateText` results (`totalUsage`, `response.modelId`,
 * `finishReason`) and `streamText` results, which finish later: the adapter reads its own branch
 * of `fullStream` (the SDK tees it per reader, so the caller's `textStream` is untouched) for
 * the first token, the model, the usage and errors, which `streamText` reports in the stream
 * rather than by throwing. Structural: the kit does not depend on `ai`.
 *
 * @example
 * const result = await traceGeneration({ input: prompt }, () => generateText({ model: openai.chat('gpt-4o-mini'), prompt }))
 */
export const aiSdk: GenerationAdapter = {
  provider: 'ai-sdk',
  read: readResult,
  watch: watchStream,
}

interface Usage {
  inputTokens?: unknown
  outputTokens?: unknown
  inputTokenDetails?: { cacheReadTokens?: unknown; cacheWriteTokens?: unknown }
  cachedInputTokens?: unknown
}

function readResult(result: unknown): GenerationReading | undefined {
  if (!isObject(result) || !('response' in result) || !('finishReason' in result)) return undefined
  const response = result.response
  if (!isObject(response) || typeof response.modelId !== 'string') return undefined
  const usage = ('totalUsage' in result ? result.totalUsage : result.usage) as Usage | undefined
  return {
    model: response.modelId,
    ...providerOf(result.providerMetadata),
    ...usageOf(usage),
    ...(typeof result.text === 'string' ? { output: [{ role: 'assistant', content: result.text }] } : {}),
    ...finishOf(result.finishReason),
  }
}

function watchStream(result: unknown, sink: GenerationSink): boolean {
  if (!isObject(result) || !('fullStream' in result) || !('textStream' in result)) return false
  const stream = result.fullStream as ReadableStream<unknown> | undefined
  if (!stream || typeof stream.getReader !== 'function') return false
  const reader = stream.getReader()
  const reading: GenerationReading = {}
  let text = ''
  void (async () => {
    for (;;) {
      const { done, value: part } = await reader.read()
      if (done) break
      if (!isObject(part)) continue
      switch (part.type) {
        case 'text-delta':
          if (typeof part.text === 'string') text += part.text
          sink.token()
          break
        case 'reasoning-delta':
        case 'tool-input-delta':
        case 'tool-call':
          sink.token()
          break
        case 'finish-step':
          if (isObject(part.response) && typeof part.response.modelId === 'string') reading.model = part.response.modelId
          Object.assign(reading, providerOf(part.providerMetadata))
          break
        case 'finish':
          Object.assign(reading, usageOf(part.totalUsage as Usage | undefined), finishOf(part.finishReason))
          break
        case 'error':
          return sink.fail(part.error, withText(reading, text))
        case 'abort':
          return sink.fail(Object.assign(new Error('The stream was aborted'), { name: 'AbortError' }), withText(reading, text))
      }
    }
    sink.done(withText(reading, text))
  })().catch((error: unknown) => sink.fail(error, withText(reading, text)))
  return true
}

function withText(reading: GenerationReading, text: string): GenerationReading {
  return { ...reading, output: [{ role: 'assistant', content: text }] }
}

function finishOf(reason: unknown): Partial<GenerationReading> {
  if (typeof reason !== 'string') return {}
  return { stopReason: reason, ...(reason === 'content-filter' ? { refused: true } : {}) }
}

/** `providerMetadata` is keyed by provider (`{ openai: {…} }`): the best name the result offers. */
function providerOf(metadata: unknown): Partial<GenerationReading> {
  const first = isObject(metadata) ? Object.keys(metadata)[0] : undefined
  return first ? { provider: first } : {}
}

function usageOf(usage: Usage | null | undefined): Partial<GenerationReading> {
  if (!usage || typeof usage !== 'object') return {}
  const out: Partial<GenerationReading> = {}
  const input = tokens(usage.inputTokens)
  const output = tokens(usage.outputTokens)
  const cacheRead = tokens(usage.inputTokenDetails?.cacheReadTokens ?? usage.cachedInputTokens)
  const cacheWrite = tokens(usage.inputTokenDetails?.cacheWriteTokens)
  if (input !== undefined) out.inputTokens = input
  if (output !== undefined) out.outputTokens = output
  if (cacheRead) out.cacheReadInputTokens = cacheRead
  if (cacheWrite) out.cacheCreationInputTokens = cacheWrite
  return out
}
