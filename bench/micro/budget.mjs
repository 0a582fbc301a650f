#!/usr/bin/env node
// The kit's per-request budget, by component: an in-process microbenchmark of the code a tracked
// request runs, with the real SDKs (Sentry initialised by the kit's own `registerNode()`) and the
// kit's event queue sending to the local sink (bench/sink.mjs, its own process).
//
//   node bench/micro/budget.mjs                 # 3 processes × 5 repetitions of each component, a table
//   node bench/micro/budget.mjs --procs 2 --reps 5 --n 4000 --json out.json
//   node bench/micro/budget.mjs --runs 5        # five whole runs: how far their figures disagree
//
// Each configuration (`off`: no keys; `on`: both backends, the defaults, traces at 0.1) runs in
// child processes of its own (the kit's config and Sentry are process-wide), loading the kit from
// its TypeScript sources (tsx) with the `react-server` condition, as Next loads route code.
// --procs processes per configuration, the configurations alternating: one process's JIT and
// heap layout can make a component several % dearer or cheaper for its whole life, so a figure
// pools every repetition of every process. Each process has a young generation of fixed size.
//
// In a process: a warm-up round of every component (as many iterations as measured), then --reps
// rounds, each measuring every component once in turn (a slow drift of the machine then shifts
// all components alike, not the last ones measured). A repetition is --n iterations (20 × for
// the few-µs scrub, so that it lasts as long as the others; 4 × for two whose repetitions end
// with sends and after-response work of their own, a cost per repetition, not per request) and drains
// what they scheduled (after-response work, queued events sent) before it stops the clocks. The
// event queue is sent every 100 events and each send awaited, so every repetition pays for the
// same batches. Two figures per iteration:
//   thread µs  this thread's own CPU time (Linux's per-thread /proc/self/task/<tid>/schedstat, in
//              ns; Node 20 has no per-thread CPU clock) / n: the request thread's work. Time the
//              thread waits, or is preempted by other processes, does not count.
//   all µs     process.cpuUsage() (user + system, every thread: libuv's gzip, GC
//              helpers) / n: what `/api/ping`'s CPU per request in the end-to-end table counts.
// The figure is the lower quartile of the repetitions (FIGURE_QUANTILE); the spread is
// (max − min) / median of them.
// "kit per request" rows subtract the same loop without the kit (the bare handler).
// This VM changes speed for minutes at a time, by 10–15 %: every figure is also given at the
// reference speed (SPEED_REFERENCE), scaled by how long the run's own baselines took against it.

import { fork } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { forkSink } from '../sink.mjs'
import { cpuPlan, pinTree } from '../pin.mjs'
import { quantile, spread, fmt, table } from '../stats.mjs'

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = join(HERE, '../..')

/** The budget: µs of the request thread per tracked request, by component, at the default configuration. */
export const TARGETS_US = {
  'withTracking, kit per request (total)': 200,
  'traceRequest (Sentry scope, traces at 0.1)': 20,
  'recordRequest (after the response)': 40,
  'capture(api_request)': 15,
  'scrubServerProperties(api_request)': 3,
  'event queue (push, then send)': 8,
  'middleware, document request': 30,
  'middleware, API request': 15,
}

/**
 * A component's figure: the lower quartile of its repetitions. On a shared machine interference
 * only ever adds CPU time (another VM's cache traffic, a collection a neighbour triggered), and in
 * long upward tails; the lower quartile follows the code's own cost and ignores the tail, where a
 * median moves with how many repetitions the tail reached (docs/benchmarks.md).
 */
const FIGURE_QUANTILE = 0.25

/**
 * The machine's speed, read from the loops without the kit that every process measures anyway
 * (the bare handler, `new Request`, `new NextRequest`: Node and undici code, no kit, no Sentry):
 * their thread µs summed. 28 µs is their sum on this 2-core VM in its usual state. A figure "at the
 * reference speed" is its µs × 28 / the run's own sum: two runs minutes apart, one in a slow
 * state, then agree within a few % where their raw µs differ by 10–15 % (docs/benchmarks.md).
 * Targets are judged at the reference speed.
 */
