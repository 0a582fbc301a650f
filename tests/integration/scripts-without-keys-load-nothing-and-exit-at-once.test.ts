import { readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeIngest, type FakeIngest } from '../support/fake-ingest'
import { ROOT } from '../support/next-server'
import { runScript } from '../support/run-script'

/**
 * With neither key set, `runObserved()` is the script alone: no SDK loaded, no worker thread, no
 * connection, and no wait at exit. What the process loaded comes from
 * tests/support/report-script-process.mjs, preloaded into it; the same report from a run with the
 * keys set shows that it would see them.
 */

/** Far below the 750 ms flush budget: nothing waits at all. */
const PROMPT_EXIT_MS = 300
const SDK_MODULE = /node_modules\/(@sentry\/(node|nextjs)|posthog-node)\//

interface ProcessReport {
  workers: number
  modules: string[]
  sentry: boolean
}

describe('scripts without keys load nothing, send nothing and exit at once', () => {
  let listener: Server
  let connections = 0
  let port = 0
  beforeAll(async () => {
    // Where PostHog would send if it were on: it counts connections, whatever they carry.
    listener = createServer((socket) => {
      connections++
      socket.destroy()
    })
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
    port = (listener.address() as { port: number }).port
  })
  afterAll(async () => {
    await new Promise((resolve) => listener?.close(resolve))
  })

  async function runReported(args: string[], env: Record<string, string>) {
    const file = join(tmpdir(), `obs-script-report-${process.pid}-${Date.now()}.json`)
    try {
      const run = await runScript('scripts/demo-script.ts', args, {
        env: { ...env, NODE_OPTIONS: `--import ${join(ROOT, 'tests/support/report-script-process.mjs')}`, OBS_TEST_PROCESS_REPORT: file },
      })
      return { run, report: JSON.parse(readFileSync(file, 'utf8')) as ProcessReport }
    } finally {
      rmSync(file, { force: true })
    }
  }

  it.each([
    { args: ['--fail', '--llm'], code: 1, line: 'failed, stopping' },
    { args: ['--llm'], code: 0, line: 'backfill: done' },
  ])('$args: exit $code, no SDK, no worker thread, no connection, no wait', async ({ args, code, line }) => {
    const { run, report } = await runReported(args, { POSTHOG_HOST: `http://127.0.0.1:${port}`, APP_ENV: 'script-test' })
    expect(run.code, run.stderr).toBe(code)
    expect(report.modules.filter((m) => SDK_MODULE.test(m))).toEqual([])
    expect(report.workers).toBe(0)
    expect(report.sentry).toBe(false)
    expect(connections).toBe(0)
    expect(run.stdout).not.toContain('[observability]')
    expect(run.exitAfter(line)).toBeLessThan(PROMPT_EXIT_MS)
  })

  it('the same report sees both SDKs and the posthog-node worker once the keys are set', async () => {
    const fake: FakeIngest = await startFakeIngest()
    try {
      const { run, report } = await runReported(['--fail'], {
        POSTHOG_API_KEY: 'phc_scriptrunkey123',
        POSTHOG_HOST: fake.posthogHost,
        SENTRY_DSN: fake.sentryDsn,
      })
      expect(run.code).toBe(1)
      expect(report.modules.some((m) => /node_modules\/@sentry\/node\//.test(m))).toBe(true)
      expect(report.workers).toBe(1)
      expect(report.sentry).toBe(true)
    } finally {
      await fake.close()
    }
  })
})
