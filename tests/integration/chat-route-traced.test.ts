import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { sentryForRequest, waitForEvents } from '../support/events'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { fakeReply, type FakeLlm } from '../support/fake-llm-server'
import { openAIUsage, startFakeOpenAI } from '../support/fake-openai'
import { startNext, type NextServer } from '../support/next-server'

/**
 * `/api/chat` (README, "The demo"): its model call is one `$ai_generation` on the request's trace
 * (`$ai_trace_id` = `X-Request-ID` = `api_request.request_id`), its failures carry their error
 * category on the generation and on the route's `api_error`, and it never hangs.
 */

let fake: FakeIngest
let llm: FakeLlm
let echoApp: NextServer
let openaiApp: NextServer

const kit = (fake: FakeIngest) => ({
  POSTHOG_API_KEY: 'phc_chatroutekey12345',
  POSTHOG_HOST: fake.posthogHost,
  SENTRY_DSN: fake.sentryDsn,
  APP_ENV: 'staging',
  RELEASE_SHA: 'abc123',
})
const user = (id: string) => `demo_user=${encodeURIComponent(JSON.stringify({ id, email: `${id}@example.com`, name: 'Ada' }))}`

beforeAll(async () => {
  ;[fake, llm] = await Promise.all([startFakeIngest(), startFakeOpenAI()])
  ;[echoApp, openaiApp] = await Promise.all([
    startNext(kit(fake)),
    startNext({ ...kit(fake), OPENAI_API_KEY: 'test', OPENAI_BASE_URL: llm.baseURL, OPENAI_TIMEOUT_MS: '1500' }),
  ])
})
afterAll(async () => {
  await Promise.all([echoApp?.stop(), openaiApp?.stop()])
  await Promise.all([fake?.close(), llm?.close()])
})
beforeEach(() => fake.clear())

async function chat(app: NextServer, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${app.url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, requestId: res.headers.get('x-request-id') ?? '' }
}

const of = (name: string, requestId: string) => (e: { event: string; properties?: Record<string, unknown> }) =>
  e.event === name && e.properties?.request_id === requestId
const generationOf = (requestId: string) => (e: { event: string; properties?: Record<string, unknown> }) =>
  e.event === '$ai_generation' && e.properties?.$ai_trace_id === requestId

describe('the echo model (no OPENAI_API_KEY)', () => {
  it('keeps an incoming X-Request-ID as the trace id', async () => {
    const res = await chat(echoApp, { prompt: 'x' }, { 'x-request-id': 'lb-chat-77' })
    expect(res.requestId).toBe('lb-chat-77')
    await waitForEvents(fake, generationOf('lb-chat-77'))
  })

  it.each([
    ['provider_error', 500, 500],
    ['quota_error', 429, 429],
    ['content_filter', 400, 400],
    ['connection_error', 500, undefined],
  ] as const)('"fail: %s" fails the model call that way, on the generation and the api_error', async (category, routeStatus, llmStatus) => {
    const res = await chat(echoApp, { prompt: `fail: ${category}` })
    expect(res.status).toBe(routeStatus)
    expect(res.body.request_id).toBe(res.requestId)
    const [generation] = await waitForEvents(fake, generationOf(res.requestId))
    const [apiError] = await waitForEvents(fake, of('api_error', res.requestId))
    expect(generation!.properties).toMatchObject({ $ai_is_error: true, error_type: category, $ai_provider: 'echo' })
    expect(generation!.properties.$ai_http_status).toBe(llmStatus)
    expect(generation!.properties.$ai_error).toMatch(/echo model demo failure/)
    expect(apiError!.properties).toMatchObject({ error_type: category, status_code: routeStatus, endpoint: '/api/chat', method: 'POST' })
  })
})

/**
 * "No model call", "no Sentry event", "exactly one generation" are read after the app has
 * stopped: one app answers every request below, the first events of each are awaited, then it
 * stops, which delivers everything both SDKs still hold. What the fake has then is final.
 */
