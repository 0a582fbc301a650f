import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { withObservabilityConfig } from '@/lib/observability/next-config'
import { sourceMapUploads } from '@/lib/observability/build-time/source-map-settings'
import { parseConfig } from '@/lib/observability/shared/config'
import { buildRelease } from '@/lib/observability/shared/release'

/**
 * The build's source-map upload names the release the running app reports: one function computes
 * it from the same variables at build time and at runtime. Without an upload token
 * `withObservabilityConfig` adds nothing to the build (no browser maps, no hook) and prints
 * nothing; with one, its hook runs after the app's own and always removes the public maps.
 * (The upload itself: tests/integration/source-maps-uploaded-for-the-runtime-release.test.ts.)
 */

const pkg = { packageName: 'shop', packageVersion: '1.4.0' }
const saved = { ...process.env }
afterEach(() => {
  process.env = { ...saved }
  vi.restoreAllMocks()
})

describe('the build and the server compute one release', () => {
  it.each([
    [{}],
    [{ RELEASE_SHA: 'abc123' }],
    [{ VERCEL_GIT_COMMIT_SHA: 'v1', RAILWAY_GIT_COMMIT_SHA: 'r1' }],
    [{ RAILWAY_GIT_COMMIT_SHA: 'r1', RELEASE_SHA: '  ' }],
    [{ SERVICE_NAME: 'checkout', RELEASE_SHA: 'abc' }],
    [{ SERVICE_NAME: 'not a label!', RELEASE_SHA: 'abc' }],
  ])('%j', (env) => {
    const runtime = parseConfig(env, { ...pkg, dev: false }).config.release
    expect(buildRelease(env, pkg).release).toBe(runtime)
  })
})

describe('withObservabilityConfig and source maps', () => {
  const clear = () => {
    for (const k of Object.keys(process.env)) if (/^(SENTRY|POSTHOG)_/.test(k)) delete process.env[k]
  }

  it('adds nothing to the build and prints nothing without a token', () => {
    clear()
    const log = vi.spyOn(console, 'log')
    const info = vi.spyOn(console, 'info')
    const warn = vi.spyOn(console, 'warn')
    const config = withObservabilityConfig({ reactStrictMode: true })
    expect(config.productionBrowserSourceMaps).toBeUndefined()
    expect(config.compiler?.runAfterProductionCompile).toBeUndefined()
    expect([...log.mock.calls, ...info.mock.calls, ...warn.mock.calls]).toEqual([])
  })

  it('says which variable is missing instead of uploading half-configured', () => {
    expect(sourceMapUploads({ SENTRY_AUTH_TOKEN: 'sntryu_x', SENTRY_ORG: 'acme' }, pkg)).toMatchObject({
      warnings: [expect.stringContaining('SENTRY_PROJECT')],
    })
    expect(sourceMapUploads({ SENTRY_AUTH_TOKEN: 'sntrys_orgtoken', SENTRY_PROJECT: 'web' }, pkg)?.sentry).toMatchObject({ project: 'web' })
    expect(sourceMapUploads({ POSTHOG_CLI_API_KEY: 'phx_x' }, pkg)).toMatchObject({ warnings: [expect.stringContaining('POSTHOG_CLI_PROJECT_ID')] })
    expect(sourceMapUploads({ POSTHOG_CLI_API_KEY: 'phx_x', POSTHOG_CLI_PROJECT_ID: '7', POSTHOG_HOST: 'https://eu.i.posthog.com' }, pkg)?.posthog).toEqual({
      apiKey: 'phx_x',
      projectId: '7',
      host: 'https://eu.i.posthog.com',
    })
  })

  it('runs after the app’s own hook and removes the public maps even when an upload cannot run', async () => {
    clear()
    Object.assign(process.env, { POSTHOG_CLI_API_KEY: 'phx_x', POSTHOG_CLI_PROJECT_ID: '7', PATH: '/nonexistent' })
    const dist = mkdtempSync(join(tmpdir(), 'ox-maps-'))
    try {
      mkdirSync(join(dist, 'static/chunks'), { recursive: true })
      writeFileSync(join(dist, 'static/chunks/a.js'), 'console.log(1)\n//# sourceMappingURL=a.js.map')
      writeFileSync(join(dist, 'static/chunks/a.js.map'), '{}')
      const order: string[] = []
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
      vi.spyOn(console, 'info').mockImplementation(() => undefined)
      const config = withObservabilityConfig({ compiler: { runAfterProductionCompile: async () => void order.push('app') } })
      expect(config.productionBrowserSourceMaps).toBe(true)
      await config.compiler!.runAfterProductionCompile!({ distDir: dist, projectDir: dist })
      order.push('kit')
      expect(order).toEqual(['app', 'kit'])
      expect(warn.mock.calls.flat().join(' ')).toContain('posthog-cli is not installed')
      expect(existsSync(join(dist, 'static/chunks/a.js.map'))).toBe(false)
      expect(readFileSync(join(dist, 'static/chunks/a.js'), 'utf8')).toBe('console.log(1)')
    } finally {
      rmSync(dist, { recursive: true, force: true })
    }
  })
})
