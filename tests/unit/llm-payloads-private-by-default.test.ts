import { createOpenAI } from '@ai-sdk/openai'
import { defaultStackParser, makeNodeTransport, NodeClient } from '@sentry/node'
import { generateText } from 'ai'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { traceGeneration, traceOpenAIChat } from 'nextjs-observability-kit/server'
import { sentryServerOptions } from '@/lib/observability/shared/sentry-options'
import { parseConfig } from '@/lib/observability/shared/config'
import { jsonBytes, POSTHOG_MAX_EVENT_BYTES } from '@/lib/observability/server/llm/llm-payload'
import { allText } from '../support/events'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { fakeReply, type FakeLlm } from '../support/fake-llm-server'
import { startFakeOpenAI } from '../support/fake-openai'
import { configureKit, inRequest, kitEnv, restoreKit, theGeneration } from '../support/llm-tracing'

/**
 * Prompts and completions reach PostHog only with POSTHOG_LLM_PAYLOADS=1 (docs/privacy.md), and
 * then cut and bounded; by default no prompt text leaves the server in any property.
 */

const MARKER = 'PROMPTMARKER7731'
const bigPrompt = (unit = 'lorem ipsum ') => `${MARKER} ${unit.repeat(Math.ceil(200_000 / unit.length))}`.slice(0, 200_000)

let fake: FakeIngest
let llm: FakeLlm
let openai: OpenAI

beforeAll(async () => {
  ;[fake, llm] = await Promise.all([startFakeIngest(), startFakeOpenAI()])
  openai = new OpenAI({ apiKey: 'test', baseURL: llm.baseURL, maxRetries: 0 })
})
afterAll(async () => {
  await restoreKit()
  await Promise.all([fake?.close(), llm?.close()])
})
beforeEach(() => fake.clear())

const byTrace = (id: string) => (p: Record<string, unknown>) => p.$ai_trace_id === id

describe('by default (POSTHOG_LLM_PAYLOADS unset)', () => {
  beforeAll(() => configureKit(kitEnv(fake)))

  it('a 200,000-character prompt: no $ai_input, no $ai_output_choices, no prompt text anywhere', async () => {
    const prompt = bigPrompt()
    const completion = await inRequest('req-private-1', () => traceOpenAIChat(openai, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] }))
    expect(completion.choices[0]?.message.content).toBe(fakeReply(prompt))
    const event = await theGeneration(fake, byTrace('req-private-1'))
    expect(event.properties).not.toHaveProperty('$ai_input')
    expect(event.properties).not.toHaveProperty('$ai_output_choices')
    expect(event.properties.$ai_input_tokens).toBe(50_000)
    const everything = allText(fake)
    expect(everything).toContain('req-private-1')
    expect(everything).not.toContain(MARKER)
    expect(everything).not.toContain('lorem ipsum')
  })

  it('a failed call records its error without the prompt, even when the client’s error object holds it', async () => {
    const model = createOpenAI({ baseURL: llm.baseURL, apiKey: 'test' }).chat('gpt-4o-mini')
    // The AI SDK's APICallError carries the whole request body (`requestBodyValues`), prompt included.
    const prompt = `${MARKER} tell me [[fake:server_error]]`
    await expect(
      inRequest('req-private-2', () => traceGeneration({ input: prompt }, () => generateText({ model, prompt, maxRetries: 0 }))),
    ).rejects.toMatchObject({
      requestBodyValues: expect.objectContaining({ messages: expect.anything() }),
    })
    const event = await theGeneration(fake, byTrace('req-private-2'))
    expect(event.properties).toMatchObject({ $ai_is_error: true, error_type: 'provider_error' })
    expect(allText(fake)).not.toContain(MARKER)
  })
})

describe('with POSTHOG_LLM_PAYLOADS=1', () => {
  it('cuts prompt and completion at POSTHOG_LLM_PAYLOAD_MAX_CHARS (default 30,000) with the marker', async () => {
    await configureKit(kitEnv(fake, { POSTHOG_LLM_PAYLOADS: '1' }))
    const prompt = bigPrompt()
    await inRequest('req-payload-1', () => traceOpenAIChat(openai, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] }))
    const event = await theGeneration(fake, byTrace('req-payload-1'))
    expect(event.properties.$ai_input).toEqual([{ role: 'user', content: `${prompt.slice(0, 30_000)}…[truncated 170000 chars]` }])
    expect(event.properties.$ai_output_choices).toEqual([{ role: 'assistant', content: `${fakeReply(prompt).slice(0, 30_000)}…[truncated 170006 chars]` }])
    expect(jsonBytes(event)).toBeLessThan(POSTHOG_MAX_EVENT_BYTES)
  })

  it('keeps a multibyte 200,000-character prompt under 1 MB at the highest character limit', async () => {
    await configureKit(kitEnv(fake, { POSTHOG_LLM_PAYLOADS: '1', POSTHOG_LLM_PAYLOAD_MAX_CHARS: '200000' }))
    // CJK: 3 bytes a character, so prompt and echoed reply are 600 KB each.
    const prompt = bigPrompt('観測可能性のテスト')
    await inRequest('req-payload-2', () => traceOpenAIChat(openai, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] }))
    const event = await theGeneration(fake, byTrace('req-payload-2'))
    const input = (event.properties.$ai_input as { content: string }[])[0]!.content
    const output = (event.properties.$ai_output_choices as { content: string }[])[0]!.content
    expect(input.startsWith(`${MARKER} 観測可能性`)).toBe(true)
    expect(input).toMatch(/…\[truncated \d+ chars\]$/)
    expect(output).toMatch(/…\[truncated \d+ chars\]$/)
    expect(jsonBytes(event)).toBeLessThan(POSTHOG_MAX_EVENT_BYTES)
    // And what actually went over the wire for it: one request, well under PostHog's limits.
    expect(fake.rejected()).toEqual([])
  })
})

describe('Sentry’s own gen-AI capture follows the same switch', () => {
  // Sentry's OpenAI / Anthropic / AI SDK integrations record prompts and completions on spans
  // when the client's `dataCollection.genAI` allows it (v11 default: both on). This is the
  // option they read (`getClient().getDataCollectionOptions().genAI`).
  const genAI = (env: Record<string, string>) => {
    const { config } = parseConfig({ SENTRY_DSN: 'http://key@127.0.0.1:9/1', POSTHOG_API_KEY: 'phc_llmtests1234567', ...env }, { dev: false })
    if (!config.sentry.enabled) throw new Error('Sentry should be on')
    const client = new NodeClient({
      ...sentryServerOptions({ ...config, sentry: config.sentry }),
      transport: makeNodeTransport,
      stackParser: defaultStackParser,
      integrations: [],
    })
    return client.getDataCollectionOptions().genAI
  }

  it('records no prompts or completions by default', () => {
    expect(genAI({})).toEqual({ inputs: false, outputs: false })
  })

  it('records them with POSTHOG_LLM_PAYLOADS=1', () => {
    expect(genAI({ POSTHOG_LLM_PAYLOADS: '1' })).toEqual({ inputs: true, outputs: true })
  })
})