describe('the echo model, counted once the app has stopped', () => {
  const BAD_BODIES: Array<[string, unknown]> = [
    ['no body', ''],
    ['invalid JSON', '{"prompt":'],
    ['no prompt', { question: 'hi' }],
    ['a non-string prompt', { prompt: 42 }],
    ['an empty prompt', { prompt: '' }],
  ]
  let delivered: FakeIngest
  let hello: Awaited<ReturnType<typeof chat>>
  const refused = new Map<string, Awaited<ReturnType<typeof chat>>>()

  beforeAll(async () => {
    delivered = await startFakeIngest()
    const app = await startNext(kit(delivered))
    try {
      hello = await chat(app, { prompt: 'Hello, kit' }, { cookie: user('u-chat') })
      for (const [label, body] of BAD_BODIES) refused.set(label, await chat(app, body))
      await waitForEvents(delivered, generationOf(hello.requestId))
      for (const res of [hello, ...refused.values()]) await waitForEvents(delivered, of('api_request', res.requestId))
    } finally {
      await app.stop()
      await delivered.close()
    }
  })

  it('answers, and its call is one $ai_generation on the request trace', () => {
    expect(hello.status).toBe(200)
    expect(hello.body).toEqual({ text: 'Echo: Hello, kit', model: 'echo-1', usage: { input_tokens: 3, output_tokens: 4 }, request_id: hello.requestId })
    const generations = delivered.events().filter(generationOf(hello.requestId))
    expect(generations).toHaveLength(1)
    const [generation] = generations
    const [request] = delivered.events().filter(of('api_request', hello.requestId))
    expect(request!.properties.request_id).toBe(generation!.properties.$ai_trace_id)
    expect(generation!.distinct_id).toBe('u-chat')
    expect(generation!.properties).toMatchObject({
      $ai_trace_id: hello.requestId,
      request_id: hello.requestId,
      $ai_provider: 'echo',
      $ai_model: 'echo-1',
      $ai_span_name: 'demo-chat',
      $ai_input_tokens: 3,
      $ai_output_tokens: 4,
      $ai_http_status: 200,
      $ai_is_error: false,
      environment: 'staging',
      release: 'nextjs-observability-kit-demo@abc123',
    })
    expect(generation!.properties.$ai_latency).toEqual(expect.any(Number))
  })

  it.each(BAD_BODIES.map(([label]) => label))('answers 400 JSON with the request id to %s, with no model call and no Sentry event', (label) => {
    const res = refused.get(label)!
    expect(res.status).toBe(400)
    expect(res.body).toEqual({ error: expect.stringContaining('prompt'), request_id: res.requestId })
    const [request] = delivered.events().filter(of('api_request', res.requestId))
    expect(request!.properties).toMatchObject({ status_code: 400, success: false })
    expect(sentryForRequest(delivered, res.requestId)).toEqual([])
    expect(delivered.events().filter((e) => e.event === 'api_error' && e.properties.request_id === res.requestId)).toEqual([])
    expect(delivered.events().filter(generationOf(res.requestId))).toEqual([])
  })
})

describe('the official openai client (OPENAI_API_KEY, OPENAI_BASE_URL)', () => {
  it('answers from the provider, and the generation carries the model, usage and base URL it reported', async () => {
    const res = await chat(openaiApp, { prompt: 'Hi there' })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ text: fakeReply('Hi there'), model: 'gpt-4o-mini-2024-07-18', request_id: res.requestId })
    expect(llm.requests().at(-1)?.body).toMatchObject({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi there' }] })
    const [generation] = await waitForEvents(fake, generationOf(res.requestId))
    const usage = openAIUsage([{ role: 'user', content: 'Hi there' }])
    expect(generation!.properties).toMatchObject({
      $ai_trace_id: res.requestId,
      $ai_provider: 'openai',
      $ai_model: 'gpt-4o-mini-2024-07-18',
      $ai_input_tokens: usage.prompt_tokens,
      $ai_output_tokens: usage.completion_tokens,
      $ai_http_status: 200,
      $ai_base_url: llm.baseURL,
      $ai_is_error: false,
    })
  })

  it.each([
    ['quota', 'quota_error', 429, 429, true],
    ['server_error', 'provider_error', 500, 500, true],
    ['content_filter', 'content_filter', 400, 400, false],
    ['refusal', 'content_filter', 422, 200, false],
  ] as const)('provider %s → %s: route %i, generation status %i', async (mode, category, routeStatus, llmStatus, inSentry) => {
    const res = await chat(openaiApp, { prompt: `x [[fake:${mode}]]` })
    expect(res.status).toBe(routeStatus)
    const [generation] = await waitForEvents(fake, generationOf(res.requestId))
    const [apiError] = await waitForEvents(fake, of('api_error', res.requestId))
    expect(generation!.properties).toMatchObject({ $ai_is_error: true, error_type: category, $ai_http_status: llmStatus })
    expect(apiError!.properties.error_type).toBe(category)
    if (inSentry) {
      await fake.waitFor(() => sentryForRequest(fake, res.requestId).length > 0)
      const se = sentryForRequest(fake, res.requestId)[0]!.payload as { tags: Record<string, string>; fingerprint: string[] }
      expect(se.tags.error_type).toBe(category)
      expect(se.fingerprint[1]).toBe(category)
    }
  })

  it('a provider that never answers ends at OPENAI_TIMEOUT_MS as a connection_error, never hanging', async () => {
    const started = Date.now()
    const res = await chat(openaiApp, { prompt: 'x [[fake:hang]]' })
    const took = Date.now() - started
    expect(took).toBeGreaterThanOrEqual(1_400)
    expect(took).toBeLessThan(4_000)
    expect(res.status).toBe(500)
    expect(res.body).toEqual({ error: 'Internal Server Error', request_id: res.requestId })
    const [generation] = await waitForEvents(fake, generationOf(res.requestId))
    const [apiError] = await waitForEvents(fake, of('api_error', res.requestId))
    expect(generation!.properties).toMatchObject({ $ai_is_error: true, error_type: 'connection_error' })
    expect(generation!.properties).not.toHaveProperty('$ai_http_status')
    expect(apiError!.properties).toMatchObject({ error_type: 'connection_error', error_message: 'Request timed out.' })
    expect(generation!.properties.$ai_error).toMatch(/Request timed out\.$/)
  })
})
