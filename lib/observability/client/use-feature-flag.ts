'use client'

import { useContext, useEffect, useSyncExternalStore } from 'react'
import { FlagBootstrapContext } from './feature-flags-bootstrap.js'
import { getFlag, subscribeFlags } from './flags.js'
import type { FlagValue } from './kit.js'
import { getKit } from './kit.js'
import { readBrowserConfig } from './read-browser-config.js'

/**
 * A PostHog feature flag's value: `true`/`false`, a variant key, or `undefined` while unknown
 * (PostHog off, or not loaded and not bootstrapped). Needs no provider: the value lives in a
 * page-wide store. Under `<FeatureFlagsBootstrap>` the first render, on the server too, already
 * has the server-evaluated value. Records `$feature_flag_called` once posthog-js has loaded.
 *
 * @example
 * const checkout = useFeatureFlag('new-checkout')
 * return checkout ? <NewCheckout /> : <Checkout />
 */
export function useFeatureFlag(key: string): FlagValue | undefined {
  const bootstrapped = useContext(FlagBootstrapContext)
  const value = useSyncExternalStore(
    subscribeFlags,
    () => getFlag(key) ?? bootstrapped?.[key],
    () => bootstrapped?.[key],
  )
  useEffect(() => reportExposure(key), [key])
  return value
}

function reportExposure(key: string): void {
  if (!readBrowserConfig()?.ph) return
  const kit = getKit()
  const { backends } = kit
  if (backends.posthog) backends.posthog.reportFlagExposure(key)
  else if (kit.phase !== 'ready') backends.posthogWaiters.push((backend) => backend.reportFlagExposure(key))
}
