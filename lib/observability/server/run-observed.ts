import 'server-only'
import { randomUUID } from 'node:crypto'
import { inspect } from 'node:util'
import { getConfig } from '../shared/get-config.js'
import { wasReported } from '../shared/errors.js'
import { guard, warnOnce } from './fail-open.js'
import { settleWithin } from '../shared/settle-within.js'
import { getPostHog } from './posthog-client.js'
import { processSingleton } from './process-singleton.js'
import { reportFailure, type Backends } from '../shared/report-failure.js'
import { serverBackends } from './server-backends.js'
import { runAsProcessContext, type RequestContext } from './request-context.js'
import { scriptCommandLine, scrubArgv } from './script-argv.js'
import { deliverBeforeExit, SCRIPT_EXIT_BUDGET_MS } from './script-exit.js'
import { releaseFromPackageJson } from './script-release.js'

export { SCRIPT_EXIT_BUDGET_MS } from './script-exit.js'

export interface RunObservedOptions {
  /** The command line to report instead of `process.argv` (script path, then arguments). Scrubbed either way. */
  readonly argv?: readonly string[]
  /** How long the end of the run may wait for delivery, in ms: 0 to 10 000, default 750. */
  readonly flushTimeoutMs?: number
}

/** The longest a run waits, before `main`, for posthog-node's worker thread to start. */
const POSTHOG_READY_MS = 5_000

/** The exit codes a shell gives a process ended by these signals (128 + the signal's number). */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const

const state = processSingleton('runObserved', () => ({ started: false }))

/**
 * Runs a script's entry (a migration, backfill, seeder, cron job, queue worker) observed, then
 * ends the process. Outside a request nothing else would report its failures, and a short-lived
 * process exits before anything queued is sent; this closes both gaps:
 *
 * - A throw or rejection from `main`, and any `uncaughtException` / `unhandledRejection` while
 *   it runs, reaches Sentry and PostHog (`$exception`) once each, with `component: 'script'`, the
 *   script's name, its scrubbed command line, `environment`, `release` and `error_type`. The error
 *   is printed to stderr as Node would.
 * - The run has its own id, a UUID, given to the code inside `main` the way a request id is
 *   (`getRequestId()`): every `$ai_generation` of the run carries it as `$ai_trace_id`, and its
 *   failure as `request_id`.
 * - Then both SDKs are flushed, for at most `flushTimeoutMs` (ingestion hosts that hang cannot
 *   hold the process), and the process exits: 0 when `main` resolves (or the `process.exitCode`
 *   it set), 1 when it failed (or the non-zero `process.exitCode` it set), 130 / 143 on SIGINT /
 *   SIGTERM, which are not failures. A second signal exits at once. A script that handles the
 *   signal itself keeps it: the run ends when `main` settles.
 *
 * `process.exit()` inside `main` still ends the process at once (code after it must never run),
 * unreported, but without the flush: return from `main` or set `process.exitCode` instead. With
 * both backends off nothing is loaded or sent and the process exits as soon as `main` settles.
 *
 * Server modules `import 'server-only'`: run scripts with `node --conditions=react-server --import tsx`.
 *
 * @example
 * // scripts/backfill-users.ts — run: node --conditions=react-server --import tsx scripts/backfill-users.ts
 * import { runObserved } from 'nextjs-observability-kit/server'
 * runObserved('backfill-users', async () => {
 *   for (const page of await listPages()) await backfill(page)
 * })
 */
