import { describe, expect, it } from 'vitest'
import { holdRequests, kitPhase, newVisitor, waitForHydrated, waitForKitReady, waitForPostHogStarted } from '../support/browser'
import { sdkChunkPaths } from '../support/bundles'
import { E2E_ENVIRONMENT, E2E_RELEASE, leavePage, stackForFile } from '../support/e2e-stack'
import type { PostHogEvent } from '@/lib/observability/server/local/ingest/types'

/**
 * docs/events.md: one `$pageview` per navigation, App Router soft navigations included, each
 * carrying the id of the document the visitor loaded as `request_id`, plus the super properties
 * `environment` and `release`; `$pageleave` when the visitor leaves. Views that happen before
 * posthog-js has loaded are queued and sent with their own URL (docs/decisions/007).
 */

const stack = stackForFile()

const pageviews = () => stack.fake.events().filter((e) => e.event === '$pageview')
const props = (e: PostHogEvent | undefined) => (e?.properties ?? {}) as Record<string, unknown>

describe('pageviews are counted once per navigation', () => {
  it('a landing page, a soft navigation and a back navigation give exactly one $pageview each, all with the document request id', async () => {
    const { app, browser, fake } = stack
    const context = await newVisitor(browser)
    try {
      const page = await context.newPage()
      const landing = await page.goto(`${app.url}/`)
      expect(landing?.status()).toBe(200)
      const documentRequestId = landing?.headers()['x-request-id']
      expect(documentRequestId, 'the document response carries X-Request-ID').toMatch(/^[A-Za-z0-9._:-]{1,128}$/)

      // A marker on window survives a soft navigation and dies with a full document load.
      await page.evaluate(() => Object.assign(window, { __e2eSoftNavMarker: 'still-here' }))
      await waitForKitReady(page)

      await page.click('a[href="/debug/throw"]')
      await page.waitForURL(`${app.url}/debug/throw`)
      await page.locator('#throw-handler').waitFor()
      expect(await page.evaluate(() => (window as unknown as { __e2eSoftNavMarker?: string }).__e2eSoftNavMarker), 'the Link navigation was soft').toBe(
        'still-here',
      )

      await fake.waitFor((f) => f.events().filter((e) => e.event === '$pageview').length >= 2, { timeoutMs: 30_000, message: 'two $pageviews' })

      await page.goBack()
      await page.waitForURL(`${app.url}/`)
      await page.locator('a[href="/debug/throw"]').waitFor()
      expect(await page.evaluate(() => (window as unknown as { __e2eSoftNavMarker?: string }).__e2eSoftNavMarker), 'back was soft too').toBe('still-here')
      await fake.waitFor((f) => f.events().filter((e) => e.event === '$pageview').length >= 3, { timeoutMs: 30_000, message: 'a third $pageview after back' })

      // Leaving the site: posthog-js sends $pageleave from pagehide, with a beacon, after
      // everything else it held; the counts below are final.
      const leave = await leavePage(page, fake)
      const [first, second, third, ...extra] = pageviews()
      expect(extra, 'one $pageview per navigation: none doubled, and leaving is not a view').toEqual([])
      expect(props(first)).toMatchObject({
        request_id: documentRequestId,
        $current_url: `${app.url}/`,
        $pathname: '/',
        environment: E2E_ENVIRONMENT,
        release: E2E_RELEASE,
      })
      expect(props(second)).toMatchObject({
        // Still the document's id: a soft navigation is no new document request.
        request_id: documentRequestId,
        $current_url: `${app.url}/debug/throw`,
        $pathname: '/debug/throw',
        environment: E2E_ENVIRONMENT,
        release: E2E_RELEASE,
      })
      expect(props(first).$session_id, 'both views are in one session').toBe(props(second).$session_id)
      expect(first?.distinct_id).toBe(second?.distinct_id)
      // Back adds exactly one $pageview.
      expect(props(third)).toMatchObject({ request_id: documentRequestId, $current_url: `${app.url}/`, $pathname: '/' })

      expect(props(leave)).toMatchObject({ $current_url: `${app.url}/`, environment: E2E_ENVIRONMENT, release: E2E_RELEASE })
      expect(props(leave).$session_id).toBe(props(first).$session_id)
    } finally {
      await context.close()
    }
  })

  it('a navigation before posthog-js has loaded keeps both views, each with its own URL', async () => {
    const { app, browser, fake } = stack
    const context = await newVisitor(browser)
    // The SDK chunks wait until the visitor has navigated: views must queue, then go out right.
    const sdks = await holdRequests(context, sdkChunkPaths())
    try {
      const page = await context.newPage()
      const landing = await page.goto(`${app.url}/`, { waitUntil: 'load' })
      const documentRequestId = landing!.headers()['x-request-id']
      await page.evaluate(() => Object.assign(window, { __e2eSoftNavMarker: 'still-here' }))
      await waitForHydrated(page, 'a[href="/debug/throw"]')
      await page.click('a[href="/debug/throw"]')
      await page.waitForURL(`${app.url}/debug/throw`)
      await page.locator('#throw-handler').waitFor()
      expect(await page.evaluate(() => (window as unknown as { __e2eSoftNavMarker?: string }).__e2eSoftNavMarker), 'the Link navigation was soft').toBe(
        'still-here',
      )
      expect(await kitPhase(page), 'posthog-js had not loaded when the visitor navigated').toBe('scheduled')
      sdks.release()
      await waitForKitReady(page)

      await fake.waitFor((f) => f.events().filter((e) => e.event === '$pageview').length >= 2, { timeoutMs: 30_000, message: 'two queued $pageviews' })
      await leavePage(page, fake)
      const views = pageviews()
      expect(views, 'one view per page, none lost, none doubled').toHaveLength(2)
      expect(props(views[0])).toMatchObject({
        request_id: documentRequestId,
        $current_url: `${app.url}/`,
        $pathname: '/',
        environment: E2E_ENVIRONMENT,
        release: E2E_RELEASE,
      })
      expect(props(views[1])).toMatchObject({ request_id: documentRequestId, $current_url: `${app.url}/debug/throw`, $pathname: '/debug/throw' })
      // Each keeps the time it happened, not the time it was sent.
      expect(Date.parse(views[0]!.timestamp!)).toBeLessThanOrEqual(Date.parse(views[1]!.timestamp!))
    } finally {
      sdks.release()
      await context.close()
    }
  })
})

describe('the provider hydrates cleanly', () => {
  it('logs no hydration mismatch or other console error on a static and a dynamic page, before and after the SDKs run', async () => {
    const { app, browser } = stack
    const context = await newVisitor(browser)
    const problems: string[] = []
    try {
      const page = await context.newPage()
      page.on('console', (m) => {
        if (m.type() === 'error' || /hydrat/i.test(m.text())) problems.push(`${m.type()}: ${m.text()}`)
      })
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
      for (const path of ['/', '/debug/throw']) {
        await page.goto(`${app.url}${path}`, { waitUntil: 'load' })
        await waitForKitReady(page)
        // Replay starts from posthog-js's remote config, after the SDKs load: once it records, it
        // has taken its full snapshot of the DOM (flags come bootstrapped, with no reload).
        await waitForPostHogStarted(page)
      }
      // React reports a hydration mismatch in production as minified error #418/#423/#425.
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
  })
})
