import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { everythingSent, sentryForRequest, waitForEvents } from '../support/events'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import type { FakeLlm } from '../support/fake-llm-server'
import { startFakeOpenAI } from '../support/fake-openai'
import { startNext, type NextServer } from '../support/next-server'

/**
 * A thrown message full of secrets, and a provider error that quotes the prompt, reach both
 * backends without them: checked on every decoded payload the real SDKs sent, after the app has
 * stopped (which delivers everything queued), against positive controls that prove the events
 * arrived and kept their non-secret words.
 */

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzZWNyZXR1c2VyIn0.c2lnbmF0dXJlU0VDUkVU'
const SECRETS = {
  password: 'PwSecret-7781',
  apiKey: 'sk_live_ApiKeySecret5521',
  bearer: 'BearerSecretToken3390',
  jwt: JWT,
  card: '4111 1111 1111 1111',
  dbPassword: 'DbPassSecret6612',
  iban: 'DE89370400440532013000',
  /** A credential in a header no deny list names: traced spans carry such headers as arrays of values. */
  headerNote: 'HeaderNoteSecret8843',
}
const MESSAGE = `login failed for password=${SECRETS.password} api_key=${SECRETS.apiKey} Authorization: Bearer ${SECRETS.bearer} ${SECRETS.jwt} card ${SECRETS.card} refund ${SECRETS.iban} postgres://app:${SECRETS.dbPassword}@db/app`
/** Not secrets: an order id, a UUID and a timestamp in the same message must survive. */
const LOOKALIKES = ['ORD-2024-000123', '0f8fad5b-d9cb-469f-a165-70867728950e', '1733529600000']
const PROMPT = 'Summarise the ticket for customer Quokkafield Zanzibar whose address is 12 Wombat Lane'

let fake: FakeIngest
let llm: FakeLlm
let app: NextServer
let text = ''

