// @vitest-environment jsdom
import { BrowserClient } from '@sentry/browser'
import { cleanup, render } from '@testing-library/react'
import posthog from 'posthog-js/dist/module.slim.js'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ObservabilityProvider, addBreadcrumb, captureException } from '@/lib/observability/client'
import { browserConfig, resetPage, setConfigCookie, waitForSdks } from '../support/browser-kit'

/**
 * In the browser, `addBreadcrumb()` steps go with the page's next error to both backends: a
 * Sentry breadcrumb and a posthog-js exception step (`$exception_steps`), scrubbed, including
 * steps recorded before the SDKs loaded (with the time they happened). Real @sentry/browser and
 * posthog-js; their requests go nowhere.
 */

const SECRET = 'hunter2-in-a-browser-breadcrumb'

describe('browser breadcrumbs reach the page’s next error', () => {
  beforeEach(() => {
    resetPage()
  })
  afterEach(() => {
    cleanup()
    vi.restoreAllMocks()
  })

  it('sends steps from before and after the SDKs loaded, scrubbed, to Sentry and PostHog', async () => {
    const sentrySend = vi.spyOn(BrowserClient.prototype, 'sendEvent')
    setConfigCookie(browserConfig())
    render(<ObservabilityProvider />)
    const before = Date.now()
    addBreadcrumb({ category: 'checkout', message: 'form shown', data: { plan: 'pro', password: SECRET } })
    await waitForSdks()
    // What leaves posthog-js: the kit's `before_send` (the privacy policy) has run on it.
    const sent: Array<{ event: string; properties: Record<string, unknown> }> = []
    const kitBeforeSend = posthog.config.before_send as (e: unknown) => unknown
    posthog.set_config({
      before_send: (e) => {
        const out = kitBeforeSend(e) as (typeof sent)[number]
        sent.push(out)
        return out as never
      },
    })
    // Recorded right before the error, in the same tick: it is on that error.
    addBreadcrumb({ category: 'checkout', message: 'submitted', level: 'warning' })
    captureException(new Error('payment failed'))

    await vi.waitFor(() => expect(sentrySend).toHaveBeenCalled())
    const event = sentrySend.mock.calls.at(-1)![0] as {
      breadcrumbs?: Array<{ category?: string; message?: string; level?: string; data?: unknown; timestamp?: number }>
    }
    const ours = (event.breadcrumbs ?? []).filter((b) => b.category === 'checkout')
    expect(ours.map((b) => [b.message, b.level])).toEqual([
      ['form shown', 'info'],
      ['submitted', 'warning'],
    ])
    expect(ours[0]!.data).toEqual({ plan: 'pro', password: '[Filtered]' })
    // Recorded before the SDK loaded: it keeps the time it happened.
    expect(ours[0]!.timestamp! * 1_000).toBeLessThanOrEqual(before + 50)

    await vi.waitFor(() => expect(sent.some((e) => e.event === '$exception')).toBe(true))
    const props = sent.find((e) => e.event === '$exception')!.properties as { $exception_steps?: Array<Record<string, unknown>> }
    expect(props.$exception_steps?.map((s) => s.$message)).toEqual(['form shown', 'submitted'])
    expect(props.$exception_steps?.[0]).toMatchObject({ category: 'checkout', level: 'info', data: { plan: 'pro', password: '[Filtered]' } })
    expect(JSON.stringify([event, props])).not.toContain(SECRET)
  })

  it('does nothing when both backends are off', () => {
    expect(() => addBreadcrumb({ message: 'nobody listens' })).not.toThrow()
  })
})