export const SPEED_REFERENCE = { components: ['bare handler (subtracted)', 'new Request (subtracted)', 'new NextRequest (subtracted)'], us: 28 }

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const opts = parseArgs({
    options: {
      reps: { type: 'string', default: '5' },
      procs: { type: 'string', default: '3' },
      n: { type: 'string', default: '5000' },
      json: { type: 'string' },
      runs: { type: 'string', default: '1' },
      child: { type: 'string' },
    },
  }).values
  if (opts.child) await child(opts.child, Number(opts.reps), Number(opts.n))
  else {
    const results = []
    for (let i = 0; i < Number(opts.runs); i++) {
      results.push(await runBudget({ reps: Number(opts.reps), n: Number(opts.n), procs: Number(opts.procs) }))
      console.log(renderBudget(results.at(-1)))
    }
    if (results.length > 1) console.log('\n' + renderRepeatability(results))
    if (opts.json) writeFileSync(opts.json, JSON.stringify(results, null, 2))
  }
}

/**
 * Runs both configurations, `procs` processes each, alternating; resolves to
 * `{ configs: { off, on }, reps, n, procs }`, each component's figures pooled over the processes.
 */
export async function runBudget({ reps = 5, n = 5000, procs = 3 } = {}) {
  const sink = await forkSink()
  const plan = cpuPlan()
  if (!plan.reason) pinTree(sink.pid, plan.load)
  try {
    const runs = { off: [], on: [] }
    for (let p = 0; p < procs; p++) for (const config of ['off', 'on']) runs[config].push(await runChild(config, reps, n, sink.port))
    const configs = { off: pool(runs.off), on: pool(runs.on) }
    return { reps, n, procs, configs, sinkStats: await sink.stats() }
  } finally {
    await sink.stop()
  }
}

/** One configuration's processes as one: per component, the figure and spread of all their repetitions. */
function pool(children) {
  const results = {}
  for (const name of Object.keys(children[0].results)) {
    const samples = children.flatMap((c) => c.results[name].samples)
    results[name] = {
      threadUs: quantile(
        samples.map((s) => s.threadUs),
        FIGURE_QUANTILE,
      ),
      allUs: quantile(
        samples.map((s) => s.allUs),
        FIGURE_QUANTILE,
      ),
      threadSpread: spread(samples.map((s) => s.threadUs)),
      allSpread: spread(samples.map((s) => s.allUs)),
      samples,
    }
  }
  const baseline = SPEED_REFERENCE.components.reduce((sum, name) => sum + results[name].threadUs, 0)
  return { config: children[0].config, results, speed: SPEED_REFERENCE.us / baseline }
}

function runChild(config, reps, n, sinkPort) {
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), ['--child', config, '--reps', String(reps), '--n', String(n)], {
      cwd: ROOT,
      // A young generation of fixed size: V8 otherwise sizes it by what survived so far, so two
      // processes running the same loop collect garbage at different rates.
      execArgv: ['--conditions=react-server', '--import', 'tsx', '--expose-gc', '--min-semi-space-size=16', '--max-semi-space-size=16'],
      env: childEnv(config, sinkPort),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    let result
    // On a machine with a spare core, the measured process gets one of its own (the sink and this
    // process share the other): another process's work then does not land on the same core.
    const plan = cpuPlan()
    if (!plan.reason) pinTree(proc.pid, plan.servers)
    proc.on('message', (m) => (result = m))
    proc.on('error', reject)
    proc.on('exit', (code) => (result ? resolve(result) : reject(new Error(`budget child ${config} exited ${code} without a result`))))
  })
}

function childEnv(config, sinkPort) {
  const base = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' }
  if (config === 'off') return base
  return {
    ...base,
    POSTHOG_API_KEY: 'phc_benchbudget0123456789',
    POSTHOG_HOST: `http://127.0.0.1:${sinkPort}`,
    SENTRY_DSN: `http://benchkey@127.0.0.1:${sinkPort}/1`,
    APP_ENV: 'production',
  }
}

