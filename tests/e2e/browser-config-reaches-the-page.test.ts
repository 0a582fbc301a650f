import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PostHogEvent } from '@/lib/observability/server/local/ingest/types'
import { launchBrowser, newVisitor, pageState, waitForKitReady } from '../support/browser'
import { leavePage, stackForFile } from '../support/e2e-stack'
import type { FakeIngest } from '../support/fake-ingest'

/**
 * docs/decisions/011: the middleware hands each document its runtime config and request id in a
 * `Server-Timing` entry where the page can read it (HTTPS, loopback hosts), with no cookie; on
 * plain HTTP to any other host, where Firefox hides `Server-Timing` from scripts, a short-lived
 * cookie carries it, and the page deletes it once read. Either way both SDKs start and the
 * browser's events carry the document's request id.
 */

/** A non-loopback name for the app: plain HTTP to it is not a secure context. */
const PLAIN_HOST = 'kit-over-http.test'

const stack = stackForFile()
let mappedBrowser: Browser

beforeAll(async () => {
  mappedBrowser = await launchBrowser([`--host-resolver-rules=MAP ${PLAIN_HOST} 127.0.0.1`])
})
afterAll(async () => {
  await mappedBrowser?.close().catch(() => undefined)
})

function pageviewsOf(fake: FakeIngest, requestId: string): PostHogEvent[] {
  return fake.events().filter((e) => e.event === '$pageview' && e.properties.request_id === requestId)
}

function sentryErrorsOf(fake: FakeIngest, message: string) {
  return fake.sentryEvents().filter((i) => i.payload.exception?.values?.some((x) => x.value === message))
}

async function kitState(page: Page) {
  const { requestId: rid, phase } = await pageState(page)
  const { secure, cookie } = await page.evaluate(() => ({ secure: window.isSecureContext, cookie: document.cookie }))
  return { rid, phase, secure, cookie }
}

/** Loads `url` in a fresh visitor; returns what the document response carried and what the page made of it. */
async function visit(browser: Browser, url: string) {
  const context: BrowserContext = await newVisitor(browser)
  const page = await context.newPage()
  const cookiesSet: string[] = []
  page.on('response', async (res) => {
    const value = await res.headerValue('set-cookie').catch(() => null)
    if (value) cookiesSet.push(value)
  })
  const res = await page.goto(url, { waitUntil: 'load' })
  expect(res?.status()).toBe(200)
  await waitForKitReady(page)
  // allHeaders(): headers() leaves out Set-Cookie.
  const headers = await res!.allHeaders()
  return { context, page, headers, cookiesSet, state: await kitState(page), cookiesAfter: await context.cookies() }
}

describe('the browser config reaches the page', () => {
  it('in a secure context: from Server-Timing, with no cookie at all', async () => {
    const { context, page, headers, cookiesSet, state, cookiesAfter } = await visit(stack.browser, `${stack.app.url}/`)
    try {
      const rid = headers['x-request-id']!
      expect(headers['server-timing']).toMatch(/(^|,\s*)ox;desc="[^"]+"/)
      expect(headers['set-cookie'], 'the document response sets no cookie').toBeUndefined()
      expect(state).toMatchObject({ rid, phase: 'ready', secure: true })
      expect(
        cookiesSet.filter((c) => c.startsWith('__ox=')),
        'no response set the config cookie',
      ).toEqual([])
      expect(cookiesAfter.map((c) => c.name)).not.toContain('__ox')
      await stack.fake.waitFor((f) => pageviewsOf(f, rid).length > 0, { timeoutMs: 30_000, message: 'the $pageview of the document' })
      // Counted once the page is gone: posthog-js has sent everything it held by then.
      await leavePage(page, stack.fake)
      expect(pageviewsOf(stack.fake, rid)).toHaveLength(1)
    } finally {
      await context.close()
    }
  })

  it('on plain HTTP to a non-local host: from a cookie the page deletes, and both SDKs still work', async () => {
    const url = `http://${PLAIN_HOST}:${stack.app.port}/debug/throw`
    const { context, page, headers, state, cookiesAfter } = await visit(mappedBrowser, url)
    try {
      const rid = headers['x-request-id']!
      expect(headers['set-cookie']).toMatch(new RegExp(`^__ox=${rid.replace(/[.]/g, '\\.')}~[^;\\s]+; Path=/; Max-Age=120; SameSite=Lax$`))
      expect(headers['server-timing'] ?? '').not.toMatch(/(^|,\s*)ox;/)
      expect(state).toMatchObject({ rid, phase: 'ready', secure: false })
      expect(state.cookie, 'read once, then deleted').not.toMatch(/(^|;\s*)__ox=/)
      expect(cookiesAfter.map((c) => c.name)).not.toContain('__ox')

      await page.click('#throw-handler')
      const message = 'Debug handler error from /debug/throw'
      await stack.fake.waitFor((f) => pageviewsOf(f, rid).length > 0 && sentryErrorsOf(f, message).length > 0, {
        timeoutMs: 30_000,
        message: 'a pageview in PostHog and the thrown error in Sentry',
      })
      expect(sentryErrorsOf(stack.fake, message)[0]!.payload.tags).toMatchObject({ request_id: rid })
    } finally {
      await context.close()
    }
  })
})