export async function runObserved(name: string, main: () => unknown, options: RunObservedOptions = {}): Promise<never> {
  if (state.started) throw new Error('runObserved() ends the process when its script ends: call it once, around the entry of the script.')
  state.started = true
  // Held now: posthog-node's shutdown hook replaces `process.exit` on a signal with one that waits longer than ours.
  const exit = process.exit.bind(process)
  const label = String(name).trim().slice(0, 100) || 'script'
  const budgetMs = flushBudget(options.flushTimeoutMs)
  releaseFromPackageJson()
  const config = getConfig({ warn: true })
  const enabled = config.posthog.enabled || config.sentry.enabled
  // Telemetry that cannot start must not cost the script its run.
  await guard('runObserved setup', async () => {
    if (!enabled) return
    // Sentry is initialised as instrumentation.ts would, minus its own process-wide error handlers.
    await (await import('./register.js')).registerNode({ processHooks: false })
    // posthog-node starts in a worker thread, which takes longest on a busy machine. Waiting for
    // its first answer here keeps that startup out of the delivery budget at the end, which then
    // goes to the network alone. An empty flush sends nothing.
    const posthog = getPostHog()
    if (posthog) await settleWithin(posthog.flush(), POSTHOG_READY_MS)
  })

  // Resolved once, before `main`: a failure is then marked reported the moment it is seen.
  const backends: Backends = enabled ? await serverBackends() : { sentry: null, posthog: null }
  const runId = randomUUID()
  const context: RequestContext = { requestId: runId, endpoint: `script:${label}`, method: 'SCRIPT', distinctId: runId, anonymous: true }
  const argv = scrubArgv(options.argv ?? scriptCommandLine())
  const reports: Promise<unknown>[] = []
  /** Set once the run is ending: the code the process will exit with. */
  let ending: number | undefined

  const fail = (error: unknown, mechanism: string): void => {
    printError(error)
    if (ending === 0) ending = 1
    if (enabled) process.stderr.write(`[observability] ${label} failed; its reports carry request_id ${runId}\n`)
    // Reported already, e.g. by `captureException()` before a rethrow.
    if (wasReported(error)) return
    reports.push(
      reportFailure(backends, {
        error,
        distinctId: runId,
        user: null,
        requestId: runId,
        endpoint: context.endpoint,
        method: context.method,
        level: 'fatal',
        tags: { component: 'script', script: label },
        properties: { component: 'script', script_name: label, script_argv: argv },
        mechanism: { type: mechanism, handled: false },
      }).catch((e: unknown) => warnOnce('runObserved report', e)),
    )
  }

  const end = (code: number): void => {
    if (ending !== undefined) return
    ending = code
    void deliverBeforeExit(reports, performance.now() + budgetMs).finally(() => exit(ending))
  }

  const failureCode = () => chosenExitCode() || 1
  process.on('uncaughtException', (error) => (fail(error, 'onuncaughtexception'), end(failureCode())))
  process.on('unhandledRejection', (reason) => (fail(reason, 'onunhandledrejection'), end(failureCode())))
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const before = new Set(process.listeners(signal))
    const onSignal = () => {
      if (ending !== undefined) return exit(SIGNAL_EXIT_CODES[signal])
      if (process.listeners(signal).some((l) => l !== onSignal && !before.has(l))) return
      end(SIGNAL_EXIT_CODES[signal])
    }
    process.on(signal, onSignal)
  }

  try {
    await runAsProcessContext(context, main)
    end(chosenExitCode() ?? 0)
  } catch (error) {
    fail(error, 'runObserved')
    end(failureCode())
  }
  return new Promise<never>(() => undefined)
}

/** As Node prints an uncaught error, which it no longer does once the run handles it. */
function printError(error: unknown): void {
  try {
    process.stderr.write(`${inspect(error)}\n`)
  } catch {
    process.stderr.write('[observability] the script failed with a value that cannot be printed\n')
  }
}

/** The `process.exitCode` the script set, if any. */
function chosenExitCode(): number | undefined {
  const code = Number(process.exitCode ?? Number.NaN)
  return Number.isInteger(code) ? code : undefined
}

function flushBudget(ms: number | undefined): number {
  if (ms === undefined) return SCRIPT_EXIT_BUDGET_MS
  if (Number.isFinite(ms) && ms >= 0 && ms <= 10_000) return ms
  console.warn(`[observability] runObserved: flushTimeoutMs=${String(ms)} is not a number of ms from 0 to 10000; using ${SCRIPT_EXIT_BUDGET_MS}.`)
  return SCRIPT_EXIT_BUDGET_MS
}