// ---------------------------------------------------------------------------------------------
// Child side: the components, measured in this process.

async function child(config, reps, n) {
  // Trace sampling draws Math.random: independent draws sample 10 % ± 4 % of a repetition's 5 000
  // requests, and a sampled one costs ~20 × an unsampled one. A low-discrepancy sequence (golden
  // ratio steps) is as uniform and samples the same share of every repetition.
  let draw = 0
  Math.random = () => (draw = (draw + 0.6180339887498949) % 1)
  const kit = (p) => import(join(ROOT, 'lib/observability', p))
  const { registerNode } = await kit('server/register.ts')
  await registerNode()
  const { withTracking } = await kit('server/with-tracking.ts')
  const { traceRequest } = await kit('server/trace-request.ts')
  const { recordRequest } = await kit('server/record-request.ts')
  const { capture } = await kit('server/capture.ts')
  const { getEventBatch, flushSoon } = await kit('server/posthog-client.ts')
  const { loadedSentry } = await kit('server/sentry.ts')
  const { scrubServerProperties } = await kit('shared/event-privacy.ts')
  const { withObservability } = await kit('edge/middleware.ts')
  const { NextRequest } = await import('next/server')

  const API_URL = 'http://127.0.0.1:3000/api/ping'
  const apiHeaders = { 'user-agent': 'autocannon', accept: '*/*' }
  const docHeaders = { ...apiHeaders, accept: 'text/html,application/xhtml+xml', 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate' }
  const apiRequest = () => new Request(API_URL, { headers: apiHeaders })
  const handler = async () => new Response('{"ok":true}', { headers: { 'content-type': 'application/json' } })
  const tracked = withTracking(handler)
  const middleware = withObservability()
  const event = { waitUntil() {} }
  const apiProps = {
    endpoint: '/api/ping',
    method: 'GET',
    status_code: 200,
    response_time_ms: 1,
    request_id: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    success: true,
    user_id: 'anonymous',
    environment: 'production',
    release: 'demo@1.0.0',
  }
  const Sentry = loadedSentry()
  const queue = getEventBatch()

  /** Lets the after-response tasks (setImmediate outside Next) and their awaits run. */
  const drain = async () => {
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r))
  }
  /**
   * A server's idle moment: the loop polls sockets (1 ms), so sends in flight complete. Sentry's
   * transport holds at most 64 envelopes in flight and drops the rest: a loop that never let its
   * sends finish would drop most sampled transactions, and their cost with them.
   */
  const idle = async () => {
    await drain()
    await new Promise((r) => setTimeout(r, 1))
  }
  /** After a repetition: what the queue holds is sent (JSON, gzip, HTTP: its CPU counts). */
  const drainThreads = async () => {
    await drain()
    if (queue) await flushSoon(5_000)
  }

  const components = {
    // With the same idle moments as the tracked loops it is subtracted from.
    'bare handler (subtracted)': { each: async () => void (await handler()), everyN: 16, every: idle },
    'withTracking (handler + kit)': {
      each: async () => void (await tracked(apiRequest(), { params: Promise.resolve({}) })),
      everyN: 16,
      every: idle,
      after: drainThreads,
    },
    'new Request (subtracted)': { each: async () => void apiRequest() },
    'traceRequest (Sentry scope, traces at 0.1)': Sentry
      ? {
          each: async () =>
            void (await traceRequest(
              Sentry,
              apiRequest(),
              { name: 'GET /api/ping', context: { requestId: 'r', endpoint: '/api/ping', method: 'GET' } },
              handler,
              {},
            )),
          everyN: 16,
          every: idle,
        }
      : null,
    'recordRequest (after the response)': {
      each: () => {
        const request = apiRequest()
        recordRequest({
          context: { requestId: 'r-1', endpoint: '/api/ping', method: 'GET' },
          status: 200,
          durationMs: 1,
          headers: request.headers,
          mechanism: 'auto.function.nextjs.with_tracking',
        })
      },
      everyN: 64,
      scale: 4,
      after: drainThreads,
    },
    // capture() owns the properties it is given: a fresh object each time, as recordRequest builds one.
    'capture(api_request)': queue
      ? { each: () => capture('r-1', { event: 'api_request', properties: { ...apiProps } }, { anonymous: true }), after: drainThreads }
      : null,
    // A few µs each: 20 × the iterations, so a repetition lasts as long as the others'.
    'scrubServerProperties(api_request)': { each: () => void scrubServerProperties(apiProps), scale: 20 },
    // The privacy policy, the id and the timestamp are applied as a batch is serialised: counted here.
    'event queue (push, then send)': queue
      ? {
          each: () => queue.push({ event: 'api_request', distinct_id: 'r-1', at: Date.now(), scrubbed: false, properties: { ...apiProps } }),
          // One send per 100 events (the queue's largest batch), each awaited: the same batches every repetition.
          everyN: 100,
          scale: 4,
          every: () => queue.flush(),
          after: drainThreads,
        }
      : null,
    'middleware, document request': { each: async () => void (await middleware(new NextRequest('http://127.0.0.1:3000/', { headers: docHeaders }), event)) },
    'middleware, API request': { each: async () => void (await middleware(new NextRequest(API_URL, { headers: apiHeaders }), event)) },
    'new NextRequest (subtracted)': { each: async () => void new NextRequest(API_URL, { headers: apiHeaders }) },
  }

  const active = Object.entries(components).filter(([, c]) => c)
  for (const [, c] of active) await measure(c, n * (c.scale ?? 1)) // warm-up
  const samples = Object.fromEntries(active.map(([name]) => [name, []]))
  for (let r = 0; r < reps; r++) for (const [name, c] of active) samples[name].push(await measure(c, n * (c.scale ?? 1)))
  const results = Object.fromEntries(active.map(([name]) => [name, { samples: samples[name] }]))
  if (queue) await queue.flush()
  if (Sentry) await Sentry.close(2_000)
  process.send({ config, results })
  process.exit(0)

  async function measure({ each, everyN = 0, every = drain, after = drain }, iterations) {
    if (global.gc) global.gc()
    const cpu0 = process.cpuUsage()
    const thread0 = threadCpuNs()
    for (let i = 0; i < iterations; i++) {
      const r = each()
      if (r) await r
      // Work deferred to after the response is drained now and then, as a server's idle moments do.
      if (everyN && i % everyN === everyN - 1) await every()
    }
    await after()
    const threadNs = threadCpuNs() - thread0
    const cpu = process.cpuUsage(cpu0)
    return { threadUs: threadNs / 1000 / iterations, allUs: (cpu.user + cpu.system) / iterations }
  }
}

