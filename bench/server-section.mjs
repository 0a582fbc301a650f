// Section "server": throughput, latency, CPU and memory of `next start` with the kit enabled
// (PostHog + Sentry pointed at the local sink) versus disabled (no keys), per route.
//
// Method, and why:
// - A fresh `next start` process per configuration per round, rounds alternating
//   enabled, disabled, enabled, disabled… (or ABBA with `--order abba`). On this machine two
//   identical servers differ by up to ~10%: part of that is per-process (JIT decisions, heap
//   layout, which core it lands on). Keeping one long-lived server per configuration would bake
//   that single process's luck into every round and the medians could not average it out;
//   a fresh process per round samples it, and the median over rounds absorbs it. Restarting also
//   keeps the rounds independent (no memory or queue carried over) and makes RSS comparable
//   (every sample is "after the same amount of load on a fresh server").
// - Never two servers under load at once: only one server exists at any time.
// - Each route gets a warm-up (JIT, caches, lazy imports, first flushes) before it is measured.
// - The verdict uses the median of per-round ratios (each ratio compares two runs adjacent in
//   time, so slow drifts of machine load cancel); the ratio of medians is printed beside it.
// - Server CPU time per request (from /proc, whole process tree) is reported too: it is far
//   less sensitive to a noisy neighbour than req/s and shows the kit's cost directly.

import autocannon from 'autocannon'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { startNext, stopGroup, treeSample, sleep, machineBusyMs, buildId } from './procs.mjs'
import { diffStats } from './sink.mjs'
import { median, fmt, fmtBytes, table } from './stats.mjs'
import { summariseDir, renderSummary, renderAreaDiff, renderFunctionDiff } from './profile-summary.mjs'

/** Document request headers as a browser sends them: the middleware's browser-config path runs. */
const DOCUMENT_HEADERS = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'sec-fetch-dest': 'document',
  'sec-fetch-mode': 'navigate',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) bench',
}

export const ROUTES = {
  '/api/ping': { bar: 0.8, headers: { accept: 'application/json' }, what: 'route handler wrapped with withTracking()' },
  '/': { bar: 0.95, headers: DOCUMENT_HEADERS, what: 'static prerendered page; middleware runs on it' },
}

/** Error + timeout + non-2xx share above which a measurement is broken, not just slow. */
const MAX_BAD_FRACTION = 0.01

function runCannon({ url, headers, connections, durationS, requests }) {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, headers, requests, connections, duration: durationS, timeout: 10 }, (err, res) => {
      clearTimeout(guard)
      err ? reject(err) : resolve(res)
    })
    // autocannon stops itself after `duration`; this only guards against it hanging.
    const guard = setTimeout(() => instance.stop(), (durationS + 30) * 1000)
  })
}

export function configEnv(config, sinkPort, extraEnabledEnv) {
  if (config === 'disabled') return {}
  const env = {
    POSTHOG_API_KEY: 'phc_benchkey1234567890',
    POSTHOG_HOST: `http://127.0.0.1:${sinkPort}`,
    SENTRY_DSN: `http://benchkey@127.0.0.1:${sinkPort}/42`,
    ...extraEnabledEnv,
  }
  // `--enabled-env KEY=` (empty) removes KEY: e.g. SENTRY_DSN= measures PostHog alone.
  for (const [k, v] of Object.entries(env)) if (v === '') delete env[k]
  return env
}

function schedule(rounds, order) {
  const out = []
  for (let r = 1; r <= rounds; r++) {
    const flip = order === 'abba' && r % 2 === 0
    out.push({ round: r, config: flip ? 'disabled' : 'enabled' }, { round: r, config: flip ? 'enabled' : 'disabled' })
  }
  return out
}

/** One request before any load: the route answers 200 and shows the kit's visible traces. */
async function probe(url, headers) {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000), redirect: 'manual' })
  const body = await res.text()
  return {
    status: res.status,
    bytes: body.length,
    requestIdHeader: res.headers.has('x-request-id'),
    setsCookie: (res.headers.getSetCookie?.() ?? []).length > 0,
  }
}

