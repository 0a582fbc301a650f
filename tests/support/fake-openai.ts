import { randomUUID } from 'node:crypto'
import { type Exchange, type FakeLlmTiming, allText, fakeLlmStarter, fakeReply, fakeTokens, json, lastUserText, sse, streamDeltas } from './fake-llm-server'

/**
 * A local OpenAI-compatible server for the real `openai` client and the AI SDK's OpenAI provider:
 * `POST /v1/chat/completions`, JSON or SSE (`stream: true`, with the final usage chunk when
 * `stream_options.include_usage` is set, as the real API does). Error bodies copy the real API's.
 *
 * @example
 * const llm = await startFakeOpenAI()
 * const client = new OpenAI({ apiKey: 'test', baseURL: llm.baseURL, maxRetries: 0 })
 * llm.setMode('quota') // or put `[[fake:quota]]` in one prompt
 */
export const startFakeOpenAI = fakeLlmStarter('/v1', answer)

/** What the fake reports as usage for a request, so tests can assert exact numbers. */
export function openAIUsage(messages: unknown): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  const prompt_tokens = fakeTokens(allText(messages))
  const completion_tokens = fakeTokens(fakeReply(lastUserText(messages)))
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens }
}

const ERRORS = {
  quota: [
    429,
    {
      message: 'You exceeded your current quota, please check your plan and billing details.',
      type: 'insufficient_quota',
      param: null,
      code: 'insufficient_quota',
    },
  ],
  server_error: [500, { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null }],
  content_filter: [
    400,
    {
      message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
      type: null,
      param: 'prompt',
      code: 'content_filter',
    },
  ],
} as const

async function answer({ res, path, body, mode }: Exchange, timing: Required<FakeLlmTiming>): Promise<void> {
  if (path !== '/v1/chat/completions') return json(res, 404, { error: { message: `fake OpenAI has no ${path}`, type: 'invalid_request_error' } })
  if (mode === 'invalid_quoting' || mode === 'server_quoting') {
    // Some provider errors quote the offending input back, prompt text included.
    const quoted = JSON.stringify(lastUserText(body.messages))
    const [status, error] =
      mode === 'invalid_quoting'
        ? [
            400,
            {
              message: `Invalid 'messages[0].content': ${quoted} contains an unsupported character sequence.`,
              type: 'invalid_request_error',
              param: 'messages[0].content',
              code: 'invalid_value',
            },
          ]
        : [500, { message: `The server had an error while processing the prompt ${quoted}. Sorry about that!`, type: 'server_error', param: null, code: null }]
    return json(res, status, { error }, { 'x-request-id': `req_${randomUUID()}` })
  }
  if (mode === 'quota' || mode === 'server_error' || mode === 'content_filter') {
    const [status, error] = ERRORS[mode]
    return json(res, status, { error }, { 'x-request-id': `req_${randomUUID()}` })
  }
  const model = typeof body.model === 'string' ? `${body.model}-2024-07-18` : 'gpt-fake'
  const reply = mode === 'refusal' ? '' : fakeReply(lastUserText(body.messages))
  const finish = mode === 'refusal' ? 'content_filter' : 'stop'
  const usage = { ...openAIUsage(body.messages), ...(mode === 'refusal' ? { completion_tokens: 0 } : {}) }
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens
  const id = `chatcmpl-${randomUUID()}`
  const created = Math.floor(Date.now() / 1000)

  if (body.stream !== true) {
    return json(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: reply, refusal: null }, logprobs: null, finish_reason: finish }],
      usage: { ...usage, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
      system_fingerprint: 'fp_fake',
    })
  }

  const send = sse(res)
  // As the real API: with include_usage every chunk has `usage: null`, the last one (no choices) the numbers.
  const wantsUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    send(
      JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        system_fingerprint: 'fp_fake',
        choices,
        ...(wantsUsage ? { usage: null } : {}),
        ...extra,
      }),
    )
  chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }])
  await streamDeltas(reply, timing, (piece) => chunk([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]))
  chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finish }])
  if (wantsUsage) chunk([], { usage })
  send('[DONE]')
  res.end()
}
