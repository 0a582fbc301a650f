import type { PostHogEvent } from '@/lib/observability/server/local/ingest/types'
import { getPostHog } from '@/lib/observability/server/posthog-client'
import { runWithRequestContext, type RequestContext } from '@/lib/observability/server/request-context'
import { resetObservability } from 'nextjs-observability-kit/testing'
import type { FakeIngest } from './fake-ingest'
import { waitForEvents } from './events'

/**
 * Helpers for tests that call the kit's LLM tracing directly, with the real posthog-node client
 * pointed at the fake ingestion server.
 */

const saved = { ...process.env }

/** Replaces the kit's environment (POSTHOG_*, SENTRY_*, APP_ENV…) and starts from a fresh config and client. */
export async function configureKit(env: Record<string, string | undefined>): Promise<void> {
  await getPostHog()
    ?.shutdown(2_000)
    .catch(() => undefined)
  for (const k of Object.keys(process.env)) if (/^(POSTHOG|SENTRY)_|^(APP_ENV|RELEASE_SHA|SERVICE_NAME)$/.test(k)) delete process.env[k]
  for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v
  resetObservability()
}

export async function restoreKit(): Promise<void> {
  await getPostHog()
    ?.shutdown(2_000)
    .catch(() => undefined)
  process.env = { ...saved }
  resetObservability()
}

/** The env of a kit sending to `fake`, with a fixed environment and release to assert on. */
export function kitEnv(fake: FakeIngest, extra: Record<string, string> = {}): Record<string, string> {
  return {
    POSTHOG_API_KEY: 'phc_llmtests1234567',
    POSTHOG_HOST: fake.posthogHost,
    APP_ENV: 'staging',
    SERVICE_NAME: 'llm-kit',
    RELEASE_SHA: 'abc123',
    ...extra,
  }
}

export const RELEASE = 'llm-kit@abc123'

/**
 * Runs `fn` as inside `withTracking()` for a request with this id, whose visitor is already
 * resolved (`distinctId`; pass `distinctId: undefined` to leave it to the test).
 */
export function inRequest<T>(requestId: string, fn: () => T, extra: Partial<RequestContext> = {}): T {
  return runWithRequestContext({ requestId, endpoint: '/api/test', method: 'POST', distinctId: `visitor-${requestId}`, ...extra }, fn)
}

export type Generation = PostHogEvent & { properties: Record<string, unknown> }

/** The `$ai_generation` events matching `match`, once at least one arrived. */
export async function generations(fake: FakeIngest, match: (p: Record<string, unknown>) => boolean): Promise<Generation[]> {
  return (await waitForEvents(fake, (e) => e.event === '$ai_generation' && match(e.properties ?? {}))) as Generation[]
}

/**
 * Delivers everything the kit's posthog-node client holds, if there is one: `flush()` hands over
 * what waits in this thread, then resolves once the batch has been answered. What the fake has
 * afterwards is all that was captured before the call.
 */
export async function deliverHeld(): Promise<void> {
  await getPostHog()
    ?.flush()
    .catch(() => undefined)
}

/** Waits for the one generation matching `match`, then delivers what the client still holds: a duplicate would be in it. */
export async function theGeneration(fake: FakeIngest, match: (p: Record<string, unknown>) => boolean): Promise<Generation> {
  await generations(fake, match)
  await deliverHeld()
  const all = fake.events().filter((e) => e.event === '$ai_generation' && match(e.properties ?? {})) as Generation[]
  if (all.length !== 1) throw new Error(`expected exactly one $ai_generation, got ${all.length}`)
  return all[0]!
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
