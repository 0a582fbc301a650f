import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allText, waitForEvents } from '../support/events'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { startNext, type NextServer } from '../support/next-server'

const SECRETS = {
  authorization: 'Bearer sk_live_AUTHSECRET123456',
  cookie: 'session=COOKIESECRET98765; other=COOKIEOTHER4242',
  apiKey: 'XAPIKEYSECRET55555',
  token: 'QUERYTOKENSECRET777',
  password: 'QUERYPASSWORDSECRET888',
}

describe('secrets sent by a client appear in no payload of either backend (docs/privacy.md)', () => {
  let fake: FakeIngest
  let app: NextServer
  beforeAll(async () => {
    fake = await startFakeIngest()
    app = await startNext({
      POSTHOG_API_KEY: 'phc_privacykey123456',
      POSTHOG_HOST: fake.posthogHost,
      SENTRY_DSN: fake.sentryDsn,
      DEBUG: '1',
      SENTRY_TRACES_SAMPLE_RATE: '1',
    })
  })
  afterAll(async () => {
    await app?.stop()
    await fake?.close()
  })

  it('filters Authorization, Cookie, X-Api-Key, ?token= and ?password= everywhere', async () => {
    const headers = { authorization: SECRETS.authorization, cookie: SECRETS.cookie, 'x-api-key': SECRETS.apiKey, 'x-request-id': 'priv-1' }
    const q = `token=${SECRETS.token}&password=${SECRETS.password}`
    await fetch(`${app.url}/api/debug/throw?kind=Error&msg=failed&${q}`, { headers })
    await fetch(`${app.url}/api/ping?${q}`, { headers: { ...headers, 'x-request-id': 'priv-2' } })
    await fake.waitFor(() => fake.sentryEvents().some((i) => (i.payload as { tags?: Record<string, string> }).tags?.request_id === 'priv-1'))
    await waitForEvents(fake, (e) => e.event === 'api_request' && e.properties.request_id === 'priv-2')
    await waitForEvents(fake, (e) => e.event === '$exception' && e.properties.request_id === 'priv-1')
    // Spans and sessions go out on their own schedule: stopping the app delivers them too.
    await app.stop()
    const everything = allText(fake)
    expect(everything.length).toBeGreaterThan(1_000)
    for (const secret of [...Object.values(SECRETS), 'sk_live', 'COOKIESECRET', 'COOKIEOTHER']) {
      expect(everything, `found ${secret}`).not.toContain(secret)
    }
    const se = fake.sentryEvents().find((i) => (i.payload as { tags?: Record<string, string> }).tags?.request_id === 'priv-1')!.payload as Record<string, any>
    expect(se.request.headers.authorization).toBe('[Filtered]')
    expect(se.request.data).toBeUndefined()
    expect(se.user?.ip_address).toBeUndefined()
  })
})

describe('POSTHOG_IDENTIFY_PII decides what of the user reaches both backends', () => {
  const cookie = `demo_user=${encodeURIComponent(JSON.stringify({ id: 'pii-user', email: 'ada@corp.test', name: 'Ada Lovelace' }))}`

  it.each([
    ['none', undefined, undefined, undefined],
    ['id', 'pii-user', undefined, undefined],
    ['email', 'pii-user', 'ada@corp.test', undefined],
    ['full', 'pii-user', 'ada@corp.test', 'Ada Lovelace'],
  ])('%s', async (mode, id, email, name) => {
    const fake = await startFakeIngest()
    const app = await startNext({
      POSTHOG_API_KEY: 'phc_piikey1234567890',
      POSTHOG_HOST: fake.posthogHost,
      SENTRY_DSN: fake.sentryDsn,
      DEBUG: '1',
      POSTHOG_IDENTIFY_PII: mode,
    })
    try {
      await fetch(`${app.url}/api/debug/throw?kind=Error`, { headers: { cookie, 'x-request-id': `pii-${mode}` } })
      const [req] = await waitForEvents(fake, (e) => e.event === 'api_request' && e.properties.request_id === `pii-${mode}`)
      const [exc] = await waitForEvents(fake, (e) => e.event === '$exception' && e.properties.request_id === `pii-${mode}`)
      await fake.waitFor(() => fake.sentryEvents().length > 0)
      const se = fake.sentryEvents()[0]!.payload as Record<string, any>
      for (const e of [req!, exc!]) {
        expect(e.properties.user_id).toBe(id ?? (e.event === 'api_request' ? 'anonymous' : undefined))
        expect(e.properties.user_email).toBe(email)
        expect(e.properties.user_name).toBe(name)
        if (mode === 'none') {
          expect(e.distinct_id).not.toBe('pii-user')
          expect(e.properties.$process_person_profile).toBe(false)
        } else expect(e.distinct_id).toBe('pii-user')
      }
      expect(se.user).toEqual(id ? { id, ...(email ? { email } : {}), ...(name ? { username: name } : {}) } : undefined)
      const text = allText(fake)
      if (!email) expect(text).not.toContain('ada@corp.test')
      if (!name) expect(text).not.toContain('Ada Lovelace')
    } finally {
      await app.stop()
      await fake.close()
    }
  })
})
