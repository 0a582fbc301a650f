import 'server-only'
import OpenAI from 'openai'

/**
 * The demo chat route's model settings, read from the server environment at runtime:
 * `OPENAI_API_KEY` switches from the echo model to OpenAI (`OPENAI_BASE_URL` for a compatible
 * server, `OPENAI_MODEL`, default `gpt-4o-mini`), and `OPENAI_TIMEOUT_MS` (default 30 s) bounds
 * each call, so a provider that never answers ends as a `connection_error` instead of a hung request.
 */
export const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini'
export const DEFAULT_TIMEOUT_MS = 30_000

export interface ChatModel {
  readonly client: OpenAI | null
  readonly model: string
  readonly timeoutMs: number
}

let cached: ChatModel | undefined

/** One client per process (its connection pool is worth keeping); null means the echo model. */
export function chatModel(): ChatModel {
  if (cached) return cached
  const env = process.env
  const timeoutMs = positiveInt(env.OPENAI_TIMEOUT_MS, DEFAULT_TIMEOUT_MS)
  const model = env.OPENAI_MODEL?.trim() || DEFAULT_OPENAI_MODEL
  const client = env.OPENAI_API_KEY
    ? new OpenAI({
        apiKey: env.OPENAI_API_KEY,
        baseURL: env.OPENAI_BASE_URL?.trim() || undefined,
        timeout: timeoutMs,
        // A person is waiting on this answer: one attempt bounded by the timeout, so the
        // timeout is the whole wait. A background job would keep the SDK's retries instead.
        maxRetries: 0,
      })
    : null
  return (cached = { client, model, timeoutMs })
}

function positiveInt(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback
  const n = Number(value)
  if (Number.isInteger(n) && n > 0 && n <= 600_000) return n
  console.warn(`[demo] OPENAI_TIMEOUT_MS=${JSON.stringify(value)} is not a whole number of milliseconds (1–600000); using ${fallback}`)
  return fallback
}
