import { afterAll, beforeAll, beforeEach } from 'vitest'
import { resetObservability } from 'nextjs-observability-kit/testing'
import { startFakeIngest, type FakeIngest, type FakeIngestOptions } from './fake-ingest'

/**
 * Replaces the kit's environment (every `POSTHOG_*`, `SENTRY_*` and `OBSERVABILITY_*` variable) with `env` and
 * forgets what the kit read and started, so its next call reads the new environment.
 */
export function setKitEnv(env: Record<string, string | undefined>): void {
  for (const k of Object.keys(process.env)) if (/^(POSTHOG|SENTRY|OBSERVABILITY)_/.test(k)) delete process.env[k]
  for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v
  resetObservability()
}

/**
 * For one test file: a fake ingestion server started before its tests, emptied before each test
 * and closed after them, and the process's environment as it was before the file.
 *
 * @example
 * const fake = fakeIngestForFile()
 * it('…', async () => { setKitEnv({ POSTHOG_API_KEY: 'phc_…', POSTHOG_HOST: fake.posthogHost }) })
 */
export function fakeIngestForFile(options?: FakeIngestOptions): FakeIngest {
  const saved = { ...process.env }
  let started: FakeIngest | undefined
  beforeAll(async () => {
    started = await startFakeIngest(options)
  })
  afterAll(async () => {
    process.env = { ...saved }
    resetObservability()
    await started?.close()
  })
  beforeEach(() => started?.clear())
  return new Proxy({} as FakeIngest, {
    get(_, key) {
      if (!started) throw new Error('the fake ingestion server is not started yet: use it inside a test or hook')
      const value: unknown = Reflect.get(started, key)
      return typeof value === 'function' ? value.bind(started) : value
    },
  })
}
