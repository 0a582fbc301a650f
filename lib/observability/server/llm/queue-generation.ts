import 'server-only'
import { getConfig } from '../../shared/get-config.js'
import { afterResponse } from '../after-response.js'
import { capture } from '../capture.js'
import { getEventBatch } from '../posthog-client.js'
import type { RequestContext } from '../request-context.js'
import { generationProperties, type GenerationRecord } from './generation-properties.js'

/**
 * How long a generation waits, after the response, for `withTracking()` to resolve who the
 * request's user is (it does so after the response too, so a slow session lookup never delays it).
 */
const IDENTITY_WAIT_MS = 1_500

/**
 * @internal Builds the event after the response (sizing a large payload is CPU work, the user
 * is resolved then); `afterResponse` flushes it where the host may freeze. Never throws.
 */
export function queueGeneration(record: GenerationRecord, context: RequestContext | undefined, distinctId: string | undefined): void {
  afterResponse('$ai_generation', async () => {
    const config = getConfig()
    if (!config.posthog.enabled || !getEventBatch()) return
    const who = distinctId ? { distinctId, anonymous: false } : await identityOf(record, context)
    capture(
      who.distinctId,
      { event: '$ai_generation', properties: generationProperties(record, config.posthog, config.release) },
      { anonymous: who.anonymous, sessionId: context?.sessionId },
    )
  })
}

/**
 * The request's distinct id, which `withTracking()` resolves after the response; outside a
 * request, the trace id (PostHog's own convention for an unattributed generation). Unless the
 * context says the user is identified, the event creates no person profile (docs/events.md "Users").
 */
async function identityOf(record: GenerationRecord, context: RequestContext | undefined): Promise<{ distinctId: string; anonymous: boolean }> {
  if (!context) return { distinctId: record.traceId, anonymous: true }
  const deadline = performance.now() + IDENTITY_WAIT_MS
  while (context.distinctId === undefined && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10))
  const identified = (context as RequestContext & { readonly anonymous?: boolean }).anonymous === false
  return { distinctId: context.distinctId ?? context.requestId, anonymous: !identified }
}
