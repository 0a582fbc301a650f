import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type { PostHogEvent } from '@/lib/observability/server/local/ingest/types'
import { holdRequests, kitPhase, newVisitor, pageState, posthogIds, waitForHydrated, waitForKitReady, waitForPostHogStarted } from '../support/browser'
import { sdkChunkPaths } from '../support/bundles'
import { E2E_ENVIRONMENT, E2E_RELEASE, leavePage, stackForFile } from '../support/e2e-stack'
import type { FakeIngest, SentryEventItem } from '../support/fake-ingest'

/**
 * docs/events.md: an uncaught browser error, an unhandled rejection and a render error caught
 * by the error boundary each reach PostHog (`$exception`) and Sentry exactly once, and the two
 * reports point at each other (Sentry tags carry the PostHog ids, `$exception` the Sentry id).
 * Errors thrown before the SDKs arrive (they load after `load`) are kept and reported the same way
 * (docs/decisions/006).
 */

const stack = stackForFile()

const HANDLER = 'Debug handler error from /debug/throw'
const REJECTION = 'Debug unhandled rejection from /debug/throw'
const RENDER = 'Debug render error from /debug/throw'

function posthogExceptions(fake: FakeIngest, message: string): PostHogEvent[] {
  return fake.events().filter((e) => {
    const list = e.properties.$exception_list as Array<{ value?: string }> | undefined
    return e.event === '$exception' && !!list?.some((x) => x.value === message)
  })
}

function sentryErrors(fake: FakeIngest, message: string): SentryEventItem[] {
  return fake.sentryEvents().filter((i) => i.payload.exception?.values?.some((x) => x.value === message))
}

/**
 * Everything either backend received about each message, once the page is gone: the first report
 * of each has arrived, then the page is closed and its `$pageleave` awaited. posthog-js sends that
 * last, with everything it still held; Sentry sends each error as it is captured, so every Sentry
 * report of an error thrown before the close left before it. Counts read then are final.
 */
async function reportsOf(page: Page, fake: FakeIngest, messages: readonly string[]) {
  await fake.waitFor((f) => messages.every((m) => posthogExceptions(f, m).length > 0 && sentryErrors(f, m).length > 0), {
    timeoutMs: 30_000,
    message: `${messages.join(' and ')} in PostHog and Sentry`,
  })
  await leavePage(page, fake)
  return new Map(messages.map((m) => [m, { posthog: posthogExceptions(fake, m), sentry: sentryErrors(fake, m) }]))
}

async function openDebugPage(page: Page): Promise<string> {
  const res = await page.goto(`${stack.app.url}/debug/throw`)
  expect(res?.status()).toBe(200)
  await waitForKitReady(page)
  // Fully started, remote config included: posthog-js has decided whether it reports errors itself.
  await waitForPostHogStarted(page)
  expect((await pageState(page)).posthogCapturesExceptions, 'posthog-js leaves uncaught errors to the kit').toBe(false)
  return res!.headers()['x-request-id']!
}

function expectLinked(posthog: PostHogEvent, sentry: SentryEventItem, ids: { distinctId?: string; sessionId?: string }, documentRequestId: string): void {
  expect(ids.distinctId, 'posthog-js has a distinct id').toBeTruthy()
  expect(ids.sessionId, 'posthog-js has a session id').toBeTruthy()
  // Sentry → PostHog
  expect(sentry.payload.tags).toMatchObject({
    posthog_distinct_id: ids.distinctId,
    posthog_session_id: ids.sessionId,
    request_id: documentRequestId,
  })
  expect(sentry.payload).toMatchObject({ environment: E2E_ENVIRONMENT, release: E2E_RELEASE })
  // PostHog → Sentry
  expect(sentry.payload.event_id).toMatch(/^[0-9a-f]{32}$/)
  expect(posthog.properties.$sentry_event_id).toBe(sentry.payload.event_id)
  expect(posthog.distinct_id).toBe(ids.distinctId)
  expect(posthog.properties).toMatchObject({ $session_id: ids.sessionId, environment: E2E_ENVIRONMENT, release: E2E_RELEASE })
}

