/**
 * Elements whose text replay must never record (docs/privacy.md), for PostHog and Sentry alike.
 * Inputs are masked separately (`maskAllInputs`); this list covers the text of result tables,
 * code blocks and anything the app marks `data-sensitive`.
 */
export const REPLAY_MASK_SELECTORS: readonly string[] = Object.freeze(['.data-cell', '.query-result', '.sql-output', 'code', 'pre', '[data-sensitive]'])

/**
 * The default list plus the app's `POSTHOG_REPLAY_MASK_SELECTOR`, as one selector list.
 *
 * @example
 * replayMaskSelectors('.invoice') // ['.data-cell', …, '[data-sensitive]', '.invoice']
 */
export function replayMaskSelectors(extra: string | undefined): string[] {
  const more = (extra ?? '').trim()
  return more ? [...REPLAY_MASK_SELECTORS, more] : [...REPLAY_MASK_SELECTORS]
}
