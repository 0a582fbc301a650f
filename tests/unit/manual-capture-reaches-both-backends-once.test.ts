import { describe, expect, it } from 'vitest'
import { captureException } from 'nextjs-observability-kit/server'
import { flushSoon } from '@/lib/observability/server/posthog-client'
import { registerNode } from '@/lib/observability/server/register'
import { waitForEvents } from '../support/events'
import { fakeIngestForFile, setKitEnv } from '../support/kit-env'

const fake = fakeIngestForFile()

describe('manual captureException reaches both backends once, linked', () => {
  it('sends one Sentry event and one $exception with the default distinct id "system"', async () => {
    setKitEnv({ POSTHOG_API_KEY: 'phc_manualkey1234567', POSTHOG_HOST: fake.posthogHost, SENTRY_DSN: fake.sentryDsn })
    await registerNode()
    // Built at runtime: source context lines of this file are (rightly) part of stack frames.
    const secret = ['tok', 'secret', String(6 * 7)].join('_')
    const circular: Record<string, unknown> = { job: 'sync-invoices', authToken: secret }
    circular.self = circular
    const { sentryEventId } = await captureException(new Error('sync failed'), { properties: circular, tags: { job: 'sync' }, level: 'warning' })
    expect(sentryEventId).toMatch(/^[0-9a-f]{32}$/)
    const [exception] = await waitForEvents(fake, (e) => e.event === '$exception')
    expect(exception).toMatchObject({
      distinct_id: 'system',
      properties: { job: 'sync-invoices', authToken: '[Filtered]', $exception_level: 'warning', $sentry_event_id: sentryEventId },
    })
    await fake.waitFor((f) => f.sentryEvents().length > 0)
    // Both SDKs deliver what they still hold before anything is counted: a duplicate would be in it.
    await flushSoon()
    expect(await (await import('@sentry/nextjs')).flush(5_000)).toBe(true)
    expect(fake.sentryEvents()).toHaveLength(1)
    const se = fake.sentryEvents()[0]!.payload as Record<string, any>
    expect(se).toMatchObject({ event_id: sentryEventId, level: 'warning', tags: { job: 'sync', error_type: 'application_error' } })
    expect(JSON.stringify(se)).not.toContain(secret)
    expect(fake.events().filter((e) => e.event === '$exception')).toHaveLength(1)
  })
})
