// @vitest-environment jsdom
import { BrowserClient } from '@sentry/browser'
import { cleanup, render } from '@testing-library/react'
import { ErrorTrackingExtensions } from 'posthog-js/dist/extension-bundles.js'
import { StrictMode } from 'react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ObservabilityProvider, captureException } from 'nextjs-observability-kit/client'
import { getKit } from '@/lib/observability/client/kit'
import { browserConfig, resetPage, setConfigCookie, waitForSdks } from '../support/browser-kit'

function fireError(error: Error): void {
  window.dispatchEvent(new ErrorEvent('error', { error, message: error.message, filename: 'http://localhost/app.js' }))
}

function fireRejection(reason: unknown): void {
  const event = new Event('unhandledrejection') as Event & { reason?: unknown }
  event.reason = reason
  window.dispatchEvent(event)
}

describe('window errors and rejections reach PostHog and Sentry exactly once each', () => {
  beforeEach(() => resetPage())
  afterEach(() => {
    cleanup()
    vi.restoreAllMocks()
  })

  it('installs one pair of listeners under StrictMode and removes them on unmount', () => {
    setConfigCookie(browserConfig())
    const add = vi.spyOn(window, 'addEventListener')
    const remove = vi.spyOn(window, 'removeEventListener')
    const view = render(
      <StrictMode>
        <ObservabilityProvider />
      </StrictMode>,
    )
    const ours = (calls: typeof add.mock.calls) => calls.filter((c) => c[0] === 'error' || c[0] === 'unhandledrejection').map((c) => c[1])
    // StrictMode mounts, unmounts and mounts again: what is left installed is one pair.
    const installed = ours(add.mock.calls).filter((l) => !ours(remove.mock.calls).includes(l))
    expect(installed).toHaveLength(2)
    view.unmount()
    expect(ours(remove.mock.calls)).toEqual(expect.arrayContaining(installed))
    expect(getKit().listeners.remove).toBeNull()
  })

  it('keeps errors from before the SDKs loaded and replays them once, linked both ways', async () => {
    const sentryCapture = vi.spyOn(BrowserClient.prototype, 'captureException')
    setConfigCookie(browserConfig())
    render(<ObservabilityProvider />)
    const early = new Error('thrown before the SDKs loaded')
    fireError(early)
    fireError(early) // the same error seen twice (e.g. a boundary and window) is one report
    fireRejection(new Error('rejected before the SDKs loaded'))
    expect(getKit().errors.pending).toHaveLength(2)

    const sent = vi.spyOn(ErrorTrackingExtensions.exceptions.prototype, 'sendExceptionEvent')
    await waitForSdks()
    expect(sentryCapture).toHaveBeenCalledTimes(2)
    expect(sent).toHaveBeenCalledTimes(2)
    const first = sent.mock.calls[0]?.[0] as Record<string, any>
    expect(first.$exception_list[0].value).toBe('thrown before the SDKs loaded')
    expect(first.$exception_list[0].mechanism.handled).toBe(false)
    expect(first.$sentry_event_id).toMatch(/^[0-9a-f]{32}$/)
    expect(sentryCapture.mock.calls[0]?.[1]).toMatchObject({ mechanism: { type: 'auto.browser.global_handlers.onerror', handled: false } })
    expect(sentryCapture.mock.calls[1]?.[1]).toMatchObject({ mechanism: { type: 'auto.browser.global_handlers.onunhandledrejection' } })

    // After loading, the kit forwards at once; neither SDK hooks window errors itself.
    fireError(new Error('thrown after the SDKs loaded'))
    expect(sentryCapture).toHaveBeenCalledTimes(3)
    expect(sent).toHaveBeenCalledTimes(3)
    expect(window.onerror).toBeNull()
    expect(window.onunhandledrejection).toBeNull()
  })

  it('captureException from app code and error boundaries goes through the same path', async () => {
    const sentryCapture = vi.spyOn(BrowserClient.prototype, 'captureException')
    setConfigCookie(browserConfig())
    render(<ObservabilityProvider />)
    await waitForSdks()
    const sent = vi.spyOn(ErrorTrackingExtensions.exceptions.prototype, 'sendExceptionEvent')
    const handled = new Error('handled by the app')
    captureException(handled)
    captureException(handled)
    expect(sentryCapture).toHaveBeenCalledTimes(1)
    expect(sent).toHaveBeenCalledTimes(1)
    expect((sent.mock.calls[0]?.[0] as Record<string, any>).$exception_list[0].mechanism.handled).toBe(true)
  })
})