/** The main thread's CPU time so far, in ns (its task id is the process id). */
function threadCpuNs() {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ', 1)[0])
}

// ---------------------------------------------------------------------------------------------
// Report.

/** Several whole runs side by side: each component's "on: thread µs" per run, and their spread. */
export function renderRepeatability(results) {
  // Both at the reference speed (what the targets judge) and raw.
  const perRun = results.map(budgetRows)
  const body = perRun[0].map(([name], i) => {
    const values = perRun.map((rows) => rows[i][1]?.threadUs)
    const raw = perRun.map((rows) => rows[i][1]?.rawThreadUs)
    return [name, ...values.map((v) => fmt(v, 1)), `±${fmt((spread(values) * 100) / 2, 1)}%`, `±${fmt((spread(raw) * 100) / 2, 1)}%`]
  })
  return [
    `Repeatability: "on: thread µs" (at the reference speed) of ${results.length} runs; ± is half the range over their median`,
    table(['component', ...results.map((_, i) => `run ${i + 1}`), 'spread', 'spread, raw µs'], body),
  ].join('\n')
}

/** The budget's rows: `[component, on figures, off figures]`, "kit per request" rows net of their baseline. */
function budgetRows({ configs }) {
  const at = (config) => {
    const k = config.speed ?? 1
    return Object.fromEntries(
      Object.entries(config.results).map(([name, r]) => [name, { ...r, rawThreadUs: r.threadUs, threadUs: r.threadUs * k, allUs: r.allUs * k }]),
    )
  }
  const on = at(configs.on)
  const off = at(configs.off)
  const kitRow = (label, r, base) => ({
    threadUs: r.threadUs - base.threadUs,
    rawThreadUs: r.rawThreadUs - base.rawThreadUs,
    allUs: r.allUs - base.allUs,
    threadSpread: r.threadSpread,
    allSpread: r.allSpread,
    label,
  })
  const rows = [
    [
      'withTracking, kit per request (total)',
      kitRow('', on['withTracking (handler + kit)'], on['bare handler (subtracted)']),
      kitRow('', off['withTracking (handler + kit)'], off['bare handler (subtracted)']),
    ],
    [
      'traceRequest (Sentry scope, traces at 0.1)',
      on['traceRequest (Sentry scope, traces at 0.1)'] && kitRow('', on['traceRequest (Sentry scope, traces at 0.1)'], on['bare handler (subtracted)']),
      null,
    ],
    [
      'recordRequest (after the response)',
      on['recordRequest (after the response)'] && kitRow('', on['recordRequest (after the response)'], on['new Request (subtracted)']),
      kitRow('', off['recordRequest (after the response)'], off['new Request (subtracted)']),
    ],
    ['capture(api_request)', on['capture(api_request)'], null],
    ['scrubServerProperties(api_request)', on['scrubServerProperties(api_request)'], off['scrubServerProperties(api_request)']],
    ['event queue (push, then send)', on['event queue (push, then send)'], null],
    [
      'middleware, document request',
      kitRow('', on['middleware, document request'], on['new NextRequest (subtracted)']),
      kitRow('', off['middleware, document request'], off['new NextRequest (subtracted)']),
    ],
    [
      'middleware, API request',
      kitRow('', on['middleware, API request'], on['new NextRequest (subtracted)']),
      kitRow('', off['middleware, API request'], off['new NextRequest (subtracted)']),
    ],
  ]
  return rows
}

