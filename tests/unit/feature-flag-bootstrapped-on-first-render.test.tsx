// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react'
import posthog from 'posthog-js/dist/module.slim.js'
import { renderToString } from 'react-dom/server'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FeatureFlagsBootstrap, ObservabilityProvider, useFeatureFlag, type FlagValue } from 'nextjs-observability-kit/client'
import { setLiveFlags } from '@/lib/observability/client/flags'
import { browserConfig, resetPage, setConfigCookie, waitForSdks } from '../support/browser-kit'

function Gated({ seen }: { seen: Array<FlagValue | undefined> }) {
  const value = useFeatureFlag('demo-flag')
  seen.push(value)
  return value ? <p id="demo-flag-on">on</p> : <p id="demo-flag-off">off</p>
}

describe('useFeatureFlag has the server-evaluated value from the first render', () => {
  beforeEach(() => resetPage())
  afterEach(() => {
    cleanup()
    vi.restoreAllMocks()
  })

  it('renders the bootstrapped value on the server (no window, no SDK)', () => {
    const html = renderToString(
      <FeatureFlagsBootstrap flags={{ 'demo-flag': true }}>
        <Gated seen={[]} />
      </FeatureFlagsBootstrap>,
    )
    expect(html).toContain('id="demo-flag-on"')
  })

  it('never flickers while posthog-js loads with the bootstrap, and hands it the minted id', async () => {
    const init = vi.spyOn(posthog, 'init')
    setConfigCookie(browserConfig())
    const seen: Array<FlagValue | undefined> = []
    render(
      <>
        <FeatureFlagsBootstrap flags={{ 'demo-flag': true }} distinctId="01900000-0000-7000-8000-000000000001">
          <Gated seen={seen} />
        </FeatureFlagsBootstrap>
        <ObservabilityProvider />
      </>,
    )
    expect(seen[0]).toBe(true)
    await waitForSdks()
    expect(init.mock.calls[0]?.[1]).toMatchObject({
      bootstrap: { distinctID: '01900000-0000-7000-8000-000000000001', featureFlags: { 'demo-flag': true } },
      advanced_disable_feature_flags_on_first_load: true,
    })
    expect(posthog.get_distinct_id()).toBe('01900000-0000-7000-8000-000000000001')
    expect(posthog.getFeatureFlag('demo-flag')).toBe(true)
    expect(new Set(seen)).toEqual(new Set([true]))
    expect(screen.getByText('on')).toBeTruthy()
  })

  it('follows later changes (a reload of flags, identify) and works without any provider', async () => {
    const seen: Array<FlagValue | undefined> = []
    render(<Gated seen={seen} />)
    expect(seen.at(-1)).toBeUndefined()
    act(() => setLiveFlags({ 'demo-flag': 'variant-b' }))
    expect(seen.at(-1)).toBe('variant-b')
    act(() => setLiveFlags({ 'demo-flag': false }))
    expect(seen.at(-1)).toBe(false)
    expect(screen.getByText('off')).toBeTruthy()
  })
})
