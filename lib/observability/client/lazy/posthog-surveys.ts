import { SurveysExtensions } from 'posthog-js/dist/extension-bundles.js'
import type { PostHogExtensions } from './posthog.js'

/**
 * posthog-js's surveys, in their own chunk, fetched only with `POSTHOG_SURVEYS` on: a page that
 * shows no survey downloads none of their code (posthog-js still fetches the surveys UI itself
 * from the project when a survey is due).
 *
 * @internal Loaded by the kit beside lazy/posthog.ts; apps set `POSTHOG_SURVEYS`.
 */
export const surveysExtensions: PostHogExtensions = SurveysExtensions
