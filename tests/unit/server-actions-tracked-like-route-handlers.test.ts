import { describe, expect, it } from 'vitest'
import { withServerActionTracking } from 'nextjs-observability-kit/server'
import { flushSoon } from '@/lib/observability/server/posthog-client'
import { registerNode } from '@/lib/observability/server/register'
import { sentryForRequest, waitForEvents } from '../support/events'
import { fakeIngestForFile, setKitEnv } from '../support/kit-env'

const fake = fakeIngestForFile()

describe('server actions are tracked like route handlers', () => {
  it('records api_request, and on failure api_error + $exception, then rethrows', async () => {
    setKitEnv({ POSTHOG_API_KEY: 'phc_actionkey1234567', POSTHOG_HOST: fake.posthogHost, SENTRY_DSN: fake.sentryDsn })
    await registerNode()
    const argument = ['form', 'field', 'value', String(Date.now())].join('-')
    const ok = withServerActionTracking('saveNote', async (text: string) => `saved:${text.toUpperCase()}`)
    expect(await ok(argument)).toBe(`saved:${argument.toUpperCase()}`)
    const failing = withServerActionTracking('deleteNote', async (_id: string): Promise<void> => {
      throw new Error('note is locked')
    })
    await expect(failing('n1')).rejects.toThrow('note is locked')
    const [saved] = await waitForEvents(fake, (e) => e.event === 'api_request' && e.properties.endpoint === 'action:saveNote')
    expect(saved!.properties).toMatchObject({ method: 'POST', status_code: 200, success: true })
    const [apiError] = await waitForEvents(fake, (e) => e.event === 'api_error' && e.properties.endpoint === 'action:deleteNote')
    expect(apiError!.properties).toMatchObject({ error_message: 'note is locked', status_code: 500 })
    const requestId = String(apiError!.properties.request_id)
    await fake.waitFor(() => sentryForRequest(fake, requestId).length > 0)
    // Neither the arguments nor the result of an action are recorded.
    const text = JSON.stringify([fake.events(), fake.sentry()])
    expect(text).not.toContain(argument)
    expect(text).not.toContain(argument.toUpperCase())
    await flushSoon()
  })
})
