import type { ErrorType } from 'nextjs-observability-kit/server'

/**
 * The demo's built-in model when no `OPENAI_API_KEY` is set: deterministic, offline, free. It
 * answers in the OpenAI chat-completion shape, so the route has one code path and the kit's
 * OpenAI adapter reads it like the real thing.
 *
 * A prompt starting with `fail: <category>` fails the way a provider would (the status, code and
 * class name of the `openai` client's errors), so every error category (docs/events.md) can be
 * produced from the debug page or curl without a provider. Error messages never echo the prompt.
 */

export const ECHO_PROVIDER = 'echo'
export const ECHO_MODEL = 'echo-1'

export interface EchoMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

export interface EchoCompletion {
  id: string
  object: 'chat.completion'
  created: number
  model: string
  choices: { index: number; message: { role: 'assistant'; content: string }; finish_reason: 'stop' }[]
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number }
}

/** Tokens the echo model reports: one per 4 characters, as a rough English tokenizer would. */
export function echoTokens(text: string): number {
  return Math.ceil(text.length / 4)
}

/**
 * @example
 * echoCompletion([{ role: 'user', content: 'hi' }]).choices[0].message.content // 'Echo: hi'
 * echoCompletion([{ role: 'user', content: 'fail: quota_error' }]) // throws a 429 RateLimitError
 */
export function echoCompletion(messages: readonly EchoMessage[]): EchoCompletion {
  const prompt = [...messages].reverse().find((m) => m.role === 'user')?.content ?? ''
  const failure = /^\s*fail:\s*([a-z_]*)/i.exec(prompt)
  if (failure) throw echoFailure(failure[1]?.toLowerCase() ?? '')
  const reply = `Echo: ${prompt}`
  const promptTokens = echoTokens(messages.map((m) => m.content).join(''))
  const completionTokens = echoTokens(reply)
  return {
    id: `echo-${Date.now().toString(36)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: ECHO_MODEL,
    choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  }
}

/** An error shaped like the `openai` client's for that category (unknown ones fail as the provider). */
function echoFailure(category: string): Error {
  const make = (name: string, message: string, fields: Record<string, unknown> = {}) =>
    Object.assign(Object.assign(new Error(`${message} (echo model demo failure)`), { name }), fields)
  switch (category as ErrorType) {
    case 'quota_error':
      return make('RateLimitError', '429 You exceeded your current quota, please check your plan and billing details.', {
        status: 429,
        code: 'insufficient_quota',
        type: 'insufficient_quota',
      })
    case 'content_filter':
      return make('BadRequestError', '400 The response was filtered due to the prompt triggering the content management policy.', {
        status: 400,
        code: 'content_filter',
      })
    case 'connection_error':
      return make('APIConnectionTimeoutError', 'Request timed out.')
    case 'auth_error':
      return make('AuthenticationError', '401 Incorrect API key provided.', { status: 401, code: 'invalid_api_key' })
    case 'validation_error':
      return make('BadRequestError', "400 Invalid 'messages': empty array.", { status: 400, code: 'invalid_value' })
    case 'application_error':
      return make('TypeError', "Cannot read properties of undefined (reading 'choices')")
    case 'provider_error':
    default:
      return make('InternalServerError', '500 The server had an error while processing your request.', { status: 500, type: 'server_error' })
  }
}
