import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { traceGeneration, traceOpenAIChat, type GenerationAdapter } from 'nextjs-observability-kit/server'
import { getEventBatch } from '@/lib/observability/server/posthog-client'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { fakeReply, type FakeLlm } from '../support/fake-llm-server'
import { startFakeOpenAI } from '../support/fake-openai'
import { configureKit, deliverHeld, inRequest, kitEnv, restoreKit, theGeneration } from '../support/llm-tracing'

/**
 * Tracing never breaks, changes or slows the model call (telemetry fails open): a broken adapter, a
 * throwing SDK or an ingestion server that never answers leave the call and its result alone.
 */

let fake: FakeIngest
let llm: FakeLlm
let openai: OpenAI
const messages = [{ role: 'user' as const, content: 'still works' }]

beforeAll(async () => {
  ;[fake, llm] = await Promise.all([startFakeIngest(), startFakeOpenAI({ firstTokenDelayMs: 0 })])
  openai = new OpenAI({ apiKey: 'test', baseURL: llm.baseURL, maxRetries: 0 })
})
afterAll(async () => {
  fake?.setMode('ok')
  await restoreKit()
  await Promise.all([fake?.close(), llm?.close()])
})
beforeEach(async () => {
  fake.setMode('ok')
  fake.clear()
  await configureKit(kitEnv(fake))
})

const broken: GenerationAdapter = {
  provider: 'broken',
  read: () => {
    throw new Error('adapter bug')
  },
  readChunk: () => {
    throw new Error('adapter bug')
  },
}

describe('the call is unaffected by tracing failures', () => {
  it('returns the very same result when the adapter throws', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const original = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    const result = await traceGeneration({ adapter: broken }, () => original)
    expect(result).toBe(original)
    warn.mockRestore()
  })

  it('delivers every chunk of a stream when the adapter throws on each', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const stream = await traceGeneration({ adapter: broken }, () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }))
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    expect(text).toBe(fakeReply('still works'))
    warn.mockRestore()
  })

  it('rethrows exactly what the call threw, even a non-Error, and still records it', async () => {
    const thrown = await inRequest('req-string-throw', () => traceGeneration({ provider: 'custom', model: 'm' }, () => Promise.reject('plain string'))).catch(
      (e: unknown) => e,
    )
    expect(thrown).toBe('plain string')
    const event = await theGeneration(fake, (p) => p.$ai_trace_id === 'req-string-throw')
    expect(event.properties).toMatchObject({
      $ai_is_error: true,
      error_type: 'application_error',
      $ai_error: 'string: plain string',
      $ai_provider: 'custom',
      $ai_model: 'm',
    })
  })

  it('is untouched when the event queue itself throws on capture', async () => {
    const ph = getEventBatch()!
    const capture = vi.spyOn(ph, 'push').mockImplementation(() => {
      throw new Error('sdk bug')
    })
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const completion = await inRequest('req-sdk-throws', () => traceOpenAIChat(openai, { model: 'gpt-4o-mini', messages }))
    expect(completion.choices[0]?.message.content).toBe(fakeReply('still works'))
    await vi.waitFor(() => expect(capture).toHaveBeenCalled())
    capture.mockRestore()
    warn.mockRestore()
  })

  it('does not wait for an ingestion server that never answers', async () => {
    fake.setMode('hang')
    const untracedStart = performance.now()
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    const untraced = performance.now() - untracedStart
    const started = performance.now()
    for (let i = 0; i < 5; i++) await inRequest(`req-hang-${i}`, () => traceOpenAIChat(openai, { model: 'gpt-4o-mini', messages }))
    const perCall = (performance.now() - started) / 5
    // The captures are queued; the flush that hangs runs after (in posthog-node's next batch), off the call's path.
    expect(perCall).toBeLessThan(untraced + 50)
    await fake.waitFor((f) => f.requests().some((r) => r.kind === 'posthog-events'), { message: 'the batch reaching the hanging host' })
  })
})

describe('with PostHog off', () => {
  it('does nothing at all: the result is the SDK’s own, no network', async () => {
    await configureKit({})
    const stream = await traceOpenAIChat(openai, { model: 'gpt-4o-mini', messages, stream: true })
    // Not instrumented: the stream's iterator is the SDK's own function.
    expect((stream as unknown as { iterator: { name: string } }).iterator.name).not.toBe('observed')
    for await (const _ of stream) void _
    // With PostHog off there is no client to hold anything; were there one, this delivers it.
    await deliverHeld()
    expect(fake.requests()).toEqual([])
  })
})
