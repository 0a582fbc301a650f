import 'server-only'
import { aiSdk } from './ai-sdk.js'
import { anthropicMessages } from './anthropic-messages.js'
import type { GenerationAdapter } from './generation-adapter.js'
import { openAIChat } from './openai-chat.js'

/**
 * @internal Tried in this order when a call names no adapter; each recognises only its own
 * library's shapes, so the order only matters for speed.
 */
export const BUILT_IN_ADAPTERS: readonly GenerationAdapter[] = [openAIChat, anthropicMessages, aiSdk]

/** @internal `.withResponse()` gives `{ data, response }`: read `data`, take the real HTTP status. */
export function unwrapWithResponse(result: unknown): { data: unknown; status?: number } {
  if (result && typeof result === 'object' && 'data' in result && 'response' in result) {
    const status = (result as { response?: { status?: unknown } }).response?.status
    if (typeof status === 'number') return { data: (result as { data: unknown }).data, status }
  }
  return { data: result }
}

/** @internal */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> & object {
  return !!value && typeof value === 'object' && typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function'
}
