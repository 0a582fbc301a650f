import { replayIntegration } from '@sentry/browser'
import type { Integration } from '@sentry/core'
import { scrubRecordingEvent } from '../../shared/event-privacy.js'
import { replayMaskSelectors } from '../../shared/replay-mask.js'

/**
 * Sentry's replay, in a chunk of its own: fetched only when Sentry records (a `SENTRY_REPLAYS_*`
 * rate above 0, which by default means PostHog's replay is off; docs/configuration.md "Replay"),
 * so that a page with one recorder downloads one.
 *
 * Everything masked (text, inputs, media, the kit's selectors); the recorder's events follow the
 * privacy policy (`scrubRecordingEvent`), breadcrumbs and network spans included.
 *
 * @internal Called by the Sentry glue (`lazy/sentry.ts`) once this chunk has loaded.
 */
export function sentryReplayIntegration(mask: string): Integration {
  return scrubbingRecordedPages(
    replayIntegration({
      maskAllText: true,
      maskAllInputs: true,
      blockAllMedia: true,
      mask: replayMaskSelectors(mask),
      // Breadcrumbs and network spans the replay adds to its recording follow the policy too.
      beforeAddRecordingEvent: scrubRecordingEvent,
    }),
  )
}

/**
 * The recorder's own events (rrweb's meta event holds the page URL, query included) never reach
 * `beforeAddRecordingEvent`, which sees the replay's custom events only. rrweb runs a plugin's
 * `eventProcessor` on every event it records, before Sentry sees it, so the policy goes in as a
 * plugin, through the options the integration hands to rrweb (`_recordingOptions` in
 * @sentry/replay 11.11; the e2e test `page-urls-never-carry-secrets` fails if that changes).
 */
function scrubbingRecordedPages<I extends Integration>(integration: I): I {
  const options = (integration as { _recordingOptions?: { plugins?: unknown[] } })._recordingOptions
  if (options) options.plugins = [...(options.plugins ?? []), { name: 'observability/scrub-urls', eventProcessor: scrubRecordingEvent }]
  return integration
}
