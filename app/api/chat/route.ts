import { z } from 'zod'
import { addBreadcrumb, getRequestId, traceGeneration, traceOpenAIChat, withTracking } from 'nextjs-observability-kit/server'
import { chatModel } from '@/lib/demo/chat-model'
import { ECHO_MODEL, ECHO_PROVIDER, echoCompletion, type EchoMessage } from '@/lib/demo/echo-model'
import { demoGetUser } from '@/lib/demo/user'

export const dynamic = 'force-dynamic'

/** Generous for a demo, and enough for the tests' 200,000-character prompts. */
const MAX_PROMPT_CHARS = 500_000

const Body = z.object({ prompt: z.string().min(1).max(MAX_PROMPT_CHARS) })

/**
 * The demo LLM route (README, "The demo"): POST `{"prompt": "…"}`, its model call traced as one
 * `$ai_generation` on the request's trace. OpenAI when `OPENAI_API_KEY` is set, else the echo
 * model, whose `fail: <category>` prompts produce each error category (docs/events.md). Provider errors
 * propagate to `withTracking()`, so `api_error` and Sentry carry the category too.
 */
export const POST = withTracking(
  async (request: Request) => {
    const parsed = Body.safeParse(await request.json().catch(() => undefined))
    if (!parsed.success) {
      // The caller's mistake, answered directly: it counts in api_request, not in error tracking.
      return Response.json({ error: 'Expected a JSON body {"prompt": "…"} with a non-empty string prompt.', request_id: await getRequestId() }, { status: 400 })
    }
    // Steps of this request, shown with its error if it fails (never the prompt itself).
    addBreadcrumb({ category: 'chat', message: 'prompt received', data: { chars: parsed.data.prompt.length } })
    const messages: EchoMessage[] = [{ role: 'user', content: parsed.data.prompt }]
    const { client, model } = chatModel()
    addBreadcrumb({ category: 'chat', message: 'model called', data: { model: client ? model : ECHO_MODEL } })
    const completion = client
      ? await traceOpenAIChat(client, { model, messages }, { name: 'demo-chat' })
      : await traceGeneration({ provider: ECHO_PROVIDER, model: ECHO_MODEL, input: messages, name: 'demo-chat' }, () => echoCompletion(messages))
    const choice = completion.choices[0]
    addBreadcrumb({ category: 'chat', message: 'model answered', data: { finish_reason: choice?.finish_reason ?? null } })
    if (choice?.finish_reason === 'content_filter') throw new ContentFilterError()
    return Response.json({
      text: choice?.message.content ?? '',
      model: completion.model,
      usage: { input_tokens: completion.usage?.prompt_tokens, output_tokens: completion.usage?.completion_tokens },
      request_id: await getRequestId(),
    })
  },
  { getUser: demoGetUser },
)

/** The provider answered but withheld the completion on policy: the user's prompt, so a 422. */
class ContentFilterError extends Error {
  override name = 'ContentFilterError'
  readonly status = 422
  constructor() {
    super('The model declined to answer this prompt (content filter).')
  }
}
