import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { jsonBytes, POSTHOG_MAX_EVENT_BYTES } from '@/lib/observability/server/llm/llm-payload'
import { allText, sentryForRequest, waitForEvents } from '../support/events'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { fakeReply, type FakeLlm } from '../support/fake-llm-server'
import { startFakeOpenAI } from '../support/fake-openai'
import { startNext, type NextServer } from '../support/next-server'

/**
 * LLM prompts and completions are not sent unless POSTHOG_LLM_PAYLOADS=1 (docs/privacy.md): not to
 * PostHog, and not to Sentry, whose gen-AI capture follows the same switch. With it, they are
 * cut and the event stays under PostHog's 1 MB per-event limit, whatever the prompt.
 */

const MARKER = 'SECRETPROMPT4242'
const bigPrompt = (unit: string) => `${MARKER} ${unit.repeat(Math.ceil(200_000 / unit.length))}`.slice(0, 200_000)

let fake: FakeIngest
let llm: FakeLlm

const kit = (fake: FakeIngest, llm: FakeLlm) => ({
  POSTHOG_API_KEY: 'phc_llmprivacykey1234',
  POSTHOG_HOST: fake.posthogHost,
  SENTRY_DSN: fake.sentryDsn,
  // Every span is sent, so a prompt recorded on one would show.
  SENTRY_TRACES_SAMPLE_RATE: '1',
  OPENAI_API_KEY: 'test',
  OPENAI_BASE_URL: llm.baseURL,
})

async function chat(app: NextServer, prompt: string) {
  const res = await fetch(`${app.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt }) })
  return { status: res.status, requestId: res.headers.get('x-request-id') ?? '', body: (await res.json()) as Record<string, unknown> }
}

const generationOf = (requestId: string) => (e: { event: string; properties?: Record<string, unknown> }) =>
  e.event === '$ai_generation' && e.properties?.$ai_trace_id === requestId

beforeAll(async () => {
  ;[fake, llm] = await Promise.all([startFakeIngest(), startFakeOpenAI()])
})
afterAll(async () => {
  await Promise.all([fake?.close(), llm?.close()])
})
beforeEach(() => fake.clear())

describe('by default', () => {
  // Each test stops its app before reading what arrived: stopping delivers what the SDKs still
  // hold (spans go out on their own schedule), so a prompt on any of it would be found.
  let app: NextServer
  beforeEach(async () => {
    app = await startNext(kit(fake, llm))
  })
  afterEach(() => app?.stop())

  it('a 200,000-character prompt leaves no text in any PostHog or Sentry payload', async () => {
    const prompt = bigPrompt('the quick brown fox ')
    const res = await chat(app, prompt)
    expect(res.status).toBe(200)
    expect(res.body.text).toBe(fakeReply(prompt))
    const [generation] = await waitForEvents(fake, generationOf(res.requestId))
    expect(generation!.properties).not.toHaveProperty('$ai_input')
    expect(generation!.properties).not.toHaveProperty('$ai_output_choices')
    expect(generation!.properties.$ai_input_tokens).toBe(50_000)
    await fake.waitFor(() => fake.sentryItems().length > 0)
    await app.stop()
    const everything = allText(fake)
    expect(everything).toContain(res.requestId)
    expect(everything).not.toContain(MARKER)
    expect(everything).not.toContain('quick brown fox')
  })

  it('a failing LLM call inside withTracking reaches Sentry without its prompt', async () => {
    const res = await chat(app, `${MARKER}: summarise my medical record [[fake:server_error]]`)
    expect(res.status).toBe(500)
    await fake.waitFor(() => sentryForRequest(fake, res.requestId).length > 0)
    await waitForEvents(fake, generationOf(res.requestId))
    await waitForEvents(fake, (e) => e.event === '$exception' && e.properties.request_id === res.requestId)
    await app.stop()
    const sentryText = JSON.stringify(fake.sentry())
    expect(sentryText).toContain(res.requestId)
    expect(sentryText).toContain('provider_error')
    expect(sentryText).not.toContain(MARKER)
    expect(sentryText).not.toContain('medical record')
    expect(allText(fake)).not.toContain(MARKER)
  })
})

describe('with POSTHOG_LLM_PAYLOADS=1 at the highest character limit', () => {
  let app: NextServer
  beforeAll(async () => {
    app = await startNext({ ...kit(fake, llm), POSTHOG_LLM_PAYLOADS: '1', POSTHOG_LLM_PAYLOAD_MAX_CHARS: '200000' })
  })
  afterAll(() => app?.stop())

  it('sends the prompt and the completion, cut at the limit with the marker', async () => {
    const prompt = bigPrompt('the quick brown fox ')
    const res = await chat(app, prompt)
    const [generation] = await waitForEvents(fake, generationOf(res.requestId))
    expect(generation!.properties.$ai_input).toEqual([{ role: 'user', content: prompt }])
    // The echoed reply is 6 characters longer than the limit.
    expect(generation!.properties.$ai_output_choices).toEqual([{ role: 'assistant', content: `${fakeReply(prompt).slice(0, 200_000)}…[truncated 6 chars]` }])
    expect(jsonBytes(generation)).toBeLessThan(POSTHOG_MAX_EVENT_BYTES)
  })

  it('keeps a 200,000-character multibyte prompt (and its echo) under 1 MB', async () => {
    // 3 bytes a character: prompt and reply are 600 KB each, 1.2 MB together.
    const prompt = bigPrompt('可観測性のテスト')
    const res = await chat(app, prompt)
    expect(res.status).toBe(200)
    const [generation] = await waitForEvents(fake, generationOf(res.requestId))
    const input = (generation!.properties.$ai_input as { content: string }[])[0]!.content
    const output = (generation!.properties.$ai_output_choices as { content: string }[])[0]!.content
    expect(input.startsWith(`${MARKER} 可観測性`)).toBe(true)
    expect(input).toMatch(/…\[truncated \d+ chars\]$/)
    expect(output).toMatch(/…\[truncated \d+ chars\]$/)
    expect(jsonBytes(generation)).toBeLessThan(POSTHOG_MAX_EVENT_BYTES)
    expect(fake.rejected()).toEqual([])
  })
})
