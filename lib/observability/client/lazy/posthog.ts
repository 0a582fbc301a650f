import posthog, { type PostHogConfig } from 'posthog-js/dist/module.slim.js'
import {
  AnalyticsExtensions,
  ErrorTrackingExtensions,
  FeatureFlagsExtensions,
  SessionReplayExtensions,
  ToolbarExtensions,
} from 'posthog-js/dist/extension-bundles.js'
import type { BrowserConfig } from '../../shared/browser-config.js'
import { scrubPostHogEvent } from '../../shared/event-privacy.js'
import { scrubUrl } from '../../shared/scrub.js'
import { replayMaskSelectors } from '../../shared/replay-mask.js'
import { userProperties, type UserProperties } from '../../shared/user.js'
import { setLiveFlags } from '../flags.js'
import type { Kit, Pageview, PendingError, PostHogBackend } from '../kit.js'
import { subscribeUser } from '../user-store.js'

/** posthog-js's parts, by feature (`__extensionClasses`): what its slim entry is started with. */
export type PostHogExtensions = NonNullable<PostHogConfig['__extensionClasses']>

/**
 * What the kit uses of posthog-js, on its slim entry: flags, replay, autocapture with pageleave
 * and the project's web-analytics switches (heatmaps, dead clicks, web vitals), `$exception`
 * building, and the toolbar PostHog's UI opens. The rest (surveys unless `POSTHOG_SURVEYS`,
 * no-code experiments, product tours, site apps, conversations, logs, metrics) is never bundled.
 */
const EXTENSIONS: PostHogExtensions = {
  ...FeatureFlagsExtensions,
  ...SessionReplayExtensions,
  ...AnalyticsExtensions,
  ...ErrorTrackingExtensions,
  ...ToolbarExtensions,
}

/**
 * posthog-js glue, in its own chunk: loaded after `load` and only when PostHog is on. The only
 * place that calls `posthog.init`, guarded by the SDK's own `__loaded` flag. `extra` adds parts
 * loaded only when asked for (surveys, lazy/posthog-surveys.ts).
 *
 * Settings that differ from posthog-js defaults, and why:
 * - `capture_pageview: false`: the kit captures `$pageview` itself, so views before the SDK
 *   loaded are kept and every view carries `request_id`; `capture_pageleave: true` keeps
 *   `$pageleave`, which would otherwise follow `capture_pageview` off.
 * - `capture_exceptions: false`: the kit's window listeners own uncaught errors for both
 *   backends (one report per backend, linked to Sentry).
 * - `internal_or_test_user_hostname: null`: the 2026-01-30 defaults would give every visitor on
 *   localhost a person profile; anonymous visitors must create none.
 * - `mask_all_text: true`: autocapture keeps clicks and selectors but sends no element text, the
 *   same promise replay makes (docs/privacy.md).
 * - `disable_surveys`: unless `POSTHOG_SURVEYS` is on, posthog-js never fetches its surveys code
 *   (a page that shows no survey should not download it).
 * - `before_send`: the kit's privacy policy on every event, page URLs and replay included.
 *
 * @internal Called by the kit once posthog-js's chunk has loaded; apps use the provider.
 */
export function startPostHog(config: BrowserConfig, kit: Kit, extra: PostHogExtensions = {}): PostHogBackend | null {
  const ph = config.ph
  if (!ph) return null
  if (!posthog.__loaded) {
    const { bootstrap, distinctId } = kit.flags
    posthog.init(ph.key, {
      api_host: ph.api,
      ui_host: ph.ui,
      defaults: '2026-01-30',
      capture_pageview: false,
      capture_pageleave: true,
      capture_exceptions: false,
      person_profiles: 'identified_only',
      internal_or_test_user_hostname: null,
      mask_all_text: true,
      disable_session_recording: !ph.replay,
      disable_surveys: !ph.surveys,
      session_recording: {
        maskAllInputs: true,
        maskTextSelector: replayMaskSelectors(config.mask).join(', '),
      },
      bootstrap: {
        ...(distinctId ? { distinctID: distinctId } : {}),
        ...(bootstrap ? { featureFlags: { ...bootstrap } } : {}),
      },
      // The page already has server-evaluated values; fetching again on load is what flickers.
      advanced_disable_feature_flags_on_first_load: bootstrap !== null,
      debug: ph.debug,
      __extensionClasses: { ...EXTENSIONS, ...extra },
      before_send: (event) => {
        scrubInitialPersonInfo()
        return scrubPostHogEvent(event)
      },
    })
  }
  posthog.register({ environment: ph.env, release: config.release })
  posthog.onFeatureFlags((_keys, values) => setLiveFlags(values))

  const applyUser = () => identify(kit, config)
  applyUser()
  subscribeUser(applyUser)

  return {
    instance: posthog,
    capturePageview: (view) => capturePageview(view, config.rid),
    captureError,
    distinctId: () => safe(() => posthog.get_distinct_id()),
    sessionId: () => safe(() => posthog.get_session_id()),
    reportFlagExposure: (key) => reportFlagExposure(kit, key),
  }
}

