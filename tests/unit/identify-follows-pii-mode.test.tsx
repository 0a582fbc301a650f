// @vitest-environment jsdom
import * as Sentry from '@sentry/browser'
import { cleanup, render } from '@testing-library/react'
import posthog from 'posthog-js/dist/module.slim.js'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ObservabilityProvider } from 'nextjs-observability-kit/client'
import type { IdentifyPii } from '@/lib/observability/shared/config'
import { browserConfig, resetPage, setConfigCookie, waitForSdks } from '../support/browser-kit'

const ada = { id: 'u-42', email: 'ada@example.com', name: 'Ada Lovelace' }

async function start(pii: IdentifyPii, user: typeof ada | null = ada) {
  const identify = vi.spyOn(posthog, 'identify')
  setConfigCookie(browserConfig({ pii }))
  const view = render(<ObservabilityProvider user={user} />)
  await waitForSdks()
  return { identify, view }
}

describe('identity follows POSTHOG_IDENTIFY_PII', () => {
  beforeEach(() => resetPage())
  afterEach(() => {
    cleanup()
    vi.restoreAllMocks()
  })

  it('none: no identify, no user properties, no Sentry user', async () => {
    const { identify } = await start('none')
    expect(identify).not.toHaveBeenCalled()
    expect(posthog.get_property('user_id')).toBeUndefined()
    expect(posthog.get_property('$user_state')).not.toBe('identified')
    expect(Sentry.getIsolationScope().getUser()).toEqual({})
  })

  it('id: identify with the id only', async () => {
    const { identify } = await start('id')
    expect(identify).toHaveBeenCalledTimes(1)
    expect(identify.mock.calls[0]?.[0]).toBe('u-42')
    expect(identify.mock.calls[0]?.[1]).toEqual({ is_internal: true })
    expect(posthog.get_property('user_id')).toBe('u-42')
    expect(posthog.get_property('user_email')).toBeUndefined()
    expect(Sentry.getIsolationScope().getUser()).toEqual({ id: 'u-42' })
  })

  it('email: adds the email, never the name', async () => {
    const { identify } = await start('email')
    expect(identify.mock.calls[0]).toEqual(['u-42', { email: 'ada@example.com', is_internal: true }])
    expect(posthog.get_property('user_email')).toBe('ada@example.com')
    expect(posthog.get_property('user_name')).toBeUndefined()
    expect(posthog.get_property('is_internal')).toBe(true)
    expect(Sentry.getIsolationScope().getUser()).toEqual({ id: 'u-42', email: 'ada@example.com' })
  })

  it('full: adds the name', async () => {
    const { identify } = await start('full')
    expect(identify.mock.calls[0]).toEqual(['u-42', { email: 'ada@example.com', name: 'Ada Lovelace', is_internal: true }])
    expect(posthog.get_property('user_name')).toBe('Ada Lovelace')
    expect(Sentry.getIsolationScope().getUser()).toEqual({ id: 'u-42', email: 'ada@example.com', username: 'Ada Lovelace' })
  })

  it('signing out resets the identified user and drops the inline properties', async () => {
    const { view } = await start('email')
    expect(posthog.get_distinct_id()).toBe('u-42')
    const reset = vi.spyOn(posthog, 'reset')
    view.rerender(<ObservabilityProvider user={null} />)
    await vi.waitFor(() => expect(reset).toHaveBeenCalledTimes(1))
    expect(posthog.get_distinct_id()).not.toBe('u-42')
    expect(posthog.get_property('user_id')).toBeUndefined()
  })

  it('an unknown user (undefined) leaves identity alone', async () => {
    const identify = vi.spyOn(posthog, 'identify')
    const reset = vi.spyOn(posthog, 'reset')
    setConfigCookie(browserConfig())
    render(<ObservabilityProvider />)
    await waitForSdks()
    expect(identify).not.toHaveBeenCalled()
    expect(reset).not.toHaveBeenCalled()
  })
})
