import Anthropic from '@anthropic-ai/sdk'
import { createOpenAI } from '@ai-sdk/openai'
import { generateText, streamText } from 'ai'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { traceGeneration, traceOpenAIChat } from 'nextjs-observability-kit/server'
import { runWithRequestContext, type RequestContext } from '@/lib/observability/server/request-context'
import { anthropicUsage, startFakeAnthropic } from '../support/fake-anthropic'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { fakeReply, fakeTokens, type FakeLlm } from '../support/fake-llm-server'
import { openAIUsage, startFakeOpenAI } from '../support/fake-openai'
import { configureKit, inRequest, kitEnv, RELEASE, restoreKit, theGeneration, UUID } from '../support/llm-tracing'

/**
 * Every model call made through the real client libraries becomes exactly one `$ai_generation`
 * with what the provider reported (model, usage), linked to the request (docs/events.md).
 */

let fake: FakeIngest
let openaiServer: FakeLlm
let anthropicServer: FakeLlm
let openai: OpenAI
let anthropic: Anthropic

beforeAll(async () => {
  ;[fake, openaiServer, anthropicServer] = await Promise.all([startFakeIngest(), startFakeOpenAI(), startFakeAnthropic()])
  openai = new OpenAI({ apiKey: 'test', baseURL: openaiServer.baseURL, maxRetries: 0 })
  anthropic = new Anthropic({ apiKey: 'test', baseURL: anthropicServer.baseURL, maxRetries: 0 })
  await configureKit(kitEnv(fake))
})
afterAll(async () => {
  await restoreKit()
  await Promise.all([fake?.close(), openaiServer?.close(), anthropicServer?.close()])
})
beforeEach(() => {
  fake.clear()
  openaiServer.clear()
})

const byTrace = (id: string) => (p: Record<string, unknown>) => p.$ai_trace_id === id

