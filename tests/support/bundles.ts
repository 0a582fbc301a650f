import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { ROOT, TEST_DIST_DIR } from './next-server'

/**
 * Recognising the SDKs in JavaScript the browser fetched, by strings only they contain. The kit's
 * eager glue mentions `posthog` and `sentry` by name, so names alone prove nothing.
 */
export const SDK_SIGNATURES: Readonly<Record<string, string>> = Object.freeze({
  /** posthog-js: the global its remote-config script fills. */
  _POSTHOG_REMOTE_CONFIG: 'posthog-js',
  /** posthog-js: the global its lazy extensions hang on. */
  __PosthogExtensions__: 'posthog-js',
  /** @sentry/core: the global carrier every Sentry SDK creates. */
  __SENTRY__: '@sentry/browser',
  /** The kit's lazy PostHog glue (client/lazy/posthog.ts), whatever chunk it ends up in. */
  advanced_disable_feature_flags_on_first_load: 'kit lazy/posthog',
  /** The kit's lazy Sentry glue (client/lazy/sentry.ts). */
  'auto.function.nextjs.error_boundary': 'kit lazy/sentry',
})

/** Which SDK signatures a script body contains. */
export function sdkSignaturesIn(body: string): string[] {
  return Object.keys(SDK_SIGNATURES).filter((s) => body.includes(s))
}

/**
 * URL paths (`/_next/static/…`) of every chunk in the test build that carries an SDK or the kit's
 * lazy glue: the chunks that must never load before `load`, nor at all with both backends off.
 */
export function sdkChunkPaths(): string[] {
  const dir = join(ROOT, TEST_DIST_DIR, 'static')
  const out: string[] = []
  const visit = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name)
      if (statSync(full).isDirectory()) visit(full)
      else if (name.endsWith('.js') && sdkSignaturesIn(readFileSync(full, 'utf8')).length > 0) {
        out.push(`/_next/static/${relative(dir, full).split('\\').join('/')}`)
      }
    }
  }
  visit(dir)
  return out
}
