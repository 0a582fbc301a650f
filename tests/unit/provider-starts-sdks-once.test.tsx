// @vitest-environment jsdom
import { BrowserClient } from '@sentry/browser'
import { render, cleanup } from '@testing-library/react'
import posthog from 'posthog-js/dist/module.slim.js'
import { StrictMode } from 'react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ObservabilityProvider, bootObservability } from 'nextjs-observability-kit/client'
import { observabilityPageState } from 'nextjs-observability-kit/testing'
import { browserConfig, resetPage, setConfigCookie, waitForSdks } from '../support/browser-kit'

describe('the provider starts each SDK exactly once per page', () => {
  beforeEach(() => resetPage())
  afterEach(() => {
    cleanup()
    vi.restoreAllMocks()
  })

  it('initialises posthog-js and Sentry once under StrictMode, nested providers and instrumentation-client', async () => {
    const phInit = vi.spyOn(posthog, 'init')
    const sentryInit = vi.spyOn(BrowserClient.prototype, 'init')
    setConfigCookie(browserConfig())

    bootObservability()
    render(
      <StrictMode>
        <ObservabilityProvider user={null}>
          <ObservabilityProvider user={null} />
        </ObservabilityProvider>
      </StrictMode>,
    )
    await waitForSdks()
    // Kept: nothing marks that a second start did not happen; a straggling effect or timer gets 50 ms to try.
    await new Promise((r) => setTimeout(r, 50))

    expect(phInit).toHaveBeenCalledTimes(1)
    expect(sentryInit).toHaveBeenCalledTimes(1)
    const options = phInit.mock.calls[0]?.[1]
    expect(options).toMatchObject({
      api_host: '/_ox/p',
      ui_host: 'https://eu.posthog.com',
      person_profiles: 'identified_only',
      capture_pageview: false,
      capture_pageleave: true,
      capture_exceptions: false,
      disable_session_recording: true,
    })
    expect(options).not.toHaveProperty('opt_out_useragent_filter')
    expect(posthog.get_property('environment')).toBe('test')
    expect(posthog.get_property('release')).toBe('kit-test@1.0.0')
  })

  it('reads the config cookie once and deletes it', () => {
    setConfigCookie(browserConfig())
    render(<ObservabilityProvider />)
    expect(document.cookie).not.toContain('__ox=')
    expect(observabilityPageState().requestId).toBe('req-test-1')
  })

  it('loads nothing and listens to nothing when the server sent no config', async () => {
    const add = vi.spyOn(window, 'addEventListener')
    render(<ObservabilityProvider user={{ id: 'u1' }} />)
    // Final at once: the effects ran inside render(), and the kit schedules nothing without a config
    // (a start would have moved it to 'scheduled' synchronously).
    expect(observabilityPageState()).toMatchObject({ phase: 'idle', configRead: true, configured: false })
    expect(add.mock.calls.map((c) => c[0])).not.toContain('unhandledrejection')
  })
})
