import { describe, expect, it } from 'vitest'
import { newVisitor, posthogIds, waitForKitReady } from '../support/browser'
import { E2E_ENVIRONMENT, leavePage, stackForFile } from '../support/e2e-stack'
import { sentryForRequest } from '../support/events'

/**
 * docs/events.md: a failing `fetch` from the page is linked to what the server reported about it by
 * the `X-Request-ID` of that response, and the server events join the visitor's PostHog session
 * (the server reads posthog-js's first-party cookie), so a replay leads to the server failure.
 */

const stack = stackForFile()

describe('a failing API call from the page is linked to its server events', () => {
  it('by the response X-Request-ID, and to the browser session', async () => {
    const { app, browser, fake } = stack
    const context = await newVisitor(browser)
    try {
      const page = await context.newPage()
      const doc = await page.goto(`${app.url}/debug/throw`)
      const documentRequestId = doc!.headers()['x-request-id']
      await waitForKitReady(page)
      const ids = await posthogIds(page)
      expect(ids.sessionId, 'the page has a PostHog session').toBeTruthy()

      const [apiResponse] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === '/api/debug/throw'), page.click('#throw-api')])
      expect(apiResponse.status()).toBe(500)
      const requestId = apiResponse.headers()['x-request-id']
      expect(requestId).toBeTruthy()
      expect(requestId, 'a fetch gets its own id, not the document one').not.toBe(documentRequestId)
      // The page shows the same id it got.
      await page.locator('#throw-api-result').filter({ hasText: requestId! }).waitFor()
      expect(await page.locator('#throw-api-result').textContent()).toBe(`500 (request ${requestId})`)

      const forRequest = () => fake.events().filter((e) => e.properties.request_id === requestId)
      await fake.waitFor(
        (f) =>
          ['api_request', 'api_error', '$exception'].every((name) => forRequest().some((e) => e.event === name)) && sentryForRequest(f, requestId!).length > 0,
        { timeoutMs: 30_000, message: `server events for ${requestId}` },
      )
      // Counts are final once the page is gone (posthog-js sent all it held, $pageleave last) and
      // the app has stopped (which delivers everything both server SDKs hold).
      await leavePage(page, fake, ids.sessionId)
      await app.stop()

      const events = forRequest()
      const byName = (name: string) => events.filter((e) => e.event === name)
      expect(byName('api_request'), 'one api_request').toHaveLength(1)
      expect(byName('api_error'), 'one api_error').toHaveLength(1)
      expect(byName('$exception'), 'one server $exception').toHaveLength(1)
      expect(byName('api_request')[0]!.properties).toMatchObject({
        endpoint: '/api/debug/throw',
        method: 'GET',
        status_code: 500,
        success: false,
        environment: E2E_ENVIRONMENT,
      })
      expect(byName('api_error')[0]!.properties).toMatchObject({
        endpoint: '/api/debug/throw',
        error_type: 'provider_error',
        exception_type: 'ProviderError',
        error_message: 'Debug API failure',
      })
      expect(byName('$exception')[0]!.properties).toMatchObject({ endpoint: '/api/debug/throw', error_type: 'provider_error' })

      const sentry = sentryForRequest(fake, requestId!)
      expect(sentry, 'one Sentry event for the failed request').toHaveLength(1)
      expect(sentry[0]!.payload.tags).toMatchObject({ request_id: requestId, endpoint: '/api/debug/throw', error_type: 'provider_error' })
      expect(sentry[0]!.payload.exception?.values?.[0]).toMatchObject({ type: 'ProviderError', value: 'Debug API failure' })
      // The server $exception links to its Sentry event, as the browser one does.
      expect(byName('$exception')[0]!.properties.$sentry_event_id).toBe(sentry[0]!.payload.event_id)

      // The visitor's PostHog session (and anonymous id) reach the server events through the cookie.
      for (const e of events) {
        expect(e.properties.$session_id, `${e.event} carries the page's $session_id`).toBe(ids.sessionId)
        expect(e.distinct_id, `${e.event} is on the visitor's anonymous timeline`).toBe(ids.distinctId)
      }
      expect(sentry[0]!.payload.tags).toMatchObject({ posthog_session_id: ids.sessionId, posthog_distinct_id: ids.distinctId })

      // The browser reported nothing for a handled 500: the page showed it, no error was thrown.
      expect(fake.events().filter((e) => e.event === '$exception' && e.properties.request_id !== requestId)).toEqual([])
    } finally {
      await context.close()
    }
  })
})
