import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { allText } from '../support/events'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { ROOT } from '../support/next-server'
import { runScript, scriptEnv } from '../support/run-script'

/**
 * Scripts wrapped in `runObserved()` (the demo, scripts/demo-script.ts, and a fixture with every
 * way a run can end, tests/support/observed-script.ts), each run as a child process against the
 * fake ingestion server. The process has exited, which is when it flushes, before anything is
 * asserted, so an absence is proven, not waited for.
 */

const DEMO = 'scripts/demo-script.ts'
const FIXTURE = 'tests/support/observed-script.ts'
/** The guarantee under test: a run's process is gone within a second of its work ending. */
const EXIT_BOUND_MS = 1_000
const RELEASE = `${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string }).name}@scripttest1`
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

type Tags = Record<string, string>

describe('scripts run by runObserved() report each failure once and exit promptly', () => {
  let fake: FakeIngest
  let env: Record<string, string>
  beforeAll(async () => {
    fake = await startFakeIngest()
    env = {
      POSTHOG_API_KEY: 'phc_scriptrunkey123',
      POSTHOG_HOST: fake.posthogHost,
      SENTRY_DSN: fake.sentryDsn,
      APP_ENV: 'script-test',
      RELEASE_SHA: 'scripttest1',
    }
  })
  afterEach(() => {
    fake.setMode('ok')
    fake.clear()
  })
  afterAll(async () => {
    await fake?.close()
  })

  const exceptions = () => fake.events().filter((e) => e.event === '$exception')
  const sentryTags = () => fake.sentryEvents().map((e) => (e.payload as { tags?: Tags }).tags ?? {})

  it('a run that succeeds sends nothing at all and exits 0 (npm run demo:script)', async () => {
    const exited = await new Promise<number | null>((resolve, reject) => {
      const npm = spawn('npm', ['run', '-s', 'demo:script'], { cwd: ROOT, env: { ...scriptEnv(), ...env }, stdio: 'ignore' })
      npm.on('error', reject)
      npm.on('exit', resolve)
    })
    expect(exited).toBe(0)
    expect(fake.requests()).toEqual([])
  })

  it('a failure reaches each backend once, with component, name, scrubbed command line, environment, release and category', async () => {
    const secrets = ['--token=SECRET123', '--password', 'SECRET456', '--api-key', 'SECRET789', 'postgres://u:SECRETPW@db.internal/app']
    const run = await runScript(DEMO, ['--fail', ...secrets], { env })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('BackfillError: could not write batch 3')

    const [exception, ...moreExceptions] = exceptions()
    expect(moreExceptions).toEqual([])
    const [sentry, ...moreSentry] = fake.sentryEvents()
    expect(moreSentry).toEqual([])
    const p = exception!.properties
    expect(p).toMatchObject({
      component: 'script',
      script_name: 'demo-backfill',
      script_argv: [
        'scripts/demo-script.ts',
        '--fail',
        '--token=[Filtered]',
        '--password',
        '[Filtered]',
        '--api-key',
        '[Filtered]',
        'postgres://u:[Filtered]@db.internal/app',
      ],
      environment: 'script-test',
      release: RELEASE,
      error_type: 'connection_error',
      endpoint: 'script:demo-backfill',
      $sentry_event_id: sentry!.payload.event_id,
    })
    expect(p.request_id).toMatch(UUID)

    const event = sentry!.payload as {
      tags: Tags
      environment: string
      release: string
      level: string
      contexts: { properties: Record<string, unknown> }
      breadcrumbs?: { message?: string }[]
    }
    expect(event.tags).toMatchObject({ component: 'script', script: 'demo-backfill', error_type: 'connection_error', request_id: p.request_id })
    expect(event).toMatchObject({ environment: 'script-test', release: RELEASE, level: 'fatal' })
    expect(event.contexts.properties).toMatchObject({ script_name: 'demo-backfill', script_argv: p.script_argv })
    // The script's console lines (info and above) come along as breadcrumbs.
    expect(event.breadcrumbs?.map((b) => b.message)).toContain('backfill: batch 2/4 written')
    expect(allText(fake)).not.toMatch(/SECRET(123|456|789|PW)/)
  })

  it.each([
    { backends: 'both backends', keys: () => env },
    { backends: 'PostHog alone', keys: () => ({ ...env, SENTRY_DSN: '' }) },
  ])("every LLM call of a run is traced under the run's own id, and its failure carries the same id ($backends)", async ({ backends, keys }) => {
    const first = await runScript(FIXTURE, ['--llm', '--fail'], { env: keys() })
    expect(first.code).toBe(1)
    const generations = fake.events().filter((e) => e.event === '$ai_generation')
    expect(generations).toHaveLength(2)
    const runId = generations[0]!.properties.$ai_trace_id as string
    expect(runId).toMatch(UUID)
    expect(generations.map((g) => [g.properties.$ai_trace_id, g.properties.request_id])).toEqual([
      [runId, runId],
      [runId, runId],
    ])
    expect(exceptions().map((e) => e.properties.request_id)).toEqual([runId])
    expect(sentryTags().map((t) => t.request_id)).toEqual(backends === 'both backends' ? [runId] : [])

    fake.clear()
    await runScript(FIXTURE, ['--llm'], { env: keys() })
    const next = fake
      .events()
      .filter((e) => e.event === '$ai_generation')
      .map((g) => g.properties.$ai_trace_id)
    expect(next).toHaveLength(2)
    expect(next[0]).toBe(next[1])
    expect(next[0]).not.toBe(runId)
  })

  it.each([
    { args: [], code: 0, reported: 0, what: 'main resolving' },
    { args: ['--exit-code=3'], code: 3, reported: 0, what: "main resolving with the script's process.exitCode" },
    { args: ['--process-exit'], code: 0, reported: 0, what: 'process.exit(0) inside main' },
    { args: ['--fail'], code: 1, reported: 1, what: 'main rejecting', mechanism: 'runObserved' },
    { args: ['--exit-code=4', '--fail'], code: 4, reported: 1, what: 'main rejecting after choosing its own exit code', mechanism: 'runObserved' },
    { args: ['--uncaught'], code: 1, reported: 1, what: 'an uncaughtException while main waits', mechanism: 'onuncaughtexception' },
    { args: ['--rejection'], code: 1, reported: 1, what: 'an unhandledRejection while main waits', mechanism: 'onunhandledrejection' },
    // Reported by the script's own captureException(): as a manual capture within the run.
    { args: ['--capture-then-throw'], code: 1, reported: 1, what: 'an error captured by captureException(), then rethrown', mechanism: 'manual' },
  ])('$what: exit code $code, $reported report(s) per backend', async ({ args, code, reported, mechanism }) => {
    const run = await runScript(FIXTURE, args, { env })
    expect(run.code, run.stderr).toBe(code)
    expect(exceptions()).toHaveLength(reported)
    expect(fake.sentryEvents()).toHaveLength(reported)
    if (reported) {
      expect(exceptions()[0]!.properties).toMatchObject({ endpoint: 'script:test-script', request_id: expect.stringMatching(UUID) })
      expect(sentryTags()[0]).toMatchObject({ endpoint: 'script:test-script', request_id: exceptions()[0]!.properties.request_id })
    }
    if (reported && mechanism !== 'manual') {
      expect(exceptions()[0]!.properties).toMatchObject({ component: 'script', script_name: 'test-script' })
      expect(sentryTags()[0]).toMatchObject({ component: 'script', script: 'test-script' })
    }
    if (mechanism) {
      const values = (fake.sentryEvents()[0]!.payload as { exception: { values: { mechanism: { type: string; handled: boolean } }[] } }).exception.values
      expect(values.at(-1)!.mechanism).toMatchObject({ type: mechanism, handled: mechanism === 'manual' })
    }
    expect(run.exitAfter('work done')).toBeLessThan(EXIT_BOUND_MS)
  })

  it.each([
    { signal: 'SIGINT' as const, code: 130 },
    { signal: 'SIGTERM' as const, code: 143 },
  ])('$signal ends the run with $code, unreported, after delivering what the run had queued', async ({ signal, code }) => {
    let sentAt = 0
    const run = await runScript(FIXTURE, ['--llm', '--wait'], {
      env,
      onLine: (line, child) => {
        if (line === 'waiting') {
          sentAt = performance.now()
          child.kill(signal)
        }
      },
    })
    expect(run.code).toBe(code)
    expect(run.signal).toBeNull()
    expect(exceptions()).toEqual([])
    expect(fake.sentryEvents()).toEqual([])
    expect(fake.events().filter((e) => e.event === '$ai_generation')).toHaveLength(2)
    expect(run.exitedAt - sentAt).toBeLessThan(EXIT_BOUND_MS)
  })

  it('a second signal ends the process at once, without waiting for delivery', async () => {
    fake.setMode('hang')
    let firstAt = 0
    const run = await runScript(FIXTURE, ['--llm', '--wait', '--flush-timeout=5000'], {
      env,
      onLine: (line, child) => {
        if (line !== 'waiting') return
        firstAt = performance.now()
        child.kill('SIGINT')
        setTimeout(() => child.kill('SIGINT'), 100)
      },
    })
    expect(run.code).toBe(130)
    // Without the second signal the run would wait its 5 s flush budget on the hanging host.
    expect(run.exitedAt - firstAt).toBeLessThan(2_000)
  })

  it('a script that handles SIGTERM itself keeps it: the run ends when main resolves, with its code', async () => {
    const run = await runScript(FIXTURE, ['--llm', '--own-sigterm'], {
      env,
      onLine: (line, child) => void (line === 'waiting' && child.kill('SIGTERM')),
    })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('graceful stop')
    expect(run.stdout).toContain('work done')
    expect(exceptions()).toEqual([])
    expect(fake.events().filter((e) => e.event === '$ai_generation')).toHaveLength(2)
  })

  it.each([
    { args: ['--fail', '--llm'], code: 1, line: 'failed, stopping' },
    { args: ['--llm'], code: 0, line: 'backfill: done' },
  ])('exits within a second of its work ending while the ingestion host hangs ($args)', async ({ args, code, line }) => {
    fake.setMode('hang')
    const run = await runScript(DEMO, args, { env })
    expect(run.code).toBe(code)
    // The deliveries were attempted (the fake holds them unanswered), and did not hold the process.
    expect(fake.requests().some((r) => r.kind === 'posthog-events' && r.status === 0)).toBe(true)
    expect(run.exitAfter(line)).toBeLessThan(EXIT_BOUND_MS)
  })
})
