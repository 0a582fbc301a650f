import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { newVisitor, posthogIds, waitForKitReady } from '../support/browser'
import { leavePage, stackForFile } from '../support/e2e-stack'

/**
 * The flag-gated element of the debug-throw page is right in the server HTML
 * (flags evaluated on the server and bootstrapped into posthog-js), so the browser shows the right
 * variant from the first paint and never swaps it once posthog-js has loaded: no flicker.
 */

const stack = stackForFile()

beforeAll(async () => {
  // Warm the page up once (posthog-node client, route compilation caches): the server gives flags
  // 1 s before rendering without them, and a cold first request on a slow machine could miss that.
  await fetch(`${stack.app.url}/debug/throw`).then((r) => r.text())
})
async function serverHtml(): Promise<string> {
  const res = await fetch(`${stack.app.url}/debug/throw`, { headers: { accept: 'text/html' } })
  expect(res.status).toBe(200)
  return res.text()
}

/**
 * Records, from before the first byte of HTML is parsed, every flag element added to or removed
 * from the document, and whether `#demo-flag-on` was present at DOMContentLoaded and at `load`.
 * Each change is also handed to the test as it happens, so the log of the page's whole life can
 * be read after the page has closed.
 */
async function watchFlagElements(page: Page): Promise<string[]> {
  const changes: string[] = []
  await page.exposeBinding('__flagChange', (_source, change: string) => void changes.push(change))
  await page.addInitScript(() => {
    const seen: Record<string, boolean> = {}
    Object.assign(window, { __flagSeen: seen })
    const report = (change: string) => (window as unknown as { __flagChange: (change: string) => Promise<void> }).__flagChange(change)
    const note = (nodes: NodeList, what: 'added' | 'removed') => {
      for (const node of nodes) {
        if (!(node instanceof Element)) continue
        for (const el of [node, ...node.querySelectorAll('[id^="demo-flag-"]')]) {
          if (el.id === 'demo-flag-on' || el.id === 'demo-flag-off') void report(`${what} #${el.id}`)
        }
      }
    }
    new MutationObserver((records) => {
      for (const r of records) {
        note(r.addedNodes, 'added')
        note(r.removedNodes, 'removed')
      }
    }).observe(document, { childList: true, subtree: true })
    document.addEventListener('DOMContentLoaded', () => (seen.domContentLoaded = !!document.getElementById('demo-flag-on')))
    window.addEventListener('load', () => (seen.load = !!document.getElementById('demo-flag-on')))
  })
  return changes
}

const flagSeen = (page: Page) => page.evaluate(() => (window as unknown as { __flagSeen: Record<string, boolean> }).__flagSeen)

/** posthog-js has loaded, and read the flag itself: `$feature_flag_called` with this value reached PostHog. */
async function waitForPostHogFlag(value: boolean): Promise<void> {
  await stack.fake.waitFor(
    (f) =>
      f.events().some((e) => e.event === '$feature_flag_called' && e.properties.$feature_flag === 'demo-flag' && e.properties.$feature_flag_response === value),
    { timeoutMs: 30_000, message: `$feature_flag_called demo-flag=${value}` },
  )
}

describe('flags are right on the first render', () => {
  it('the server HTML follows the flag', async () => {
    stack.fake.setFlags({ 'demo-flag': true })
    const on = await serverHtml()
    expect(on).toContain('id="demo-flag-on"')
    expect(on).not.toContain('id="demo-flag-off"')

    stack.fake.setFlags({ 'demo-flag': false })
    const off = await serverHtml()
    expect(off).not.toContain('id="demo-flag-on"')
    expect(off).toContain('id="demo-flag-off"')
    // The server asked the (fake) PostHog for each render.
    expect(stack.fake.flagRequests().length).toBeGreaterThanOrEqual(2)
  })

  it('flag on: visible from the first paint and never removed after posthog-js loads', async () => {
    stack.fake.setFlags({ 'demo-flag': true })
    const context = await newVisitor(stack.browser)
    try {
      const page = await context.newPage()
      const changes = await watchFlagElements(page)
      const res = await page.goto(`${stack.app.url}/debug/throw`, { waitUntil: 'load' })
      expect(await res!.text(), 'the document the browser got').toContain('id="demo-flag-on"')
      expect(await flagSeen(page)).toEqual({ domContentLoaded: true, load: true })
      expect(await page.locator('#demo-flag-on').isVisible()).toBe(true)

      await waitForKitReady(page)
      await waitForPostHogFlag(true)
      expect(await page.locator('#demo-flag-on').isVisible()).toBe(true)
      expect(await page.locator('#demo-flag-off').count()).toBe(0)
      // The log of the page's whole life, read once it has gone: a late flag reload that swapped
      // the element while the visitor was there is in it.
      await leavePage(page, stack.fake, (await posthogIds(page)).sessionId)
      const log = changes
      // The observer saw the parser insert the element, so it would have seen it go.
      expect(log[0]).toBe('added #demo-flag-on')
      expect(log, 'the flag element was never removed or swapped').not.toContainEqual(expect.stringMatching(/removed #demo-flag-on|added #demo-flag-off/))
    } finally {
      await context.close()
    }
  })

  it('flag off: the element never appears', async () => {
    stack.fake.setFlags({ 'demo-flag': false })
    const context = await newVisitor(stack.browser)
    try {
      const page = await context.newPage()
      const changes = await watchFlagElements(page)
      const res = await page.goto(`${stack.app.url}/debug/throw`, { waitUntil: 'load' })
      expect(await res!.text()).not.toContain('id="demo-flag-on"')
      expect(await flagSeen(page)).toEqual({ domContentLoaded: false, load: false })

      await waitForKitReady(page)
      await waitForPostHogFlag(false)
      expect(await page.locator('#demo-flag-on').count()).toBe(0)
      expect(await page.locator('#demo-flag-off').isVisible()).toBe(true)
      await leavePage(page, stack.fake, (await posthogIds(page)).sessionId)
      const log = changes
      expect(log[0]).toBe('added #demo-flag-off')
      expect(log).not.toContainEqual(expect.stringMatching(/added #demo-flag-on|removed #demo-flag-off/))
    } finally {
      await context.close()
    }
  })
})
