import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sentryForRequest } from '../support/events'
import { startFakeIngest } from '../support/fake-ingest'
import { startFakeSentryApi, type FakeSentryApi } from '../support/fake-sentry-api'
import { cleanEnv, ROOT, startNext, TEST_DIST_DIR } from '../support/next-server'

/**
 * `next build` with `SENTRY_AUTH_TOKEN` (and `SENTRY_ORG`, `SENTRY_PROJECT`, `SENTRY_URL`) and
 * `POSTHOG_CLI_API_KEY` (and `POSTHOG_CLI_PROJECT_ID`) set: the demo is built for real, and
 * Sentry's own tooling uploads to a local fake of Sentry's upload API (chunk upload + artifact
 * bundle assembly, decoded here). Checked: the upload names the release the server then reports;
 * every browser chunk that has a map has it uploaded (matched by debug id), the server's too; no
 * map is left where `/_next/static` would serve it; PostHog's CLI (a recording stand-in on PATH:
 * the real one downloads its binary at install, which cannot happen here) is run on the build
 * with the same release; and the build connected to nothing but this machine. The shared build
 * of the other tests, made without tokens, shows the build is otherwise unchanged.
 */

const DIST = '.test-builds/source-maps'
const SHA = 'c0ffee1234'
let api: FakeSentryApi
let work: string
let output = ''

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true })
    .map(String)
    .map((f) => join(dir, f))
}
const debugIdOf = (text: string) => /\/\/# debugId=([0-9a-f-]{36})\s*$/.exec(text)?.[1]

beforeAll(async () => {
  api = await startFakeSentryApi()
  work = mkdtempSync(join(tmpdir(), 'ox-sourcemaps-'))
  // The stand-in for posthog-cli: records how it was run.
  const bin = join(work, 'bin')
  writeFileSync(join(work, 'posthog-cli.log'), '')
  mkdirSync(bin)
  writeFileSync(
    join(bin, 'posthog-cli'),
    `#!${process.execPath}\nrequire('node:fs').appendFileSync(${JSON.stringify(join(work, 'posthog-cli.log'))}, JSON.stringify({ args: process.argv.slice(2), key: process.env.POSTHOG_CLI_API_KEY, project: process.env.POSTHOG_CLI_PROJECT_ID, host: process.env.POSTHOG_CLI_HOST }) + '\\n')\n`,
  )
  chmodSync(join(bin, 'posthog-cli'), 0o755)
  rmSync(join(ROOT, DIST), { recursive: true, force: true })
  // `next build` adds its dist folder's types to tsconfig.json; the repository's file is put back.
  const tsconfig = readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')
  const env = cleanEnv({
    OBS_DIST_DIR: DIST,
    SENTRY_AUTH_TOKEN: 'sntryu_test_token',
    SENTRY_ORG: 'acme',
    SENTRY_PROJECT: 'web',
    SENTRY_URL: api.url,
    POSTHOG_CLI_API_KEY: 'phx_test_personal_key',
    POSTHOG_CLI_PROJECT_ID: '42',
    POSTHOG_CLI_HOST: api.url,
    RELEASE_SHA: SHA,
    PATH: `${bin}:${process.env.PATH}`,
    NODE_OPTIONS: `--require ${join(ROOT, 'tests/support/record-connections.cjs')}`,
    OBS_CONNECTIONS_LOG: join(work, 'connections.log'),
    // Sentry's CLI caches each organization's region URL in its config folder (~/.config/sentry):
    // a fresh one, or it would go to the port of an earlier run's fake.
    SENTRY_CONFIG_DIR: join(work, 'sentry-cli'),
  })
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/next/dist/bin/next'), 'build'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    child.on('exit', resolve)
  })
  writeFileSync(join(ROOT, 'tsconfig.json'), tsconfig)
  // Kept next to the build (ignored by git) for whoever reads a failure.
  writeFileSync(join(ROOT, '.test-builds/source-maps-build.log'), output)
  if (code !== 0) throw new Error(`next build failed (${code}):\n${output}`)
}, 900_000)

afterAll(async () => {
  await api?.close()
  rmSync(join(ROOT, DIST), { recursive: true, force: true })
  if (work) rmSync(work, { recursive: true, force: true })
})

