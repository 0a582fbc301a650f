import { describe, expect, it } from 'vitest'
import { newVisitor, waitForKitReady, waitForPostHogStarted } from '../support/browser'
import { leavePage, stackForFile } from '../support/e2e-stack'
import { everythingSent } from '../support/events'
import { hasFullSnapshot, posthogReplay, sentryReplay } from '../support/replay'

/**
 * A page opened with secrets in its query string (a password-reset link, an OAuth callback, a
 * shared link with a token) sends none of them to either backend: not in PostHog's
 * `$current_url`, `$initial_current_url`, `$session_entry_url`, `$pageleave` or the `/flags`
 * request, and not in either replay (URL lists, meta events, breadcrumbs), with both replays
 * on. Positive controls prove that each of those payloads arrived and carries the page's URL,
 * with its non-secret query intact.
 */

const SECRETS = { token: 'UrlTokenSecret4417', password: 'UrlPasswordSecret8812', api_key: 'UrlApiKeySecret2290', code: 'OauthCodeSecret7765' }
const QUERY = `${Object.entries(SECRETS)
  .map(([k, v]) => `${k}=${v}`)
  .join('&')}&order=ORD-5521`

// Sentry's replay records the whole session (rate 1), next to PostHog's.
const stack = stackForFile({ SENTRY_REPLAYS_SESSION_SAMPLE_RATE: '1', SENTRY_TRACES_SAMPLE_RATE: '1' })

describe('secrets in a page URL never leave the browser', () => {
  it.each([
    ['an anonymous visitor', false],
    ['a signed-in visitor (identify, person properties, flags reload)', true],
  ])('for %s: in no PostHog event, flags request or replay, and in no Sentry event, span or replay', async (_who, signedIn) => {
    const { app, browser, fake } = stack
    const context = await newVisitor(browser)
    if (signedIn) {
      const user = encodeURIComponent(JSON.stringify({ id: 'url-user-1', email: 'url.user@example.com', name: 'Url User' }))
      await context.addCookies([{ name: 'demo_user', value: user, url: app.url }])
    }
    const page = await context.newPage()
    await page.goto(`${app.url}/debug/throw?${QUERY}#access_token=${SECRETS.token}`)
    await waitForKitReady(page)
    await waitForPostHogStarted(page)
    // Activity once both recorders run (an idle session sends no replay), a soft navigation to
    // another URL with the secrets, and an error, so breadcrumbs and a Sentry event carry URLs too.
    await page.locator('#replay-name').pressSequentially('Ada', { delay: 20 })
    await page.evaluate((q) => history.pushState(null, '', `/debug/throw?${q}&step=2`), QUERY)
    await page.locator('#throw-handler').click()
    await page.locator('#replay-name').pressSequentially(' L', { delay: 20 })

    const pageviewWith = (marker: string) => fake.events().find((e) => e.event === '$pageview' && String(e.properties.$current_url).includes(marker))
    await fake.waitFor(() => pageviewWith('order=ORD-5521'), { timeoutMs: 60_000, message: 'a $pageview of the page' })
    await fake.waitFor(() => fake.events().some((e) => e.event === '$exception'), { timeoutMs: 30_000, message: 'the PostHog $exception' })
    await fake.waitFor(() => fake.sentryEvents().length > 0, { timeoutMs: 30_000, message: 'the Sentry event' })
    await fake.waitFor(() => hasFullSnapshot(posthogReplay(fake)) && hasFullSnapshot(sentryReplay(fake)), { timeoutMs: 60_000, message: 'both replays' })
    await fake.waitFor(() => fake.sentryItems('replay_event').length > 0, { timeoutMs: 60_000, message: 'a Sentry replay_event' })
    if (signedIn) await fake.waitFor(() => fake.events().some((e) => e.event === '$identify'), { timeoutMs: 30_000, message: '$identify' })
    // Closing the page sends $pageleave (a beacon) and whatever the SDKs still hold.
    await leavePage(page, fake)
    await context.close()

    const text = everythingSent(fake)
    for (const [name, secret] of Object.entries(SECRETS)) expect(text.includes(secret), `${name}: …${around(text, secret)}…`).toBe(false)

    // Positive controls: the URLs were recorded, only their secrets were not.
    const pageview = pageviewWith('order=ORD-5521')!
    for (const key of ['$current_url', '$session_entry_url']) {
      expect(pageview.properties[key], key).toContain('token=[Filtered]')
      expect(pageview.properties[key], key).toContain('order=ORD-5521')
    }
    expect(fake.flagRequests().length, 'a /flags request').toBeGreaterThan(0)
    const meta = posthogReplay(fake).find((e) => e.type === 4) as { data?: { href?: string } } | undefined
    expect(meta?.data?.href).toContain('order=ORD-5521')
    const sentryMeta = sentryReplay(fake).find((e) => e.type === 4) as { data?: { href?: string } } | undefined
    expect(sentryMeta?.data?.href).toContain('order=ORD-5521')
    const replayEvent = fake.sentryItems('replay_event')[0]!.payload as { urls?: string[] }
    expect(replayEvent.urls?.join(' ')).toContain('order=ORD-5521')
    const sentryEvent = fake.sentryEvents()[0]!.payload as { request?: { url?: string } }
    expect(sentryEvent.request?.url).toContain('order=ORD-5521')
    if (signedIn) {
      // An identified visitor's /flags request carries the landing URL as a person property.
      const flags = fake.flagRequests().map((r) => (r as { person_properties?: Record<string, unknown> }).person_properties ?? {})
      expect(
        flags.some((p) => String(p.$initial_current_url).includes('order=ORD-5521')),
        'the landing URL in /flags',
      ).toBe(true)
      const identify = fake.events().find((e) => e.event === '$identify') as { $set_once?: Record<string, unknown> }
      expect(String(identify.$set_once?.$initial_current_url)).toContain('token=[Filtered]')
    }
  })
})

function around(text: string, needle: string): string {
  const i = text.indexOf(needle)
  return i === -1 ? '' : text.slice(Math.max(0, i - 300), i + needle.length + 100)
}
