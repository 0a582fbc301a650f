import { randomUUID } from 'node:crypto'
import { type Exchange, type FakeLlmTiming, allText, fakeLlmStarter, fakeReply, fakeTokens, json, lastUserText, sse, streamDeltas } from './fake-llm-server'

/**
 * A local Anthropic-compatible server for the real `@anthropic-ai/sdk` client: `POST /v1/messages`,
 * JSON or SSE (`stream: true`: message_start with input usage, content_block_start/delta/stop,
 * message_delta with the stop reason and output usage, message_stop). Error bodies copy the real API's.
 *
 * @example
 * const llm = await startFakeAnthropic()
 * const client = new Anthropic({ apiKey: 'test', baseURL: llm.baseURL, maxRetries: 0 })
 */
export const startFakeAnthropic = fakeLlmStarter('', answer)

/** What the fake reports as usage for a request, so tests can assert exact numbers. */
export function anthropicUsage(messages: unknown, system?: unknown): { input_tokens: number; output_tokens: number } {
  return { input_tokens: fakeTokens(allText(messages, system)), output_tokens: fakeTokens(fakeReply(lastUserText(messages))) }
}

const ERRORS = {
  quota: [429, { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit.' }],
  server_error: [500, { type: 'api_error', message: 'Internal server error' }],
} as const

async function answer({ res, path, body, mode }: Exchange, timing: Required<FakeLlmTiming>): Promise<void> {
  if (path !== '/v1/messages') return json(res, 404, { type: 'error', error: { type: 'not_found_error', message: `fake Anthropic has no ${path}` } })
  if (mode === 'quota' || mode === 'server_error') {
    const [status, error] = ERRORS[mode]
    return json(res, status, { type: 'error', error }, { 'request-id': `req_${randomUUID()}` })
  }
  // Anthropic has no 400 for policy: the model itself declines, with `stop_reason: refusal`.
  const refused = mode === 'refusal' || mode === 'content_filter'
  const model = typeof body.model === 'string' ? `${body.model}-20250101` : 'claude-fake'
  const reply = refused ? '' : fakeReply(lastUserText(body.messages))
  const stop = refused ? 'refusal' : 'end_turn'
  const usage = anthropicUsage(body.messages, body.system)
  const outputTokens = refused ? 0 : usage.output_tokens
  const id = `msg_${randomUUID()}`
  const cache = { cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }

  if (body.stream !== true) {
    return json(res, 200, {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: reply ? [{ type: 'text', text: reply }] : [],
      stop_reason: stop,
      stop_sequence: null,
      usage: { input_tokens: usage.input_tokens, output_tokens: outputTokens, ...cache },
    })
  }

  const send = sse(res)
  const event = (type: string, data: Record<string, unknown>) => send(JSON.stringify({ type, ...data }), type)
  event('message_start', {
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: usage.input_tokens, output_tokens: 1, ...cache },
    },
  })
  await streamDeltas(reply, timing, (piece) => event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } }), {
    before: () => {
      event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } })
      event('ping', {})
    },
    after: () => event('content_block_stop', { index: 0 }),
  })
  event('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: outputTokens } })
  event('message_stop', {})
  res.end()
}
