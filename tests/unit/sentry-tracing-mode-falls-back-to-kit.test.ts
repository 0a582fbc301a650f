import { describe, expect, it } from 'vitest'
import { parseConfig } from '@/lib/observability/shared/config'

/**
 * `SENTRY_TRACING` chooses how the Node server traces (docs/decisions/009): `kit` by default,
 * `full` when asked; anything else warns once, naming the variable, and keeps `kit`.
 */

const DSN = 'https://abc123@o1.ingest.sentry.io/42'
const tracing = (env: Record<string, string>) => {
  const { config, warnings } = parseConfig({ SENTRY_DSN: DSN, ...env }, { dev: false })
  return { tracing: config.sentry.enabled ? config.sentry.tracing : undefined, warnings }
}

describe('SENTRY_TRACING', () => {
  it('is kit unless full is asked for', () => {
    expect(tracing({})).toEqual({ tracing: 'kit', warnings: [] })
    expect(tracing({ SENTRY_TRACING: ' ' })).toEqual({ tracing: 'kit', warnings: [] })
    expect(tracing({ SENTRY_TRACING: 'full' })).toEqual({ tracing: 'full', warnings: [] })
    expect(tracing({ SENTRY_TRACING: 'kit' })).toEqual({ tracing: 'kit', warnings: [] })
  })

  it('falls back to kit with one warning for any other value', () => {
    expect(tracing({ SENTRY_TRACING: 'everything' })).toEqual({
      tracing: 'kit',
      warnings: ['SENTRY_TRACING="everything" is invalid (expected kit or full); using kit.'],
    })
  })
})
