import Anthropic from '@anthropic-ai/sdk'
import { createOpenAI } from '@ai-sdk/openai'
import { generateText, streamText } from 'ai'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { traceGeneration, traceOpenAIChat } from 'nextjs-observability-kit/server'
import { startFakeAnthropic } from '../support/fake-anthropic'
import { startFakeIngest, startRefusingPort, type FakeIngest } from '../support/fake-ingest'
import type { FakeLlm, FakeLlmMode } from '../support/fake-llm-server'
import { startFakeOpenAI } from '../support/fake-openai'
import { configureKit, inRequest, kitEnv, restoreKit, theGeneration } from '../support/llm-tracing'

/**
 * A failed or refused model call is recorded with its error category (docs/events.md), the HTTP status and
 * the error, and the caller still gets the provider's original error (or answer).
 */

let fake: FakeIngest
let openaiServer: FakeLlm
let anthropicServer: FakeLlm
let openai: OpenAI
let anthropic: Anthropic

beforeAll(async () => {
  ;[fake, openaiServer, anthropicServer] = await Promise.all([startFakeIngest(), startFakeOpenAI(), startFakeAnthropic()])
  // A short client timeout: the 'hang' cases must end quickly and cleanly.
  openai = new OpenAI({ apiKey: 'test', baseURL: openaiServer.baseURL, maxRetries: 0, timeout: 800 })
  anthropic = new Anthropic({ apiKey: 'test', baseURL: anthropicServer.baseURL, maxRetries: 0, timeout: 800 })
  await configureKit(kitEnv(fake))
})
afterAll(async () => {
  await restoreKit()
  await Promise.all([fake?.close(), openaiServer?.close(), anthropicServer?.close()])
})
beforeEach(() => fake.clear())

const byTrace = (id: string) => (p: Record<string, unknown>) => p.$ai_trace_id === id
const prompt = (mode: FakeLlmMode) => [{ role: 'user' as const, content: `please [[fake:${mode}]]` }]

async function failure(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn()
  } catch (error) {
    return error
  }
  throw new Error('expected the call to fail')
}

describe('openai client errors', () => {
  it.each([
    ['quota', 'quota_error', 429, OpenAI.RateLimitError, /RateLimitError: 429 You exceeded your current quota/],
    ['server_error', 'provider_error', 500, OpenAI.InternalServerError, /InternalServerError: 500 The server had an error/],
    ['content_filter', 'content_filter', 400, OpenAI.BadRequestError, /BadRequestError: 400 .*content management policy/],
  ] as const)('%s → %s (HTTP %i), rethrowing the client’s own error', async (mode, category, status, ErrorClass, message) => {
    const id = `req-openai-${mode}`
    const error = await failure(() => inRequest(id, () => traceOpenAIChat(openai, { model: 'gpt-4o-mini', messages: prompt(mode) })))
    expect(error).toBeInstanceOf(ErrorClass)
    const event = await theGeneration(fake, byTrace(id))
    expect(event.properties).toMatchObject({
      $ai_is_error: true,
      error_type: category,
      $ai_http_status: status,
      $ai_model: 'gpt-4o-mini',
      $ai_provider: 'openai',
      request_id: id,
    })
    expect(event.properties.$ai_error).toMatch(message)
  })

  it('a completion stopped by the content filter is returned, and recorded as a content_filter error', async () => {
    const completion = await inRequest('req-openai-refusal', () => traceOpenAIChat(openai, { model: 'gpt-4o-mini', messages: prompt('refusal') }))
    expect(completion.choices[0]?.finish_reason).toBe('content_filter')
    const event = await theGeneration(fake, byTrace('req-openai-refusal'))
    expect(event.properties).toMatchObject({ $ai_is_error: true, error_type: 'content_filter', $ai_http_status: 200, $ai_stop_reason: 'content_filter' })
    expect(event.properties.$ai_error).toMatch(/content_filter/)
  })

  it('a streamed completion stopped by the content filter is a content_filter error too', async () => {
    const stream = await inRequest('req-openai-refusal-stream', () =>
      traceOpenAIChat(openai, { model: 'gpt-4o-mini', messages: prompt('refusal'), stream: true }),
    )
    for await (const _ of stream) void _
    const event = await theGeneration(fake, byTrace('req-openai-refusal-stream'))
    expect(event.properties).toMatchObject({ $ai_is_error: true, error_type: 'content_filter', $ai_stream: true })
  })

  it('a provider that never answers ends at the client timeout as a connection_error, with no HTTP status', async () => {
    const started = Date.now()
    const error = await failure(() => inRequest('req-openai-hang', () => traceOpenAIChat(openai, { model: 'gpt-4o-mini', messages: prompt('hang') })))
    expect(Date.now() - started).toBeLessThan(3_000)
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError)
    const event = await theGeneration(fake, byTrace('req-openai-hang'))
    expect(event.properties).toMatchObject({ $ai_is_error: true, error_type: 'connection_error' })
    expect(event.properties).not.toHaveProperty('$ai_http_status')
    expect(event.properties.$ai_latency as number).toBeGreaterThanOrEqual(0.7)
  })

  it('an unreachable provider is a connection_error', async () => {
    const refusing = await startRefusingPort()
    const client = new OpenAI({ apiKey: 'test', baseURL: `${refusing.url}/v1`, maxRetries: 0 })
    const error = await failure(() => inRequest('req-openai-refused', () => traceOpenAIChat(client, { model: 'gpt-4o-mini', messages: prompt('ok') })))
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError)
    const event = await theGeneration(fake, byTrace('req-openai-refused'))
    expect(event.properties).toMatchObject({ $ai_is_error: true, error_type: 'connection_error', $ai_base_url: `${refusing.url}/v1` })
  })
})