beforeAll(async () => {
  ;[fake, llm] = await Promise.all([startFakeIngest(), startFakeOpenAI()])
  app = await startNext({
    POSTHOG_API_KEY: 'phc_secretsinerrors12345',
    POSTHOG_HOST: fake.posthogHost,
    SENTRY_DSN: fake.sentryDsn,
    SENTRY_TRACES_SAMPLE_RATE: '1',
    DEBUG: '1',
    OPENAI_API_KEY: 'test',
    OPENAI_BASE_URL: llm.baseURL,
  })
  const msg = `${MESSAGE} order ${LOOKALIKES.join(' ')}`
  const thrown = await fetch(`${app.url}/api/debug/throw?kind=Error&msg=${encodeURIComponent(msg)}`, {
    headers: { 'x-request-id': 'secret-msg-1', 'x-support-note': `escalate with Bearer ${SECRETS.headerNote}` },
  })
  expect(thrown.status).toBe(500)
  const chat = (id: string, mode: string) =>
    fetch(`${app.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': id },
      body: JSON.stringify({ prompt: `${PROMPT} [[fake:${mode}]]` }),
    })
  // A provider's 5xx reaches every exit; its 4xx (the upstream refusing the call) answers 4xx and, as
  // an expected client error, reaches api_error and $ai_generation but not error tracking.
  expect((await chat('secret-llm-1', 'server_quoting')).status).toBe(500)
  expect((await chat('secret-llm-2', 'invalid_quoting')).status).toBe(400)
  // Positive controls before the app stops: each failure reached each backend.
  await waitForEvents(fake, (e) => e.event === '$exception' && e.properties.request_id === 'secret-msg-1')
  await waitForEvents(fake, (e) => e.event === '$exception' && e.properties.request_id === 'secret-llm-1')
  await waitForEvents(fake, (e) => e.event === '$ai_generation' && e.properties.$ai_trace_id === 'secret-llm-1')
  await waitForEvents(fake, (e) => e.event === 'api_error' && e.properties.request_id === 'secret-llm-2')
  await fake.waitFor(() => sentryForRequest(fake, 'secret-msg-1').length && sentryForRequest(fake, 'secret-llm-1').length)
  // Stopping the app delivers whatever is still queued (spans, api_error, sessions): only then is absence proven.
  await app.stop()
  text = everythingSent(fake)
})

afterAll(async () => {
  await app?.stop()
  await Promise.all([fake?.close(), llm?.close()])
})

describe('secrets in a thrown error message never leave', () => {
  it.each(Object.entries(SECRETS))('%s appears in no payload of either backend', (_name, secret) => {
    expect(text.length).toBeGreaterThan(2_000)
    expect(text.includes(secret), `${secret} in …${around(text, secret)}…`).toBe(false)
  })

  it('a header no deny list names reaches the request span with its other words, without the secret', () => {
    // Positive control: the header is on the wire, so its secret's absence means it was scrubbed.
    expect(text).toContain('escalate with Bearer [Filtered]')
  })

  it('the card number in no spacing or encoding', () => {
    for (const form of ['4111111111111111', '4111+1111+1111+1111', '4111%201111%201111%201111']) expect(text.includes(form), form).toBe(false)
  })

  it('fingerprints, PostHog $exception_list values and api_error are built from the scrubbed message', () => {
    const sentry = sentryForRequest(fake, 'secret-msg-1')[0]!.payload as { fingerprint?: string[]; exception?: { values?: { value?: string }[] } }
    expect(sentry.fingerprint?.[1]).toContain('login failed for password=[Filtered]')
    expect(sentry.exception?.values?.at(-1)?.value).toContain('login failed for')
    const exc = fake.events().find((e) => e.event === '$exception' && e.properties.request_id === 'secret-msg-1')!
    const values = (exc.properties.$exception_list as { value: string }[]).map((e) => e.value).join(' ')
    expect(values).toContain('login failed for password=[Filtered]')
    const apiError = fake.events().find((e) => e.event === 'api_error' && e.properties.request_id === 'secret-msg-1')!
    expect(apiError.properties.error_message).toContain('postgres://app:[Filtered]@db/app')
  })

  it('keeps what only looks like a secret: an order id, a UUID, a timestamp', () => {
    const exc = fake.events().find((e) => e.event === '$exception' && e.properties.request_id === 'secret-msg-1')!
    for (const kept of LOOKALIKES) expect(JSON.stringify(exc.properties.$exception_list)).toContain(kept)
  })
})

describe('a provider error that quotes the prompt does not carry it, with LLM payloads off', () => {
  it('in $ai_generation, api_error, $exception and Sentry', () => {
    // The prompt's words in runs of 12 characters or more: none may be found anywhere.
    expect(text).not.toContain('Quokkafield Zanzibar')
    expect(text).not.toContain('12 Wombat Lane')
    expect(text).not.toContain('Summarise the ticket')
    const gen = fake.events().find((e) => e.event === '$ai_generation' && e.properties.$ai_trace_id === 'secret-llm-2')!
    expect(gen.properties.$ai_is_error).toBe(true)
    expect(String(gen.properties.$ai_error)).toContain("Invalid 'messages[0].content'")
    expect(String(gen.properties.$ai_error)).toContain('[Filtered]')
    const apiError = fake.events().find((e) => e.event === 'api_error' && e.properties.request_id === 'secret-llm-2')!
    expect(String(apiError.properties.error_message)).toContain('unsupported character sequence')
    const sentry = sentryForRequest(fake, 'secret-llm-1')[0]!.payload as { exception?: { values?: { value?: string }[] } }
    expect(JSON.stringify(sentry.exception)).toContain('while processing the prompt')
    const exc = fake.events().find((e) => e.event === '$exception' && e.properties.request_id === 'secret-llm-1')!
    expect(JSON.stringify(exc.properties.$exception_list)).toContain('while processing the prompt')
  })
})

/** Where a found secret sits, so a failure says which payload carried it. */
function around(text: string, needle: string): string {
  const i = text.indexOf(needle)
  return i === -1 ? '' : text.slice(Math.max(0, i - 300), i + needle.length + 100)
}