async function measureRoute({ server, route, opts, sink }) {
  const url = server.url + route
  const { headers } = ROUTES[route]
  const probed = await probe(url, headers)
  if (probed.status !== 200) throw Object.assign(new Error(`${route} answered ${probed.status} before the load`), { benchBroken: true })

  const warm = opts.warmup > 0 ? await runCannon({ url, headers, connections: opts.connections, durationS: opts.warmup }) : null
  await sleep(300)

  const pids = treeSample(server.pid).pids.map((p) => Number(p.split(':')[0]))
  let peakKb = 0
  const sampler = setInterval(() => {
    // Cheap peak sampling on the known pids; the full tree is re-read at the end.
    let kb = 0
    for (const pid of pids) kb += rssKbFast(pid)
    peakKb = Math.max(peakKb, kb)
  }, 500)
  const before = treeSample(server.pid)
  const sinkBefore = await sink.stats()
  const selfBefore = process.cpuUsage()
  const busyBefore = machineBusyMs()
  let res
  try {
    res = await runCannon({ url, headers, connections: opts.connections, durationS: opts.duration })
  } finally {
    clearInterval(sampler)
  }
  const busyAfter = machineBusyMs()
  const selfCpu = process.cpuUsage(selfBefore)
  const after = treeSample(server.pid)
  const sinkAfter = await sink.stats()
  const sinkDelta = diffStats(sinkAfter, sinkBefore)
  const serverCpuMs = after.cpuMs - before.cpuMs
  const benchCpuMs = (selfCpu.user + selfCpu.system) / 1000
  // CPU the rest of the machine used meanwhile (other engineers' tests, builds…): the noise.
  const otherCpuMs = busyAfter - busyBefore - serverCpuMs - benchCpuMs - (sinkDelta.cpuMs ?? 0)
  const completed = res.requests.total
  const bad = res.errors + res.timeouts + res.non2xx
  const sent = Math.max(res.requests.sent ?? 0, completed + res.errors + res.timeouts, 1)
  return {
    route,
    probe: probed,
    warmupRequests: warm?.requests.total ?? 0,
    rps: res.requests.average,
    rpsStddev: res.requests.stddev,
    requests: completed,
    latencyMs: { mean: res.latency.average, p50: res.latency.p50, p90: res.latency.p90, p99: res.latency.p99, max: res.latency.max },
    errors: res.errors,
    timeouts: res.timeouts,
    non2xx: res.non2xx,
    bad,
    badFraction: bad / sent,
    statusCodes: Object.fromEntries(Object.entries(res.statusCodeStats ?? {}).map(([k, v]) => [k, v.count])),
    rssEndMb: after.rssMb,
    rssPeakMb: Math.max(peakKb / 1024, after.rssMb),
    serverCpuMs,
    serverCpuCores: serverCpuMs / 1000 / opts.duration,
    cpuUsPerReq: completed ? (serverCpuMs * 1000) / completed : NaN,
    loadGeneratorCpuCores: benchCpuMs / 1000 / opts.duration,
    sinkCpuCores: (sinkDelta.cpuMs ?? 0) / 1000 / opts.duration,
    otherCpuCores: Math.max(0, otherCpuMs) / 1000 / opts.duration,
    sink: sinkDelta,
    processes: after.pids,
  }
}

function rssKbFast(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : 0
  } catch {
    return 0
  }
}

/** Other work on the machine (cores), measured over `ms` while none of our servers runs. */
async function otherLoad(ms) {
  const busy = machineBusyMs()
  const self = process.cpuUsage()
  await sleep(ms)
  const own = process.cpuUsage(self)
  return Math.max(0, machineBusyMs() - busy - (own.user + own.system) / 1000) / ms
}

/**
 * Before each server: wait (at most `maxS` seconds) until the rest of the machine uses less than
 * QUIET_CORES, so a neighbour's build or test burst is less likely to land in a measurement.
 * Measurements still record the noise they actually saw.
 */
const QUIET_CORES = 0.3
export async function waitForQuiet(maxS, log) {
  const deadline = Date.now() + maxS * 1000
  let load = await otherLoad(500)
  if (load < QUIET_CORES) return
  log(`    machine busy (${fmt(load, 2)} cores of other work); waiting up to ${maxS} s for it to calm down…`)
  while (Date.now() < deadline) {
    load = await otherLoad(1_000)
    if (load < QUIET_CORES) return
  }
  log(`    still busy (${fmt(load, 2)} cores); measuring anyway`)
}

/**
 * Runs the section. Returns `{ result, broken: string[], lines: string[], verdicts }`; never throws for a
 * slow kit, only for a benchmark that could not run.
 */