describe('every model call through the real client libraries is exactly one $ai_generation', () => {
  describe('an OpenAI chat completion', () => {
    it('inside a request: one $ai_generation on the request trace, with the model and usage the provider reported', async () => {
      const messages = [{ role: 'user' as const, content: 'What is observability?' }]
      const completion = await inRequest(
        'req-openai-1',
        () =>
          traceGeneration({ provider: 'openai', model: 'gpt-4o-mini', input: messages, baseUrl: openai.baseURL }, () =>
            openai.chat.completions.create({ model: 'gpt-4o-mini', messages }),
          ),
        { distinctId: 'user-42', sessionId: 'sess-1' },
      )
      expect(completion.choices[0]?.message.content).toBe(fakeReply('What is observability?'))

      const event = await theGeneration(fake, byTrace('req-openai-1'))
      const usage = openAIUsage(messages)
      expect(event.distinct_id).toBe('user-42')
      expect(event.properties).toMatchObject({
        $ai_trace_id: 'req-openai-1',
        request_id: 'req-openai-1',
        $ai_provider: 'openai',
        $ai_model: 'gpt-4o-mini-2024-07-18',
        $ai_input_tokens: usage.prompt_tokens,
        $ai_output_tokens: usage.completion_tokens,
        $ai_http_status: 200,
        $ai_base_url: openaiServer.baseURL,
        $ai_is_error: false,
        $ai_stop_reason: 'stop',
        $session_id: 'sess-1',
        environment: 'staging',
        release: RELEASE,
      })
      expect(event.properties.$ai_span_id).toMatch(UUID)
      expect(event.properties.$ai_latency as number).toBeGreaterThan(0)
      expect(event.properties.$ai_latency as number).toBeLessThan(5)
      for (const absent of ['$ai_error', 'error_type', '$ai_stream', '$ai_time_to_first_token']) expect(event.properties).not.toHaveProperty(absent)
    })

    it('outside a request: mints a trace id and creates no person profile', async () => {
      await traceGeneration({ model: 'gpt-4o-mini', name: 'nightly-digest' }, () =>
        openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'cron' }] }),
      )
      const event = await theGeneration(fake, (p) => p.$ai_span_name === 'nightly-digest')
      expect(event.properties.$ai_trace_id).toMatch(UUID)
      expect(event.distinct_id).toBe(event.properties.$ai_trace_id)
      expect(event.properties.$process_person_profile).toBe(false)
      expect(event.properties).not.toHaveProperty('request_id')
      // No provider given: the adapter that recognised the response names it.
      expect(event.properties.$ai_provider).toBe('openai')
    })

    it('takes the real HTTP status from .withResponse()', async () => {
      const { data } = await inRequest('req-with-response', () =>
        traceGeneration({ model: 'gpt-4o-mini' }, () =>
          openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse(),
        ),
      )
      expect(data.object).toBe('chat.completion')
      const event = await theGeneration(fake, byTrace('req-with-response'))
      expect(event.properties).toMatchObject({ $ai_http_status: 200, $ai_model: 'gpt-4o-mini-2024-07-18', $ai_input_tokens: fakeTokens('hi') })
    })
  })

  describe('a streamed OpenAI chat completion', () => {
    it('traceOpenAIChat asks for usage, hides the extra usage chunk, and records time to first token', async () => {
      const messages = [{ role: 'user' as const, content: 'Stream a story' }]
      const stream = await inRequest('req-stream-1', () => traceOpenAIChat(openai, { model: 'gpt-4o-mini', messages, stream: true }))
      let text = ''
      let chunks = 0
      for await (const chunk of stream) {
        chunks++
        // What a naive consumer does: it must not meet a chunk without choices it did not ask for.
        expect(chunk.choices.length).toBeGreaterThan(0)
        text += chunk.choices[0]?.delta.content ?? ''
      }
      expect(text).toBe(fakeReply('Stream a story'))
      expect(chunks).toBeGreaterThan(3)
      expect(openaiServer.requests()[0]?.body.stream_options).toEqual({ include_usage: true })

      const event = await theGeneration(fake, byTrace('req-stream-1'))
      const usage = openAIUsage(messages)
      expect(event.properties).toMatchObject({
        $ai_stream: true,
        $ai_is_error: false,
        $ai_model: 'gpt-4o-mini-2024-07-18',
        $ai_input_tokens: usage.prompt_tokens,
        $ai_output_tokens: usage.completion_tokens,
        $ai_provider: 'openai',
      })
      const ttft = event.properties.$ai_time_to_first_token as number
      // The fake waits 40 ms before the first content chunk.
      expect(ttft).toBeGreaterThanOrEqual(0.03)
      expect(ttft).toBeLessThanOrEqual(event.properties.$ai_latency as number)
    })

    it('hands the usage chunk through when the caller asked for it themselves', async () => {
      const stream = await inRequest('req-stream-own-usage', () =>
        traceOpenAIChat(openai, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } }),
      )
      const chunks = []
      for await (const chunk of stream) chunks.push(chunk)
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 1 } })
      const event = await theGeneration(fake, byTrace('req-stream-own-usage'))
      expect(event.properties.$ai_input_tokens).toBe(1)
    })

    it('without stream_options OpenAI sends no usage, so the generic helper records no token counts (why traceOpenAIChat adds it)', async () => {
      const stream = await inRequest('req-stream-no-usage', () =>
        traceGeneration({ model: 'gpt-4o-mini' }, () =>
          openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true }),
        ),
      )
      for await (const _ of stream) void _
      const event = await theGeneration(fake, byTrace('req-stream-no-usage'))
      expect(event.properties).toMatchObject({ $ai_stream: true, $ai_model: 'gpt-4o-mini-2024-07-18' })
      expect(event.properties).not.toHaveProperty('$ai_input_tokens')
    })

    it('reports once, with what was seen, when the caller stops reading early', async () => {
      const stream = await inRequest('req-stream-break', () =>
        traceOpenAIChat(openai, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a long answer please' }], stream: true }),
      )
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) break
      const event = await theGeneration(fake, byTrace('req-stream-break'))
      expect(event.properties).toMatchObject({ $ai_stream: true, $ai_is_error: false })
      expect(event.properties.$ai_time_to_first_token).toEqual(expect.any(Number))
    })

    it('keeps tee() and toReadableStream() working, still reporting once', async () => {
      const stream = await inRequest('req-stream-tee', () =>
        traceOpenAIChat(openai, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'tee' }], stream: true }),
      )
      const [left, right] = stream.tee()
      const read = async (s: typeof left) => {
        let t = ''
        for await (const c of s) t += c.choices[0]?.delta.content ?? ''
        return t
      }
      expect(await Promise.all([read(left), read(right)])).toEqual([fakeReply('tee'), fakeReply('tee')])
      const event = await theGeneration(fake, byTrace('req-stream-tee'))
      expect(event.properties.$ai_output_tokens).toBe(fakeTokens(fakeReply('tee')))
    })
  })

  describe('an Anthropic message', () => {
    it('reads model and usage from messages.create', async () => {
      const messages = [{ role: 'user' as const, content: 'Bonjour' }]
      const message = await inRequest('req-anthropic-1', () =>
        traceGeneration({ model: 'claude-sonnet-4', input: messages, baseUrl: anthropic.baseURL }, () =>
          anthropic.messages.create({ model: 'claude-sonnet-4', max_tokens: 100, messages }),
        ),
      )
      expect(message.content[0]).toMatchObject({ type: 'text', text: fakeReply('Bonjour') })
      const event = await theGeneration(fake, byTrace('req-anthropic-1'))
      const usage = anthropicUsage(messages)
      expect(event.properties).toMatchObject({
        $ai_provider: 'anthropic',
        $ai_model: 'claude-sonnet-4-20250101',
        $ai_input_tokens: usage.input_tokens,
        $ai_output_tokens: usage.output_tokens,
        $ai_http_status: 200,
        $ai_base_url: anthropicServer.baseURL,
        $ai_stop_reason: 'end_turn',
        $ai_is_error: false,
      })
    })

    it('reads usage from message_start and message_delta when streaming', async () => {
      const messages = [{ role: 'user' as const, content: 'Stream in French' }]
      const stream = await inRequest('req-anthropic-stream', () =>
        traceGeneration({ model: 'claude-sonnet-4' }, () => anthropic.messages.create({ model: 'claude-sonnet-4', max_tokens: 100, messages, stream: true })),
      )
      let text = ''
      for await (const event of stream) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text
      expect(text).toBe(fakeReply('Stream in French'))
      const event = await theGeneration(fake, byTrace('req-anthropic-stream'))
      const usage = anthropicUsage(messages)
      expect(event.properties).toMatchObject({
        $ai_stream: true,
        $ai_provider: 'anthropic',
        $ai_model: 'claude-sonnet-4-20250101',
        $ai_input_tokens: usage.input_tokens,
        $ai_output_tokens: usage.output_tokens,
      })
      expect(event.properties.$ai_time_to_first_token as number).toBeGreaterThanOrEqual(0.03)
    })

    it('reads an iterated messages.stream() helper the same way', async () => {
      const messages = [{ role: 'user' as const, content: 'helper' }]
      const stream = await inRequest('req-anthropic-helper', () =>
        traceGeneration({ model: 'claude-sonnet-4' }, () => anthropic.messages.stream({ model: 'claude-sonnet-4', max_tokens: 100, messages })),
      )
      for await (const _ of stream) void _
      expect((await stream.finalMessage()).usage.output_tokens).toBe(anthropicUsage(messages).output_tokens)
      const event = await theGeneration(fake, byTrace('req-anthropic-helper'))
      expect(event.properties).toMatchObject({
        $ai_stream: true,
        $ai_input_tokens: anthropicUsage(messages).input_tokens,
        $ai_output_tokens: anthropicUsage(messages).output_tokens,
      })
    })
  })

  describe('the Vercel AI SDK', () => {
    const provider = () => createOpenAI({ baseURL: openaiServer.baseURL, apiKey: 'test' })

    it('reads generateText: response.modelId, usage and the provider', async () => {
      const result = await inRequest('req-ai-generate', () =>
        traceGeneration({ input: 'Summarise this' }, () => generateText({ model: provider().chat('gpt-4o-mini'), prompt: 'Summarise this', maxRetries: 0 })),
      )
      expect(result.text).toBe(fakeReply('Summarise this'))
      const event = await theGeneration(fake, byTrace('req-ai-generate'))
      expect(event.properties).toMatchObject({
        $ai_provider: 'openai',
        $ai_model: 'gpt-4o-mini-2024-07-18',
        $ai_input_tokens: fakeTokens('Summarise this'),
        $ai_output_tokens: fakeTokens(fakeReply('Summarise this')),
        $ai_is_error: false,
        $ai_stop_reason: 'stop',
      })
    })

    it('reads streamText from its own branch of the stream, leaving the caller’s intact', async () => {
      const result = await inRequest('req-ai-stream', () =>
        traceGeneration({ provider: 'openai' }, () => streamText({ model: provider().chat('gpt-4o-mini'), prompt: 'Stream it', maxRetries: 0 })),
      )
      let text = ''
      for await (const delta of result.textStream) text += delta
      expect(text).toBe(fakeReply('Stream it'))
      const event = await theGeneration(fake, byTrace('req-ai-stream'))
      expect(event.properties).toMatchObject({
        $ai_stream: true,
        $ai_model: 'gpt-4o-mini-2024-07-18',
        $ai_input_tokens: fakeTokens('Stream it'),
        $ai_output_tokens: fakeTokens(fakeReply('Stream it')),
        $ai_is_error: false,
      })
      expect(event.properties.$ai_time_to_first_token as number).toBeGreaterThanOrEqual(0.03)
    })
  })

  describe('who the generation is about', () => {
    it('waits for withTracking() to resolve the user after the response, then uses that distinct id', async () => {
      const context: RequestContext = { requestId: 'req-late-user', endpoint: '/api/chat', method: 'POST' }
      await runWithRequestContext(context, () =>
        traceGeneration({ model: 'gpt-4o-mini' }, () =>
          openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'late' }] }),
        ),
      )
      // withTracking() sets it once getUser() resolved, after the response.
      setTimeout(() => (context.distinctId = 'late-user-7'), 200)
      const event = await theGeneration(fake, byTrace('req-late-user'))
      expect(event.distinct_id).toBe('late-user-7')
      // Whether the id is a signed-in user or an anonymous visitor is not on the context: no person profile.
      expect(event.properties.$process_person_profile).toBe(false)
    })

    it('falls back to the request id when no user is ever resolved', async () => {
      await inRequest(
        'req-no-user',
        () =>
          traceGeneration({ model: 'gpt-4o-mini' }, () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })),
        { distinctId: undefined },
      )
      const event = await theGeneration(fake, byTrace('req-no-user'))
      expect(event.distinct_id).toBe('req-no-user')
    })
  })
})