describe('source maps go to Sentry and PostHog for the release the app reports, and not to the public', () => {
  it('uploads to Sentry, for exactly the release the server reports at runtime', async () => {
    const fake = await startFakeIngest()
    const app = await startNext({ OBS_DIST_DIR: DIST, SENTRY_DSN: fake.sentryDsn, RELEASE_SHA: SHA, DEBUG: '1' })
    try {
      await fetch(`${app.url}/api/debug/throw?msg=release`, { headers: { 'x-request-id': 'sm-release' } })
      await fake.waitFor(() => sentryForRequest(fake, 'sm-release').length > 0)
    } finally {
      await app.stop()
      await fake.close()
    }
    const runtime = (sentryForRequest(fake, 'sm-release')[0]!.payload as { release: string }).release
    expect(runtime).toBe(`nextjs-observability-kit-demo@${SHA}`)
    expect(api.releases(), output).toEqual([runtime])
    expect(api.bundles().length).toBeGreaterThan(0)
    for (const bundle of api.bundles()) expect(bundle).toMatchObject({ org: 'acme', projects: ['web'], release: runtime })
  })

  it('uploads the map of every browser chunk that has one, and the server’s, matched by debug id', () => {
    const uploaded = [...new Set(api.bundles().flatMap((b) => b.files.filter((f) => f.type === 'source_map').map((f) => f.debugId)))]
    const chunks = filesUnder(join(ROOT, DIST, 'static/chunks')).filter((f) => f.endsWith('.js'))
    const withIds = chunks.map((f) => debugIdOf(readFileSync(f, 'utf8'))).filter(Boolean)
    // Every chunk the bundler made carries its debug id; only Next's prebuilt polyfills, which
    // ship without a map, have none to upload. (The build manifests under static/<build id>/ are
    // data, not chunks.)
    const polyfills = (JSON.parse(readFileSync(join(ROOT, DIST, 'build-manifest.json'), 'utf8')) as { polyfillFiles: string[] }).polyfillFiles
    const withoutIds = chunks.filter((f) => !debugIdOf(readFileSync(f, 'utf8'))).map((f) => relative(join(ROOT, DIST), f))
    expect(withoutIds).toEqual(polyfills.filter((f) => f.endsWith('.js')))
    expect(withIds.length).toBe(chunks.length - withoutIds.length)
    for (const id of withIds) expect(uploaded, `map of the chunk with debug id ${id}`).toContain(id)
    const serverIds = filesUnder(join(ROOT, DIST, 'server'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => debugIdOf(readFileSync(f, 'utf8')))
      .filter(Boolean)
    expect(serverIds.length).toBeGreaterThan(0)
    for (const id of serverIds) expect(uploaded).toContain(id)
  })

  it('leaves no browser map where /_next/static would serve it, nor a comment pointing at one', () => {
    const files = filesUnder(join(ROOT, DIST, 'static'))
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([])
    expect(files.filter((f) => /\.(js|css)$/.test(f) && /sourceMappingURL=/.test(readFileSync(f, 'utf8').slice(-300)))).toEqual([])
    expect(output).toMatch(/\[observability\] source maps for nextjs-observability-kit-demo@c0ffee1234: Sentry and PostHog; [1-9]\d* browser maps removed/)
  })

  it('runs PostHog’s CLI on the build: inject before Sentry’s, upload after, with the same release', () => {
    const runs = readFileSync(join(work, 'posthog-cli.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { args: string[]; key: string; project: string; host: string })
    const dist = join(ROOT, DIST)
    expect(runs.map((r) => r.args)).toEqual([
      ['sourcemap', 'inject', '--directory', dist],
      ['sourcemap', 'upload', '--directory', dist, '--release-name', 'nextjs-observability-kit-demo', '--release-version', SHA],
    ])
    for (const r of runs) expect(r).toMatchObject({ key: 'phx_test_personal_key', project: '42', host: api.url })
  })

  it('connects to nothing but this machine while building', () => {
    const hosts = new Set(readFileSync(join(work, 'connections.log'), 'utf8').trim().split('\n').filter(Boolean))
    expect(hosts.size).toBeGreaterThan(0)
    for (const host of hosts) expect(host).toMatch(/^(127\.0\.0\.1|localhost|::1|unix:.*)$/)
  })

  it('leaves a build without tokens as Next makes it: no browser maps, no injected ids', () => {
    const files = filesUnder(join(ROOT, TEST_DIST_DIR, 'static'))
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([])
    const js = files.filter((f) => f.endsWith('.js')).map((f) => readFileSync(f, 'utf8'))
    expect(js.length).toBeGreaterThan(0)
    // The Sentry SDK reads `_sentryDebugIds`; what the upload injects is a `sentry-dbid-<uuid>` and a `debugId` comment.
    expect(js.filter((t) => /sentry-dbid-[0-9a-f]{8}-|\/\/# debugId=/.test(t)).length).toBe(0)
  })
})
