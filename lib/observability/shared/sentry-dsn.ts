import { makeDsn, type DsnComponents } from '@sentry/core'

/**
 * A Sentry DSN split by the SDK's own parser (`makeDsn`, the one `Sentry.init` uses), or
 * undefined when the SDK would not send with it, so the kit never turns Sentry on for a DSN the
 * SDK refuses (a trailing slash after the project id is one) and never refuses one it takes.
 *
 * `makeDsn` checks the protocol and the project id only in the SDK's debug builds; a bundler may
 * compile those checks out (`__SENTRY_DEBUG__: false`), so they are repeated here. For a string
 * outside the SDK's grammar (no key, a key with a `-`, quotes around it) the SDK also prints
 * `Invalid Sentry Dsn: <the string>` to the console itself.
 *
 * @example
 * parseSentryDsn('https://abc@o1.ingest.sentry.io/42')?.projectId // '42'
 * parseSentryDsn('https://abc@o1.ingest.sentry.io/42/') // undefined
 */
export function parseSentryDsn(value: string): DsnComponents | undefined {
  const dsn = makeDsn(value)
  return dsn && (dsn.protocol === 'http' || dsn.protocol === 'https') && /^\d+$/.test(dsn.projectId) ? dsn : undefined
}