/** The budget table: per component, µs now (on, off), the target, and each figure's spread. */
export function renderBudget(result) {
  const { reps, n, procs } = result
  const rows = budgetRows(result)
  const pct = (x) => (Number.isFinite(x) ? `±${fmt((x * 100) / 2, 1)}%` : '—')
  const body = rows.map(([name, r, o]) => {
    const target = TARGETS_US[name]
    const verdict = r && Number.isFinite(target) ? (r.threadUs <= target ? 'PASS' : 'FAIL') : ''
    return [
      name,
      r ? fmt(r.threadUs, 1) : '—',
      r ? fmt(r.rawThreadUs, 1) : '—',
      r ? pct(r.threadSpread) : '',
      r ? fmt(r.allUs, 1) : '—',
      o ? fmt(o.threadUs, 1) : '—',
      String(target ?? '—'),
      verdict,
    ]
  })
  const speed = (c) => fmt(result.configs[c].speed ?? NaN, 3)
  // Far from the reference the VM is not merely in another speed state (a neighbour's load slows
  // some code more than other code): the scaling no longer makes such a run comparable.
  const unusual = ['on', 'off'].some((c) => !(result.configs[c].speed > 0.8 && result.configs[c].speed < 1.25))
  return [
    `Budget: µs per request, in process (${procs} processes × ${reps} repetitions × ${n} iterations, lower quartiles; ± is half the range)`,
    `at the reference speed: raw µs × ${speed('on')} (on), × ${speed('off')} (off), from the baselines' ${SPEED_REFERENCE.us} µs (SPEED_REFERENCE)` +
      (unusual ? ' — the machine is far from its usual speed: compare these figures with care' : ''),
    table(['component', 'on: thread µs', 'raw', 'spread', 'on: all threads µs', 'off: thread µs', 'target µs', ''], body),
  ].join('\n')
}