describe('browser errors reach each backend once, linked both ways', () => {
  it('an error thrown in an event handler and an unhandled rejection', async () => {
    const { browser, fake } = stack
    const context = await newVisitor(browser)
    try {
      const page = await context.newPage()
      const requestId = await openDebugPage(page)
      const ids = await posthogIds(page)

      await page.click('#throw-handler')
      await page.click('#throw-rejection')

      const reports = await reportsOf(page, fake, [HANDLER, REJECTION])
      for (const [message, mechanism] of [
        [HANDLER, 'auto.browser.global_handlers.onerror'],
        [REJECTION, 'auto.browser.global_handlers.onunhandledrejection'],
      ] as const) {
        const { posthog, sentry } = reports.get(message)!
        expect(posthog, `one PostHog $exception for "${message}"`).toHaveLength(1)
        expect(sentry, `one Sentry event for "${message}"`).toHaveLength(1)
        expectLinked(posthog[0]!, sentry[0]!, ids, requestId)
        const [exception] = sentry[0]!.payload.exception!.values!
        expect(exception!.mechanism).toMatchObject({ type: mechanism, handled: false })
        const [phException] = posthog[0]!.properties.$exception_list as Array<{ mechanism?: { handled?: boolean } }>
        expect(phException!.mechanism?.handled).toBe(false)
      }
      // Nothing else was reported: two errors, two reports per backend.
      expect(fake.events().filter((e) => e.event === '$exception')).toHaveLength(2)
      expect(fake.sentryEvents()).toHaveLength(2)
    } finally {
      await context.close()
    }
  })

  it('errors thrown before the SDKs have loaded are kept, then reported once each, linked', async () => {
    const { app, browser, fake } = stack
    const context = await newVisitor(browser)
    const sdks = await holdRequests(context, sdkChunkPaths())
    try {
      const page = await context.newPage()
      const res = await page.goto(`${app.url}/debug/throw`, { waitUntil: 'load' })
      const requestId = res!.headers()['x-request-id']!
      await waitForHydrated(page, '#throw-handler')
      const thrownAt = Date.now()
      await page.click('#throw-handler')
      await page.click('#throw-rejection')
      expect(await kitPhase(page), 'the SDKs had not loaded when the errors were thrown').toBe('scheduled')
      // Kept: the scenario needs wall-clock time between the throw and the send, which no condition gives.
      await page.waitForTimeout(2_000)
      const releasedAt = Date.now()
      sdks.release()
      await waitForKitReady(page)
      const ids = await posthogIds(page)

      const reports = await reportsOf(page, fake, [HANDLER, REJECTION])
      for (const message of [HANDLER, REJECTION]) {
        const { posthog, sentry } = reports.get(message)!
        expect(posthog, `one PostHog $exception for "${message}"`).toHaveLength(1)
        expect(sentry, `one Sentry event for "${message}"`).toHaveLength(1)
        expectLinked(posthog[0]!, sentry[0]!, ids, requestId)
        // Sentry keeps the time the error happened, not when the SDK got it.
        const at = (sentry[0]!.payload.timestamp as number) * 1_000
        expect(at).toBeGreaterThanOrEqual(thrownAt - 1_000)
        expect(at).toBeLessThan(releasedAt)
      }
      expect(fake.events().filter((e) => e.event === '$exception')).toHaveLength(2)
      expect(fake.sentryEvents()).toHaveLength(2)
    } finally {
      sdks.release()
      await context.close()
    }
  })

  it('a render error is caught by the error boundary and reported once per backend', async () => {
    const { browser, fake } = stack
    const context = await newVisitor(browser)
    try {
      const page = await context.newPage()
      const requestId = await openDebugPage(page)
      const ids = await posthogIds(page)

      await page.click('#throw-render')
      // app/error.tsx replaced the page: the boundary caught it.
      await page.locator('main[role="alert"]').waitFor()
      expect(await page.locator('main[role="alert"] h1').textContent()).toBe('Something went wrong')
      expect(await page.locator('#throw-render').count()).toBe(0)

      const { posthog, sentry } = (await reportsOf(page, fake, [RENDER])).get(RENDER)!
      expect(posthog, 'one PostHog $exception for the render error').toHaveLength(1)
      expect(sentry, 'one Sentry event for the render error').toHaveLength(1)
      expectLinked(posthog[0]!, sentry[0]!, ids, requestId)
      expect(sentry[0]!.payload.exception!.values![0]!.mechanism).toMatchObject({ type: 'auto.function.nextjs.error_boundary', handled: false })
      expect(fake.events().filter((e) => e.event === '$exception')).toHaveLength(1)
      expect(fake.sentryEvents()).toHaveLength(1)
    } finally {
      await context.close()
    }
  })
})
