/**
 * Browser entry: the provider, flag hook, boundary helper and `instrumentation-client.ts` boot.
 *
 * Leaves out everything server-side (posthog-node, `server-only`, `@sentry/nextjs`): those are in
 * `../server`. Leaves out the SDKs themselves too: posthog-js and `@sentry/browser` are only ever
 * reached through dynamic `import()` after the `load` event, so importing this barrel adds a few
 * KiB to the first load, not the SDKs. A test enforces both.
 */
export { ObservabilityProvider, type ObservabilityProviderProps } from './observability-provider.js'
export { useFeatureFlag } from './use-feature-flag.js'
export { FeatureFlagsBootstrap, type FeatureFlagsBootstrapProps } from './feature-flags-bootstrap.js'
export { useCaptureBoundaryError } from './use-capture-boundary-error.js'
export { bootObservability } from './boot-observability.js'
export { captureException, withPostHog, type BrowserCaptureOptions } from './capture-exception.js'
export { addBreadcrumb, type KitBreadcrumb, type BreadcrumbLevel } from './add-breadcrumb.js'
export type { FlagValue, Flags } from './kit.js'
export type { ObservedUser } from '../shared/user.js'
