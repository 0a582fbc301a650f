import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeBrowserConfig } from '@/lib/observability/shared/browser-config'
import { waitForEvents } from '../support/events'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { ROOT, TEST_DIST_DIR, startNext, type NextServer } from '../support/next-server'

/** Env that makes the server report, when it exits, what its request thread loaded (tests/support/report-loaded-modules.cjs). */
function reportingLoadedModules(): { env: Record<string, string>; loaded: () => { files: string[]; sentry: boolean } } {
  const file = join(mkdtempSync(join(tmpdir(), 'ox-modules-')), 'loaded.json')
  return {
    env: { NODE_OPTIONS: `--require ${join(ROOT, 'tests/support/report-loaded-modules.cjs')}`, OBS_TEST_LOADED_MODULES: file },
    loaded: () => JSON.parse(readFileSync(file, 'utf8')) as { files: string[]; sentry: boolean },
  }
}
/** posthog-node's files: installed (node_modules/posthog-node/…) or Turbopack's chunk of it (node_modules_posthog-node_…). */
const posthogNodeFiles = (files: string[]) => files.filter((f) => /node_modules[/_]posthog-node/.test(f.replace(/\\/g, '/')))

describe('one build, configured at runtime', () => {
  describe('the keys set at start turn the same build off or on', () => {
    let fake: FakeIngest
    beforeAll(async () => {
      fake = await startFakeIngest()
    })
    afterAll(async () => {
      await fake?.close()
    })

    it('sends nothing anywhere and starts neither server SDK when no key is set', async () => {
      const modules = reportingLoadedModules()
      const app = await startNext({ POSTHOG_HOST: fake.posthogHost, ...modules.env })
      try {
        for (let i = 0; i < 5; i++) expect((await fetch(`${app.url}/api/ping`)).ok).toBe(true)
        const page = await fetch(`${app.url}/`, { headers: { 'sec-fetch-dest': 'document', accept: 'text/html' } })
        expect(page.ok).toBe(true)
        expect(page.headers.get('set-cookie')).toBeNull()
        expect(page.headers.get('server-timing') ?? '').not.toMatch(/(^|,\s*)ox;/)
        expect(page.headers.get('x-request-id')).toBeTruthy()
      } finally {
        // Stopping delivers whatever an SDK would hold: what the fake has now is all it would get.
        await app.stop()
      }
      expect(fake.requests()).toEqual([])
      expect(app.output()).not.toMatch(/\[observability\].*(PostHog|Sentry) /)
      const loaded = modules.loaded()
      expect(loaded.files.length).toBeGreaterThan(100)
      expect(loaded.sentry).toBe(false)
      expect(posthogNodeFiles(loaded.files)).toEqual([])
    })

    it('turns the same build on when keys are set at start', async () => {
      const modules = reportingLoadedModules()
      const app = await startNext({ POSTHOG_API_KEY: 'phc_runtimekey1234567', POSTHOG_HOST: fake.posthogHost, SENTRY_DSN: fake.sentryDsn, ...modules.env })
      try {
        await fetch(`${app.url}/api/ping`, { headers: { 'x-request-id': 'runtime-on' } })
        await waitForEvents(fake, (e) => e.event === 'api_request' && e.properties.request_id === 'runtime-on')
        const page = await fetch(`${app.url}/`, { headers: { 'sec-fetch-dest': 'document', accept: 'text/html' } })
        // Served to 127.0.0.1 (a secure context): the config rides in Server-Timing (docs/decisions/011).
        const entry = /(?:^|,\s*)ox;desc="([^"]+)"/.exec(page.headers.get('server-timing') ?? '')?.[1]
        expect(decodeBrowserConfig(entry)).toMatchObject({
          rid: page.headers.get('x-request-id'),
          ph: { key: 'phc_runtimekey1234567' },
          se: { dsn: fake.sentryDsn },
        })
        expect(page.headers.get('set-cookie')).toBeNull()
      } finally {
        await app.stop()
      }
      // Sentry runs in this thread; posthog-node only in its worker thread (docs/decisions/010).
      const loaded = modules.loaded()
      expect(loaded.sentry).toBe(true)
      expect(posthogNodeFiles(loaded.files)).toEqual([])
    })

    it('refuses a personal API key with a clear error and keeps PostHog off', async () => {
      fake.clear()
      // Shaped like a personal key (phx_…), made up here and never a real one.
      const personalKey = `phx_${'not-a-real-key-'.repeat(2)}`
      const app = await startNext({ POSTHOG_API_KEY: personalKey, POSTHOG_HOST: fake.posthogHost, SLOW_REQUEST_THRESHOLD_MS: 'soon' })
      try {
        expect((await fetch(`${app.url}/api/ping`)).ok).toBe(true)
      } finally {
        await app.stop()
      }
      expect(fake.requests()).toEqual([])
      const out = app.output()
      expect(out).toMatch(/POSTHOG_API_KEY is a personal API key \(phx_…\)/)
      expect(out).toMatch(/SLOW_REQUEST_THRESHOLD_MS="soon" is invalid/)
      expect(out.match(/SLOW_REQUEST_THRESHOLD_MS/g)).toHaveLength(1)
      expect(out).not.toContain(personalKey)
    })

    it('keeps the debug routes at 404 in production builds without DEBUG=1', async () => {
      const app = await startNext({})
      try {
        expect((await fetch(`${app.url}/api/debug/throw?kind=Error`)).status).toBe(404)
        expect((await fetch(`${app.url}/api/debug/slow`)).status).toBe(404)
        expect((await fetch(`${app.url}/debug/server-error`)).status).toBe(404)
      } finally {
        await app.stop()
      }
      const debug = await startNext({ DEBUG: '1' })
      try {
        expect((await fetch(`${debug.url}/api/debug/throw?kind=Error`)).status).toBe(500)
      } finally {
        await debug.stop()
      }
    })
  })

  describe('static pages stay static', () => {
    it('prerenders the home page', () => {
      const manifest = JSON.parse(readFileSync(join(ROOT, TEST_DIST_DIR, 'prerender-manifest.json'), 'utf8')) as { routes: Record<string, unknown> }
      expect(Object.keys(manifest.routes)).toContain('/')
    })

    let app: NextServer
    beforeAll(async () => {
      app = await startNext({ POSTHOG_API_KEY: 'phc_runtimekey1234567', POSTHOG_HOST: 'http://127.0.0.1:9' })
    })
    afterAll(async () => {
      await app?.stop()
    })
    it('serves it from the prerender cache while the middleware still adds the request id', async () => {
      const res = await fetch(`${app.url}/`, { headers: { 'x-request-id': 'static-1' } })
      expect(res.headers.get('x-nextjs-cache')).toBe('HIT')
      expect(res.headers.get('x-request-id')).toBe('static-1')
    })
  })
})
