import { describe, expect, it } from 'vitest'
import { newVisitor, waitForKitReady } from '../support/browser'
import { leavePage, stackForFile } from '../support/e2e-stack'
import { allText } from '../support/events'
import { hasFullSnapshot, masked, posthogReplay, recordedInputValues, recordedTexts, sentryReplay } from '../support/replay'

/**
 * docs/privacy.md: replay (PostHog and Sentry) masks every input and the text of `pre`, `code`,
 * `.sql-output`, `[data-sensitive]`…; masked content never leaves the browser. Checked on the
 * fully decoded replay payloads both backends received, after proving replay data did arrive and
 * did record the typing (as asterisks), so an empty or undecodable payload cannot pass.
 */

const stack = stackForFile()

/** Typed into the debug page's form; each appears nowhere else in the app. */
const TYPED = {
  'replay-name': 'Zanzibar Quokkafield',
  'replay-email': 'quokka.e2e.secret@example.org',
  'replay-password': 'Hunter2-Pa55phrase!',
  'replay-card': '4111 1111 1111 1111',
} as const

/** Words of a sensitive block long enough to be telling, and not found anywhere else on the page. */
function telltaleWords(sensitive: string, publicText: string): string[] {
  const words = sensitive
    .split(/\s+/)
    .map((w) => w.replace(/^[^\w@]+|[^\w@]+$/g, ''))
    .filter((w) => w.length >= 5 && !publicText.includes(w))
  return [...new Set(words)]
}

describe('replay never records typed or displayed secrets', () => {
  it('PostHog $snapshot and Sentry replay_recording payloads hold no typed input and no masked text', async () => {
    const { app, browser, fake } = stack
    const context = await newVisitor(browser)
    try {
      const page = await context.newPage()
      await page.goto(`${app.url}/debug/throw`)
      await waitForKitReady(page)

      // What the page displays, read from the DOM: the heading is public, the rest is masked.
      const dom = await page.evaluate(() => {
        const maskedSelector = '.data-cell, .query-result, .sql-output, code, pre, [data-sensitive]'
        const clone = document.documentElement.cloneNode(true) as HTMLElement
        for (const el of clone.querySelectorAll(maskedSelector)) el.textContent = ''
        return {
          heading: document.querySelector('h1')?.textContent ?? '',
          pre: [...document.querySelectorAll('pre')].map((el) => el.textContent ?? ''),
          sensitive: [...document.querySelectorAll('[data-sensitive]')].map((el) => el.textContent ?? ''),
          publicMarkup: clone.outerHTML,
        }
      })
      expect(dom.heading).toBe('Debug: throw')
      expect(dom.pre.length, 'the page has a <pre> block').toBeGreaterThan(0)
      expect(dom.sensitive.length, 'the page has a [data-sensitive] block').toBeGreaterThan(0)
      const displayed = [...dom.pre, ...dom.sensitive].map((t) => t.trim())
      const displayedWords = displayed.flatMap((t) => telltaleWords(t, dom.publicMarkup))
      // e.g. SELECT, customers, ada@example.com, enterprise, 0042-7781-3310, 12,840.55
      expect(displayedWords.length, `telltale words of the masked blocks: ${displayedWords.join(' ')}`).toBeGreaterThanOrEqual(6)

      for (const [id, secret] of Object.entries(TYPED)) {
        await page.locator(`#${id}`).pressSequentially(secret, { delay: 15 })
        expect(await page.locator(`#${id}`).inputValue()).toBe(secret)
      }

      // Both backends must have sent decodable replay data that recorded the typing, as asterisks.
      await fake.waitFor(
        (f) => {
          for (const events of [posthogReplay(f), sentryReplay(f)]) {
            if (!hasFullSnapshot(events)) return false
            for (const [id, secret] of Object.entries(TYPED)) {
              if (!recordedInputValues(events, id).includes('*'.repeat(secret.length))) return false
            }
          }
          return true
        },
        { timeoutMs: 60_000, message: 'PostHog and Sentry replay with a full snapshot and the masked typing' },
      )
      // Then the visitor leaves: both recorders send what they still hold on pagehide, and
      // posthog-js's $pageleave comes last. Everything the session recorded is checked below.
      await leavePage(page, fake)

      const ph = posthogReplay(fake)
      const se = sentryReplay(fake)
      expect(fake.events().filter((e) => e.event === '$snapshot').length).toBeGreaterThan(0)
      expect(fake.sentryItems('replay_recording').length).toBeGreaterThan(0)
      const payloads = {
        'PostHog $snapshot': JSON.stringify(ph),
        'Sentry replay_recording': JSON.stringify(se),
        'everything the fake received': allText(fake),
      }

      for (const [where, text] of Object.entries(payloads)) {
        for (const secret of Object.values(TYPED)) {
          expect(text.includes(secret), `typed "${secret}" in ${where}`).toBe(false)
          // Partial values are recorded keystroke by keystroke when unmasked.
          expect(text.includes(secret.slice(0, 6)), `start of "${secret}" in ${where}`).toBe(false)
        }
        expect(text.includes(TYPED['replay-card'].replace(/ /g, '')), `card digits in ${where}`).toBe(false)
        for (const block of displayed) expect(text.includes(block), `displayed block in ${where}`).toBe(false)
        for (const word of displayedWords) expect(text.includes(word), `displayed "${word}" in ${where}`).toBe(false)
      }

      // Positive controls: decoding works and masking keeps the page's shape.
      // PostHog masks only the kit's selectors: the heading is recorded as is…
      expect(recordedTexts(ph, (n) => n.tagName === 'h1')).toContain(dom.heading)
      // …and the masked blocks as asterisks of the same shape.
      expect(recordedTexts(ph, (n) => n.tagName === 'pre').map((t) => t.trim())).toContain(masked(dom.pre[0]!.trim()))
      expect(recordedTexts(ph, (n) => n.attributes?.['data-sensitive'] !== undefined).map((t) => t.trim())).toContain(masked(dom.sensitive[0]!.trim()))
      // The kit's Sentry replay masks all text (maskAllText), the heading included.
      const sentryHeadings = recordedTexts(se, (n) => n.tagName === 'h1')
      expect(sentryHeadings).toContain(masked(dom.heading))
      expect(sentryHeadings).not.toContain(dom.heading)
      expect(recordedTexts(se, (n) => n.tagName === 'pre').map((t) => t.trim())).toContain(masked(dom.pre[0]!.trim()))
    } finally {
      await context.close()
    }
  })
})
