import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach } from 'vitest'
import type { PostHogEvent } from '@/lib/observability/server/local/ingest/types'
import { launchBrowser } from './browser'
import { startFakeIngest, type FakeIngest, type FakeIngestOptions } from './fake-ingest'
import { startNext, type NextServer } from './next-server'

/** What every end-to-end file needs: the fake backends, the built app pointed at them, a browser. */
export interface E2EStack {
  readonly fake: FakeIngest
  readonly app: NextServer
  readonly browser: Browser
  stop(): Promise<void>
}

export const E2E_POSTHOG_KEY = 'phc_e2etestkey0123456789'
export const E2E_ENVIRONMENT = 'e2e'
export const E2E_RELEASE_SHA = 'e2e0sha1'
/** `<package name>@<RELEASE_SHA>` (docs/configuration.md "Environment and release"). */
export const E2E_RELEASE = `nextjs-observability-kit-demo@${E2E_RELEASE_SHA}`

/**
 * Both backends on, pointed at a local fake (every byte stays on 127.0.0.1), debug routes on, and
 * Sentry replay recording every session so replay payloads can be inspected.
 * `env` adds or overrides variables; pass `null` to start the app with no keys at all.
 */
export async function startStack(env: Record<string, string> | null = {}, fakeOptions: FakeIngestOptions = {}): Promise<E2EStack> {
  const fake = await startFakeIngest(fakeOptions)
  const keys =
    env === null
      ? { DEBUG: '1' }
      : {
          POSTHOG_API_KEY: E2E_POSTHOG_KEY,
          POSTHOG_HOST: fake.posthogHost,
          SENTRY_DSN: fake.sentryDsn,
          DEBUG: '1',
          APP_ENV: E2E_ENVIRONMENT,
          RELEASE_SHA: E2E_RELEASE_SHA,
          SENTRY_REPLAYS_SESSION_SAMPLE_RATE: '1',
          ...env,
        }
  const [appResult, browserResult] = await Promise.allSettled([startNext(keys), launchBrowser()])
  if (appResult.status === 'rejected' || browserResult.status === 'rejected') {
    if (browserResult.status === 'fulfilled') await browserResult.value.close().catch(() => undefined)
    if (appResult.status === 'fulfilled') await appResult.value.stop()
    await fake.close()
    throw appResult.status === 'rejected' ? appResult.reason : (browserResult as PromiseRejectedResult).reason
  }
  const app = appResult.value
  const browser = browserResult.value
  return {
    fake,
    app,
    browser,
    async stop() {
      await browser.close().catch(() => undefined)
      await app.stop()
      await fake.close()
    },
  }
}

/**
 * The set-up of an end-to-end file: one stack for all its tests (started before the first, stopped
 * after the last), the fake emptied before each test unless `clearBetweenTests` is false. Read its
 * fields inside tests and hooks, once it has started.
 *
 * @example
 * const stack = stackForFile({ SENTRY_TRACES_SAMPLE_RATE: '1' })
 * it('…', async () => { const page = await (await newVisitor(stack.browser)).newPage() })
 */
export function stackForFile(
  env: Record<string, string> | null = {},
  fakeOptions: FakeIngestOptions = {},
  { clearBetweenTests = true }: { clearBetweenTests?: boolean } = {},
): E2EStack {
  let started: E2EStack | undefined
  const get = (): E2EStack => {
    if (!started) throw new Error('the end-to-end stack is not started yet: read it inside a test or hook')
    return started
  }
  beforeAll(async () => {
    started = await startStack(env, fakeOptions)
  })
  afterAll(async () => {
    await started?.stop()
  })
  if (clearBetweenTests) beforeEach(() => get().fake.clear())
  return {
    get fake() {
      return get().fake
    },
    get app() {
      return get().app
    },
    get browser() {
      return get().browser
    },
    stop: () => get().stop(),
  }
}

/**
 * Closes the page as a visitor leaving it would (`pagehide`), and resolves once its `$pageleave`
 * has reached the fake. posthog-js sends that event last, in the same beacon as everything it
 * still held, so after this the fake has every PostHog event of the page: a count read now is
 * final, with no waiting for a quiet spell. `sessionId` picks this page's `$pageleave` when other
 * pages of the test sent one too.
 */
export async function leavePage(page: Page, fake: FakeIngest, sessionId?: string): Promise<PostHogEvent> {
  const before = new Set(fake.events().filter((e) => e.event === '$pageleave'))
  await page.close({ runBeforeUnload: true })
  return fake.waitFor(
    (f) => f.events().find((e) => e.event === '$pageleave' && !before.has(e) && (sessionId === undefined || e.properties.$session_id === sessionId)),
    { timeoutMs: 30_000, message: 'the $pageleave of the closed page' },
  )
}
