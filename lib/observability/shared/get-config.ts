import { parseConfig, type ObservabilityConfig, type ParsedConfig } from './config.js'

/**
 * The process-wide config, parsed on first use from the environment of the running server (not
 * the build), then frozen. Works on the Edge runtime, in a Node `proxy.ts` and in route handlers.
 */
let parsed: ParsedConfig | undefined
let warned = false

export function getConfig(options: { warn?: boolean } = {}): ObservabilityConfig {
  parsed ??= parseConfig(process.env, {
    packageName: process.env.OBSERVABILITY_PACKAGE_NAME,
    packageVersion: process.env.OBSERVABILITY_PACKAGE_VERSION,
    dev: process.env.NODE_ENV === 'development',
  })
  // Only the Node server prints: the edge sandbox has its own module state and would repeat it.
  if (options.warn && !warned) {
    warned = true
    for (const w of parsed.warnings) console.warn(`[observability] ${w}`)
  }
  return parsed.config
}

/** @internal Tests re-read the environment between cases. */
export function resetConfigForTests(): void {
  parsed = undefined
  warned = false
}