function capturePageview(view: Pageview, requestId: string): void {
  const properties: Record<string, string> = { request_id: requestId }
  // A view queued before the SDK loaded describes the page it happened on, not the current one.
  if (view.href !== window.location.href) {
    properties.$current_url = view.href
    properties.$pathname = view.pathname
  }
  posthog.capture('$pageview', properties, { timestamp: new Date(view.at) })
}

function captureError(error: PendingError, sentryEventId: string | undefined): void {
  const exceptions = posthog.exceptions
  if (!exceptions) return
  const properties = exceptions.buildProperties(error.thrown, {
    handled: error.source === 'manual',
    syntheticException: new Error('PostHog syntheticException'),
  })
  exceptions.sendExceptionEvent({
    ...properties,
    ...(sentryEventId ? { $sentry_event_id: sentryEventId } : {}),
  })
}

const INLINE_KEYS: readonly (keyof UserProperties)[] = ['user_id', 'user_email', 'user_name', 'is_internal']

/**
 * `POSTHOG_IDENTIFY_PII` (docs/events.md "Users"): `none` sends nothing (and undoes an earlier
 * identify); `id` identifies; `email` adds the email person property; `full` adds the name. The
 * same fields ride inline on every event as `user_*`, with `is_internal` for the configured domains.
 */
function identify(kit: Kit, config: BrowserConfig): void {
  const user = kit.page.user
  if (user === undefined) return
  const props = userProperties(user, config.pii, config.internal)
  const identified = posthog.get_property('$user_state') === 'identified'
  if (!props) {
    for (const key of INLINE_KEYS) posthog.unregister(key)
    if (identified) posthog.reset()
    return
  }
  const person: Record<string, string | boolean> = {}
  if (props.user_email) person.email = props.user_email
  if (props.user_name) person.name = props.user_name
  if (props.is_internal) person.is_internal = true
  const current = posthog.get_distinct_id()
  if (current !== props.user_id) {
    // Switching from one signed-in user to another must not merge their histories.
    if (identified) posthog.reset()
    posthog.identify(props.user_id, person)
  } else if (Object.keys(person).length > 0) {
    posthog.setPersonProperties(person)
  }
  for (const key of INLINE_KEYS) if (props[key] === undefined) posthog.unregister(key)
  posthog.register({ ...props })
}

/**
 * posthog-js keeps the landing page's URL and referrer (`$initial_person_info`, stored, never an
 * event property) and sends them as person properties with every `/flags` request of an
 * identified visitor, a request `before_send` does not see. It records them while capturing an
 * event, just before `before_send` runs (and again after a `reset()`), so `before_send` scrubs
 * them where they are stored, before any `/flags` request can read them.
 */
function scrubInitialPersonInfo(): void {
  const info = posthog.get_property('$initial_person_info') as { u?: unknown; r?: unknown } | undefined
  if (!info || typeof info !== 'object') return
  const u = typeof info.u === 'string' ? scrubUrl(info.u) : info.u
  const r = typeof info.r === 'string' ? scrubUrl(info.r) : info.r
  if (u !== info.u || r !== info.r) posthog.register({ $initial_person_info: { ...info, u, r } })
}

/** `$feature_flag_called` for a flag the page read, once flags are loaded (posthog-js dedupes per value). */
function reportFlagExposure(kit: Kit, key: string): void {
  const { exposed } = kit.flags
  if (exposed.has(key)) return
  exposed.add(key)
  let done = false
  const off: () => void = posthog.onFeatureFlags(() => {
    if (done) return
    done = true
    posthog.getFeatureFlag(key)
    // Deferred: when flags are already loaded, the callback runs before `off` is assigned.
    queueMicrotask(() => off())
  })
  if (done) off()
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn()
  } catch {
    return undefined
  }
}