describe('@anthropic-ai/sdk errors', () => {
  it.each([
    ['quota', 'quota_error', 429, Anthropic.RateLimitError],
    ['server_error', 'provider_error', 500, Anthropic.InternalServerError],
  ] as const)('%s → %s (HTTP %i)', async (mode, category, status, ErrorClass) => {
    const id = `req-anthropic-${mode}`
    const error = await failure(() =>
      inRequest(id, () =>
        traceGeneration({ model: 'claude-sonnet-4' }, () => anthropic.messages.create({ model: 'claude-sonnet-4', max_tokens: 10, messages: prompt(mode) })),
      ),
    )
    expect(error).toBeInstanceOf(ErrorClass)
    const event = await theGeneration(fake, byTrace(id))
    expect(event.properties).toMatchObject({ $ai_is_error: true, error_type: category, $ai_http_status: status })
  })

  it('stop_reason "refusal" is a content_filter error, whole or streamed', async () => {
    const message = await inRequest('req-anthropic-refusal', () =>
      traceGeneration({ model: 'claude-sonnet-4' }, () => anthropic.messages.create({ model: 'claude-sonnet-4', max_tokens: 10, messages: prompt('refusal') })),
    )
    expect(message.stop_reason).toBe('refusal')
    const stream = await inRequest('req-anthropic-refusal-stream', () =>
      traceGeneration({ model: 'claude-sonnet-4' }, () =>
        anthropic.messages.create({ model: 'claude-sonnet-4', max_tokens: 10, messages: prompt('refusal'), stream: true }),
      ),
    )
    for await (const _ of stream) void _
    for (const id of ['req-anthropic-refusal', 'req-anthropic-refusal-stream']) {
      const event = await theGeneration(fake, byTrace(id))
      expect(event.properties).toMatchObject({ $ai_is_error: true, error_type: 'content_filter', $ai_stop_reason: 'refusal', $ai_http_status: 200 })
    }
  })

  it('a provider that never answers is a connection_error', async () => {
    const error = await failure(() =>
      inRequest('req-anthropic-hang', () =>
        traceGeneration({ model: 'claude-sonnet-4' }, () => anthropic.messages.create({ model: 'claude-sonnet-4', max_tokens: 10, messages: prompt('hang') })),
      ),
    )
    expect(error).toBeInstanceOf(Anthropic.APIConnectionTimeoutError)
    const event = await theGeneration(fake, byTrace('req-anthropic-hang'))
    expect(event.properties).toMatchObject({ $ai_is_error: true, error_type: 'connection_error' })
  })
})

describe('AI SDK errors', () => {
  const model = () => createOpenAI({ baseURL: openaiServer.baseURL, apiKey: 'test' }).chat('gpt-4o-mini')

  it('generateText: the APICallError’s status and body decide the category', async () => {
    await failure(() =>
      inRequest('req-ai-quota', () =>
        traceGeneration({ provider: 'openai' }, () => generateText({ model: model(), prompt: 'x [[fake:quota]]', maxRetries: 0 })),
      ),
    )
    const event = await theGeneration(fake, byTrace('req-ai-quota'))
    expect(event.properties).toMatchObject({ $ai_is_error: true, error_type: 'quota_error', $ai_http_status: 429 })
  })

  it('generateText with retries: the RetryError’s last error decides', async () => {
    const error = await failure(() =>
      inRequest('req-ai-retry', () =>
        traceGeneration({ provider: 'openai' }, () => generateText({ model: model(), prompt: 'x [[fake:server_error]]', maxRetries: 1 })),
      ),
    )
    expect((error as Error).name).toBe('AI_RetryError')
    const event = await theGeneration(fake, byTrace('req-ai-retry'))
    expect(event.properties).toMatchObject({ $ai_is_error: true, error_type: 'provider_error', $ai_http_status: 500 })
  })

  it('streamText reports its error in the stream, not by throwing: still recorded', async () => {
    const result = await inRequest('req-ai-stream-error', () =>
      traceGeneration({ provider: 'openai' }, () =>
        streamText({ model: model(), prompt: 'x [[fake:content_filter]]', maxRetries: 0, onError: () => undefined }),
      ),
    )
    for await (const _ of result.textStream) void _
    const event = await theGeneration(fake, byTrace('req-ai-stream-error'))
    expect(event.properties).toMatchObject({ $ai_is_error: true, error_type: 'content_filter', $ai_http_status: 400, $ai_stream: true })
  })
})