export async function runServerSection(ctx) {
  const { opts, outDir, log } = ctx
  const sink = await ctx.getSink()
  const routes = opts.routes
  const logDir = join(outDir, 'logs')
  mkdirSync(logDir, { recursive: true })
  const profileDir = (config) => join(outDir, 'profiles', config)
  if (opts.cpuProf) for (const c of ['enabled', 'disabled']) {
    rmSync(profileDir(c), { recursive: true, force: true })
    mkdirSync(profileDir(c), { recursive: true })
  }

  const runs = [] // one per server process
  const broken = []
  const plan = schedule(opts.rounds, opts.order)
  for (const [i, step] of plan.entries()) {
    const env = configEnv(step.config, sink.port, opts.enabledEnv)
    // Node flags on the command line (--cpu-prof is refused in NODE_OPTIONS); next start serves
    // from this very process (it renames itself next-server), so the profile covers the server.
    const nodeArgs = opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir(step.config)}`] : []
    if (opts.quietWait > 0) await waitForQuiet(opts.quietWait, log)
    log(`[${i + 1}/${plan.length}] round ${step.round} ${step.config}: starting next start…`)
    const sinkStart = await sink.stats()
    const server = await startNext({ env, logFile: join(logDir, `server-${step.config}-r${step.round}.log`), nodeArgs })
    const run = { round: step.round, config: step.config, buildId: buildId(), port: server.port, pid: server.pid, readyMs: server.readyMs, rssAfterStartMb: treeSample(server.pid).rssMb, measurements: [] }
    runs.push(run)
    try {
      if (opts.serverWarmup > 0 || opts.warmupRequests > 0) {
        // A fresh server is far from steady state: req/s climbs for ~10 s while V8 optimises
        // Next's request pipeline, and how far it gets depends on how many requests it has seen,
        // not on the clock. Warm every route, interleaved, for at least --server-warmup seconds
        // AND --warmup-requests requests (capped at +15 s), so a slower configuration is not
        // measured colder than a faster one.
        const started = Date.now()
        const capMs = (opts.serverWarmup + 15) * 1000
        const requests = routes.map((path) => ({ method: 'GET', path, headers: ROUTES[path].headers }))
        let served = 0
        while (Date.now() - started < capMs && (Date.now() - started < opts.serverWarmup * 1000 || served < opts.warmupRequests)) {
          const chunkS = Math.max(1, Math.min(2, opts.serverWarmup || 2))
          const w = await runCannon({ url: server.url, connections: opts.connections, durationS: chunkS, requests })
          served += w.requests.total
        }
        run.serverWarmupRequests = served
        run.serverWarmupS = (Date.now() - started) / 1000
        log(`    warm-up: ${served} requests in ${fmt(run.serverWarmupS, 1)} s`)
      }
      for (const route of routes) {
        const m = await measureRoute({ server, route, opts, sink })
        run.measurements.push(m)
        log(
          `    ${route.padEnd(10)} ${fmt(m.rps, 0).padStart(6)} req/s  p50 ${fmt(m.latencyMs.p50, 0)} ms  p99 ${fmt(m.latencyMs.p99, 0)} ms  ` +
            `cpu ${fmt(m.cpuUsPerReq, 0)} µs/req (${fmt(m.serverCpuCores, 2)} cores; others ${fmt(m.otherCpuCores, 2)})  rss ${fmt(m.rssEndMb, 0)} MB  bad ${m.bad}  sink +${m.sink.requests} req`,
        )
        if (m.badFraction > MAX_BAD_FRACTION) {
          broken.push(`${step.config} round ${step.round} ${route}: ${m.bad} errors/timeouts/non-2xx of ${m.requests + m.errors + m.timeouts} requests (${fmt(100 * m.badFraction, 2)}% > 1%), status codes ${JSON.stringify(m.statusCodes)}`)
        }
      }
      // Let the last interval flush (posthog-node flushInterval 2 s) land before shutdown.
      if (step.config === 'enabled') await sleep(2_500)
    } catch (err) {
      if (err.benchBroken) broken.push(`${step.config} round ${step.round}: ${err.message}`)
      else throw Object.assign(err, { serverOutput: server.output() })
    } finally {
      const t = Date.now()
      await stopGroup(server.child)
      run.stopMs = Date.now() - t
    }
    // Includes what the SIGTERM shutdown flush sent.
    run.sinkLifetime = diffStats(await sink.stats(), sinkStart)
    run.exit = server.child.exitCode ?? server.child.signalCode
    if (broken.length) break
  }

  const result = { method: methodDescription(opts), routes: {}, runs, sink: sinkTotals(runs) }
  const verdicts = []
  for (const route of routes) {
    const r = summariseRoute(route, runs)
    result.routes[route] = r
    verdicts.push(r.verdict)
  }
  if (opts.cpuProf) result.profiles = profileSection(runs, profileDir)

  const lines = renderServer(result, opts)
  const builds = [...new Set(runs.map((r) => r.buildId))]
  if (builds.length > 1) {
    lines.push(`  WARNING: .next/BUILD_ID changed during the run (${builds.join(' → ')}): someone rebuilt the app meanwhile; the servers did not all run the same build.`)
  }
  for (const v of verdicts) v.noisy = result.medianNoiseCores > 0.5
  const totals = result.sink.enabled
  if (!broken.length && runs.some((r) => r.config === 'enabled') && totals.requests === 0) {
    broken.push('TELEMETRY WAS NOT SENT: the enabled servers made zero requests to the ingestion sink. The "enabled" numbers measure nothing; refusing to report them as a pass.')
  }
  if (runs.some((r) => r.config === 'disabled') && result.sink.disabled.requests > 0) {
    lines.push(`  WARNING: the disabled servers sent ${result.sink.disabled.requests} request(s) to the sink; they should send none.`)
  }
  return { result, broken, lines, verdicts }
}

function methodDescription(opts) {
  return {
    process: 'fresh next start per configuration per round; one server at a time',
    order: opts.order === 'abba' ? 'ABBA (enabled,disabled / disabled,enabled …)' : 'alternating (enabled, disabled, enabled, disabled …)',
    rounds: opts.rounds,
    serverWarmupS: opts.serverWarmup,
    warmupRequests: opts.warmupRequests,
    warmupS: opts.warmup,
    durationS: opts.duration,
    connections: opts.connections,
    verdictRatio: 'median of per-round ratios enabled/disabled (req/s)',
    enabledEnv: { POSTHOG_API_KEY: 'phc_benchkey1234567890', POSTHOG_HOST: 'http://127.0.0.1:<sink>', SENTRY_DSN: 'http://benchkey@127.0.0.1:<sink>/42', ...opts.enabledEnv },
    cpuProf: opts.cpuProf,
  }
}

function summariseRoute(route, runs) {
  const per = (config) => runs.filter((r) => r.config === config).map((r) => ({ round: r.round, m: r.measurements.find((x) => x.route === route) })).filter((x) => x.m)
  const agg = (config) => {
    const list = per(config)
    const pick = (f) => median(list.map((x) => f(x.m)))
    return {
      rounds: list.map((x) => x.round),
      rps: list.map((x) => x.m.rps),
      rpsMedian: pick((m) => m.rps),
      p50Median: pick((m) => m.latencyMs.p50),
      p99Median: pick((m) => m.latencyMs.p99),
      rssEndMedianMb: pick((m) => m.rssEndMb),
      rssPeakMedianMb: pick((m) => m.rssPeakMb),
      cpuUsPerReqMedian: pick((m) => m.cpuUsPerReq),
      otherCpuCoresMedian: pick((m) => m.otherCpuCores),
      requests: list.reduce((s, x) => s + x.m.requests, 0),
      bad: list.reduce((s, x) => s + x.m.bad, 0),
      sinkRequests: list.reduce((s, x) => s + x.m.sink.requests, 0),
      sinkBytes: list.reduce((s, x) => s + x.m.sink.bytes, 0),
    }
  }
  const enabled = agg('enabled')
  const disabled = agg('disabled')
  const e = per('enabled')
  const d = per('disabled')
  const perRound = e
    .map((x) => ({ round: x.round, d: d.find((y) => y.round === x.round) }))
    .filter((x) => x.d)
    .map((x) => ({ round: x.round, ratio: e.find((y) => y.round === x.round).m.rps / x.d.m.rps }))
  const medianOfRatios = median(perRound.map((x) => x.ratio))
  const ratioOfMedians = enabled.rpsMedian / disabled.rpsMedian
  const bar = ROUTES[route].bar
  const pass = Number.isFinite(medianOfRatios) && medianOfRatios >= bar
  const agree = Number.isFinite(ratioOfMedians) && ratioOfMedians >= bar === pass
  const measurements = ['enabled', 'disabled'].flatMap((config) =>
    per(config).map((x) => ({ config, round: x.round, rps: x.m.rps, cpuUsPerReq: x.m.cpuUsPerReq, otherCpuCores: x.m.otherCpuCores })),
  )
  return {
    route,
    what: ROUTES[route].what,
    measurements,
    bar,
    enabled,
    disabled,
    ratios: { perRound, medianOfRatios, ratioOfMedians },
    cpuPerReqRatio: enabled.cpuUsPerReqMedian / disabled.cpuUsPerReqMedian,
    verdict: { route, bar, ratio: medianOfRatios, result: Number.isFinite(medianOfRatios) ? (pass ? 'PASS' : 'FAIL') : 'N/A', ratioOfMediansAgrees: agree },
  }
}

function sinkTotals(runs) {
  const sum = (config) => {
    const t = { servers: 0, requests: 0, bytes: 0, posthog: { requests: 0, bytes: 0 }, sentry: { requests: 0, bytes: 0 }, other: { requests: 0, bytes: 0 }, otherPaths: {}, serversWithZero: 0 }
    for (const r of runs.filter((x) => x.config === config && x.sinkLifetime)) {
      t.servers++
      t.requests += r.sinkLifetime.requests
      t.bytes += r.sinkLifetime.bytes
      if (r.sinkLifetime.requests === 0) t.serversWithZero++
      for (const k of ['posthog', 'sentry', 'other']) {
        t[k].requests += r.sinkLifetime.byKind[k].requests
        t[k].bytes += r.sinkLifetime.byKind[k].bytes
      }
      for (const [p, n] of Object.entries(r.sinkLifetime.otherPaths)) t.otherPaths[p] = (t.otherPaths[p] ?? 0) + n
    }
    return t
  }
  return { enabled: sum('enabled'), disabled: sum('disabled') }
}

function profileSection(runs, profileDir) {
  const served = (config) =>
    runs.filter((r) => r.config === config).reduce((s, r) => s + (r.serverWarmupRequests ?? 0) + r.measurements.reduce((a, m) => a + m.requests + m.warmupRequests, 0), 0)
  const enabled = summariseDir(profileDir('enabled'))
  const disabled = summariseDir(profileDir('disabled'))
  const toObj = (s) => ({
    files: s.files,
    totalMs: s.totalMs,
    byArea: Object.fromEntries([...s.byArea].sort((a, b) => b[1] - a[1])),
    topFunctions: [...s.byFn].sort((a, b) => b[1].ms - a[1].ms).slice(0, 40).map(([fn, v]) => ({ fn, area: v.area, ms: v.ms })),
  })
  return {
    dirs: { enabled: profileDir('enabled'), disabled: profileDir('disabled') },
    requestsServed: { enabled: served('enabled'), disabled: served('disabled') },
    enabled: toObj(enabled),
    disabled: toObj(disabled),
    _raw: { enabled, disabled },
  }
}

function renderServer(result, opts) {
  const out = []
  const m = result.method
  out.push(`Server: ${m.process}; order ${m.order}; ${m.rounds} round(s); per server a mixed warm-up (≥ ${m.serverWarmupS} s and ≥ ${m.warmupRequests} requests), then per route ${m.warmupS} s warm-up + ${m.durationS} s measured; ${m.connections} connections`)
  if (opts.cpuProf) out.push('  NOTE: --cpu-prof is on; the profiler itself costs throughput, so read the ratios below with that in mind.')
  if (Object.keys(opts.enabledEnv).length) out.push(`  enabled config extra env: ${JSON.stringify(opts.enabledEnv)}`)
  for (const r of Object.values(result.routes)) {
    out.push('')
    out.push(`Route ${r.route}  (${r.what})`)
    const row = (name, a) => [
      name,
      fmt(a.rpsMedian, 0),
      fmt(a.p50Median, 1),
      fmt(a.p99Median, 1),
      fmt(a.cpuUsPerReqMedian, 0),
      fmt(a.rssEndMedianMb, 0),
      fmt(a.rssPeakMedianMb, 0),
      fmt(a.otherCpuCoresMedian, 2),
      `${a.bad}/${a.requests}`,
      a.sinkRequests ? `${a.sinkRequests} (${fmtBytes(a.sinkBytes)})` : '0',
    ]
    out.push(
      table(
        ['config (median of rounds)', 'req/s', 'p50 ms', 'p99 ms', 'cpu µs/req', 'RSS end MB', 'RSS peak MB', 'noise cores', 'bad/total', 'sink req (measured windows)'],
        [row('enabled', r.enabled), row('disabled', r.disabled)],
      ),
    )
    const list = (xs) => xs.map((x) => fmt(x, 0)).join(', ')
    out.push(`  req/s per round      enabled [${list(r.enabled.rps)}]   disabled [${list(r.disabled.rps)}]`)
    out.push(`  ratio per round      [${r.ratios.perRound.map((x) => fmt(x.ratio, 3)).join(', ')}]`)
    out.push(
      `  enabled/disabled req/s: median of per-round ratios ${fmt(r.ratios.medianOfRatios, 3)}, ratio of medians ${fmt(r.ratios.ratioOfMedians, 3)}; ` +
        `server CPU per request ×${fmt(r.cpuPerReqRatio, 2)}`,
    )
    const noisy = r.measurements.filter((x) => x.otherCpuCores > 0.3)
    if (noisy.length) out.push(`  noise: ${noisy.length} measurement(s) shared the machine with > 0.3 cores of other work (${noisy.map((x) => `${x.config} r${x.round} ${fmt(x.otherCpuCores, 2)}`).join(', ')}); req/s there is less trustworthy, cpu µs/req less affected`)
    const v = r.verdict
    out.push(`  bar: enabled ≥ ${v.bar.toFixed(2)} × disabled → ${v.result}${v.ratioOfMediansAgrees ? '' : '  (borderline: the ratio of medians gives the other answer)'}`)
  }
  const allNoise = Object.values(result.routes).flatMap((r) => r.measurements.map((x) => x.otherCpuCores))
  result.medianNoiseCores = median(allNoise)
  if (result.medianNoiseCores > 0.5) {
    out.push('')
    out.push(`  WARNING: NOISY MACHINE — other processes used a median ${fmt(result.medianNoiseCores, 2)} cores (of 2) during the measurements.`)
    out.push('  req/s ratios (and to a lesser degree cpu µs/req) are unreliable; rerun when the machine is quiet.')
  }
  const s = result.sink
  out.push('')
  out.push('Ingestion sink (whole server lifetimes, incl. warm-up and shutdown flush):')
  out.push(
    table(
      ['config', 'servers', 'requests', 'bytes', 'posthog req', 'posthog bytes', 'sentry req', 'sentry bytes', 'other req'],
      ['enabled', 'disabled'].map((c) => [c, s[c].servers, s[c].requests, fmtBytes(s[c].bytes), s[c].posthog.requests, fmtBytes(s[c].posthog.bytes), s[c].sentry.requests, fmtBytes(s[c].sentry.bytes), s[c].other.requests]),
    ),
  )
  if (Object.keys(s.enabled.otherPaths).length) out.push(`  other paths: ${JSON.stringify(s.enabled.otherPaths)}`)
  if (s.enabled.serversWithZero) out.push(`  WARNING: ${s.enabled.serversWithZero} enabled server(s) sent nothing to the sink.`)
  if (result.profiles) {
    const p = result.profiles
    out.push('')
    out.push(renderSummary('enabled', p._raw.enabled))
    out.push('')
    out.push(renderSummary('disabled', p._raw.disabled))
    out.push('')
    out.push(`Self time per request served (incl. warm-up; ${p.requestsServed.enabled} enabled / ${p.requestsServed.disabled} disabled requests; startup included):`)
    const norm = { labelA: 'enabled', labelB: 'disabled', requestsA: p.requestsServed.enabled, requestsB: p.requestsServed.disabled }
    out.push(renderAreaDiff(p._raw.enabled, p._raw.disabled, norm))
    out.push('')
    out.push(renderFunctionDiff(p._raw.enabled, p._raw.disabled, { ...norm, top: 25 }))
    out.push('  (bundled frames are resolved through .next source maps: the package is reliable, file:line is approximate in minified chunks;')
    out.push('   "[edge sandbox]" = code running in the Edge-runtime vm that executes middleware.ts inside next-server)')
    delete p._raw
  }
  return out
}

