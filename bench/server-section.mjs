// Section "server": throughput, latency, CPU and memory of `next start` with the kit enabled
// (PostHog + Sentry pointed at the local sink) versus disabled (no keys), per route.
//
// Method, and why:
// - Per round --servers (default 2) fresh enabled and as many fresh disabled `next start` (same
//   `.next` build), all up at once, started in turns. Each gets the mixed warm-up (every route,
//   whatever --routes measures; ≥ --server-warmup s and ≥ --warmup-requests requests, in turns of ≤
//   2 s across the servers so that none sits idle long enough for V8 to shrink its heap), then per
//   route a --warmup s warm-up, then the configurations are measured in short alternating slices
//   (--slice s, default 2; E,D,D,E,E,D… with the default `--order abba`, E,D,E,D… with `--order
//   alternate`; the first configuration flips on even rounds) until each has --duration seconds
//   (default 8 → 4 slices each); a configuration's j-th slice runs on its server j mod --servers.
//   Only one server is under load at any moment; an idle `next start` uses no CPU, so the others do
//   not disturb it.
// - Why interleave: this VM has stretches of tens of seconds where everything runs ~2× slower
//   (host-level, nothing on the machine shows it). Measuring one configuration for ~20 s and then
//   the other (the previous method: one server at a time, a fresh one per configuration per round)
//   let such a stretch land on one side only: single rounds gave ratios from 0.35 to 1.33 on an
//   idle machine. With 2 s slices a slow stretch covers both configurations alike (an A/A run,
//   every key removed from "enabled", gave per-round ratios 0.94–1.07).
// - Why several servers per configuration: a fresh process keeps its own speed for its whole
//   life, and two identical ones differ by up to ~10 % (up to ~35 % when one lands in the slow
//   state, docs/benchmarks.md), more than the 5 % the `/` bar allows. With one process per side
//   a round compares two such draws; with two per side, each side's figure is the mean of two,
//   and the median over rounds absorbs the rest.
// - Per configuration per route per round: req/s = requests completed in its slices / the slices'
//   measured time (autocannon's own elapsed time per slice; it checks its stop timer once a second,
//   so slices are whole seconds); latency percentiles from the slices' autocannon histograms
//   merged (autocannon.aggregateResult), not a median of per-slice percentiles.
// - Between slices the bench waits (at most SETTLE_MAX_MS) until every server and the sink have
//   gone quiet, so the work a slice leaves behind (in-flight requests, the kit's deferred sends)
//   is not done while the other configuration is measured. Each slice's CPU window runs from its
//   start to the end of that wait.
// - CPU per request: /proc/<pid>/stat deltas of the measured configuration's process trees (its
//   idle servers included: work they still do is its cost) over its slices' windows. The other
//   configuration's (idle) servers' CPU in the same windows is recorded separately; it is part of
//   the noise column (it should be ~0: if the enabled servers still work while a disabled one is
//   measured, that would flatter the kit, and it shows there).
// - The verdict uses the median of per-round ratios (each round compares two configurations
//   measured within the same seconds); the ratio of medians and the spread of the per-slice-pair
//   ratios (k-th enabled slice over k-th disabled slice) are printed beside it.
// - Sink requests are attributed to the enabled configuration's slices only (the disabled server
//   has no address to send to); whatever the enabled server still sent during a disabled slice is
//   reported on its own line.

import autocannon from 'autocannon'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { startNext, stopGroup, treeSample, sleep, machineBusyMs, buildId } from './procs.mjs'
import { diffStats } from './sink.mjs'
import { cpuPlan, pinTree } from './pin.mjs'
import { median, medianCI, fmt, fmtBytes, table } from './stats.mjs'
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

/**
 * Every server's warm-up mixes all the routes above, whichever ones `--routes` measures: an app
 * serves its API routes beside its pages, so an enabled server measured on `/` alone has still
 * started its SDKs' per-process parts (the posthog-node worker, Sentry's client) and sent
 * telemetry, which the sink check needs to see.
 */
export const WARMUP_REQUESTS = Object.entries(ROUTES).map(([path, { headers }]) => ({ method: 'GET', path, headers }))

/** Error + timeout + non-2xx share above which a measurement is broken, not just slow. */
const MAX_BAD_FRACTION = 0.01

/** Between slices: wait until every server and the sink use < SETTLE_CORES for one window. */
const SETTLE_CORES = 0.1
const SETTLE_WINDOW_MS = 150
export const SETTLE_MAX_MS = 2_000

const CONFIGS = ['enabled', 'disabled']
const other = (config) => (config === 'enabled' ? 'disabled' : 'enabled')

/**
 * One autocannon run, for `durationS` seconds or `amount` requests. With `raw` the result keeps
 * its encoded histograms (skipAggregateResult) so several slices can be merged with
 * `mergeSlices()` afterwards.
 */
export function runCannon({ url, headers, connections, durationS, amount, requests, raw = false, timeoutS = 10, guardS }) {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, headers, requests, connections, ...(amount ? { amount } : { duration: durationS }), timeout: timeoutS, skipAggregateResult: raw }, (err, res) => {
      clearTimeout(guard)
      err ? reject(err) : resolve(res)
    })
    // autocannon stops itself after `duration` or `amount` requests; this only guards against it hanging.
    const guard = setTimeout(() => instance.stop(), (guardS ?? (amount ? amount / 100 : durationS) + 30) * 1000)
  })
}

/**
 * Warms a fresh server with at least `count` requests (`requests`: autocannon's request list, e.g.
 * every route mixed), in batches of `batch`; returns how many it served.
 */
export async function warmByRequests({ url, requests, count, batch = 1000, ...cannon }) {
  let served = 0
  while (served < count) served += (await runCannon({ url, requests, amount: batch, ...cannon })).requests.total
  return served
}

/** Merges raw slice results (histograms included) into one autocannon result. */
function mergeSlices(raws, url, connections) {
  // aggregateResult adds status counts into the first result's objects: hand it copies.
  return autocannon.aggregateResult(raws.map((r) => ({ ...r, statusCodeStats: structuredClone(r.statusCodeStats) })), { url, connections })
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

/**
 * The slices of one route in one round: `{ config, durationS }[]`, each configuration getting
 * `durationS` seconds in whole-second slices of at most `sliceS`. abba: E,D,D,E,E,D…;
 * alternate: E,D,E,D…; `first` is the configuration that opens the sequence.
 */
export function sliceSequence({ durationS, sliceS, order, first }) {
  const lengths = []
  for (let left = Math.ceil(durationS); left > 0; left -= sliceS) lengths.push(Math.min(sliceS, left))
  const out = []
  for (const [k, len] of lengths.entries()) {
    const flip = order === 'abba' && k % 2 === 1
    const a = flip ? other(first) : first
    out.push({ config: a, durationS: len, pair: k }, { config: other(a), durationS: len, pair: k })
  }
  return out
}

/** One request before any load: the route answers 200 and shows the kit's visible traces. */
async function probe(url, headers) {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000), redirect: 'manual' })
  const body = await res.text()
  const cookies = res.headers.getSetCookie?.() ?? []
  return {
    status: res.status,
    bytes: body.length,
    requestIdHeader: res.headers.has('x-request-id'),
    setsCookie: cookies.length > 0,
    // Where the middleware put the browser config: Server-Timing (HTTPS and loopback hosts, as
    // here) or the cookie fallback (plain HTTP to other hosts); docs/decisions/011.
    browserConfig: /(^|,\s*)ox;desc=/.test(res.headers.get('server-timing') ?? '') ? 'server-timing' : cookies.some((c) => c.startsWith('__ox=')) ? 'cookie' : 'none',
  }
}

/** CPU time (ms, user+system) of known pids only: cheap enough to poll while settling. */
function pidsCpuMs(pids) {
  let ticks = 0
  for (const pid of pids) {
    try {
      const s = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ')
      ticks += Number(f[11]) + Number(f[12])
    } catch {}
  }
  return ticks * 10 // CLK_TCK is 100 on Linux; only compared against a threshold here
}

/**
 * Waits until `pids` (every server's tree and the sink) use less than SETTLE_CORES over one
 * SETTLE_WINDOW_MS window, at most SETTLE_MAX_MS. Returns the milliseconds waited.
 */
async function settle(pids) {
  const started = Date.now()
  let cpu = pidsCpuMs(pids)
  while (Date.now() - started < SETTLE_MAX_MS) {
    const t = Date.now()
    await sleep(SETTLE_WINDOW_MS)
    const now = pidsCpuMs(pids)
    const cores = (now - cpu) / Math.max(1, Date.now() - t)
    cpu = now
    if (cores < SETTLE_CORES) break
  }
  return Date.now() - started
}

const pidsOf = (server) => treeSample(server.pid).pids.map((p) => Number(p.split(':')[0]))

/** CPU and RSS of several servers' process trees, summed. */
function treesOf(list) {
  const out = { cpuMs: 0, rssMb: 0, pids: [] }
  for (const server of list) {
    const t = treeSample(server.pid)
    out.cpuMs += t.cpuMs
    out.rssMb += t.rssMb
    out.pids.push(...t.pids)
  }
  return out
}

/** Every counter a slice window needs, read at one instant. */
async function snapshot(servers, sink) {
  return {
    at: Date.now(),
    tree: { enabled: treesOf(servers.enabled), disabled: treesOf(servers.disabled) },
    sink: await sink.stats(),
    self: process.cpuUsage(),
    busyMs: machineBusyMs(),
  }
}

/**
 * Measures one route on every server of a round: probe, per-route warm-up, then the alternating
 * slices. Returns `{ enabled: measurement, disabled: measurement, pairs, settleMs }`.
 */
async function measureRouteInterleaved({ servers, route, opts, sink, first }) {
  const { headers } = ROUTES[route]
  const order = [first, other(first)]
  const k = servers.enabled.length
  const probes = {}
  const warmups = { enabled: 0, disabled: 0 }
  for (let i = 0; i < k; i++) for (const config of order) {
    const p = await probe(servers[config][i].url + route, headers)
    if (p.status !== 200) throw Object.assign(new Error(`${route} answered ${p.status} on ${config} server ${i + 1} before the load`), { benchBroken: true })
    probes[config] ??= p
  }
  for (let i = 0; i < k; i++) for (const config of order) {
    const w = opts.warmup > 0 ? await runCannon({ url: servers[config][i].url + route, headers, connections: opts.connections, durationS: opts.warmup }) : null
    warmups[config] += w?.requests.total ?? 0
  }

  const pids = { enabled: servers.enabled.flatMap(pidsOf), disabled: servers.disabled.flatMap(pidsOf) }
  const settlePids = [...pids.enabled, ...pids.disabled, sink.pid]
  const slices = []
  const settleMs = [await settle(settlePids)]
  let before = await snapshot(servers, sink)
  // The j-th slice of a configuration goes to its server j mod k, so each server of a round gets
  // the same share, and slice pair j compares the j-th enabled and disabled servers.
  const taken = { enabled: 0, disabled: 0 }
  for (const step of sliceSequence({ durationS: opts.duration, sliceS: opts.slice, order: opts.order ?? 'abba', first })) {
    const { config } = step
    const server = servers[config][taken[config]++ % k]
    const serverPids = pidsOf(server)
    let peakKb = 0
    const sampler = setInterval(() => {
      let kb = 0
      for (const pid of serverPids) kb += rssKbFast(pid)
      peakKb = Math.max(peakKb, kb)
    }, 500)
    let raw
    try {
      raw = await runCannon({ url: server.url + route, headers, connections: opts.connections, durationS: step.durationS, raw: true })
    } finally {
      clearInterval(sampler)
    }
    const cpuAtEnd = treesOf(servers[config]).cpuMs
    // The window closes once every server and the sink are quiet again: what this slice left
    // behind (in-flight requests, deferred sends, GC) is charged to it, not to the next slice.
    settleMs.push(await settle(settlePids))
    const after = await snapshot(servers, sink)
    const own = treeSample(server.pid)
    const windowMs = Math.max(1, after.at - before.at)
    // The configuration's CPU, its idle servers' included: work they still do is its cost.
    const ownCpuMs = after.tree[config].cpuMs - before.tree[config].cpuMs
    const idleCpuMs = after.tree[other(config)].cpuMs - before.tree[other(config)].cpuMs
    const sinkDelta = diffStats(after.sink, before.sink)
    const benchCpuMs = (after.self.user + after.self.system - before.self.user - before.self.system) / 1000
    // CPU the rest of the machine used meanwhile (other engineers' tests, builds…): the noise.
    const otherCpuMs = after.busyMs - before.busyMs - ownCpuMs - idleCpuMs - benchCpuMs - (sinkDelta.cpuMs ?? 0)
    const one = mergeSlices([raw], server.url + route, opts.connections)
    slices.push({
      ...step,
      server: servers[config].indexOf(server) + 1,
      raw,
      measuredS: raw.duration,
      windowS: windowMs / 1000,
      requests: raw.totalCompletedRequests,
      rps: raw.totalCompletedRequests / raw.duration,
      p50: one.latency.p50,
      p99: one.latency.p99,
      ownCpuMs,
      // Of ownCpuMs, what the configuration used after autocannon stopped (during the settle).
      tailCpuMs: after.tree[config].cpuMs - cpuAtEnd,
      idleCpuMs,
      benchCpuMs,
      sinkCpuMs: sinkDelta.cpuMs ?? 0,
      otherCpuMs: Math.max(0, otherCpuMs),
      sink: sinkDelta,
      rssEndMb: own.rssMb,
      rssPeakMb: Math.max(peakKb / 1024, own.rssMb),
      processes: own.pids,
    })
    before = after
  }

  const out = {}
  for (const config of CONFIGS) {
    const list = slices.filter((s) => s.config === config)
    const merged = mergeSlices(list.map((s) => s.raw), servers[config][0].url + route, opts.connections)
    const sum = (f) => list.reduce((a, s) => a + f(s), 0)
    const measuredS = sum((s) => s.measuredS)
    const windowS = sum((s) => s.windowS)
    const requests = sum((s) => s.requests)
    const serverCpuMs = sum((s) => s.ownCpuMs)
    const sinkDelta = list.map((s) => s.sink).reduce((a, d) => addStats(a, d))
    const bad = merged.errors + merged.timeouts + merged.non2xx
    const sent = Math.max(merged.requests.sent ?? 0, requests + merged.errors + merged.timeouts, 1)
    const sliceRps = list.map((s) => s.rps)
    const meanRps = sliceRps.reduce((a, x) => a + x, 0) / sliceRps.length
    const last = list.at(-1)
    out[config] = {
      route,
      probe: probes[config],
      warmupRequests: warmups[config],
      slices: list.map(({ raw, sink, processes, ...s }) => ({ ...s, sinkRequests: sink.requests })),
      measuredS,
      rps: requests / measuredS,
      rpsStddev: Math.sqrt(sliceRps.reduce((a, x) => a + (x - meanRps) ** 2, 0) / Math.max(1, sliceRps.length - 1)),
      requests,
      latencyMs: { mean: merged.latency.average, p50: merged.latency.p50, p90: merged.latency.p90, p99: merged.latency.p99, max: merged.latency.max, from: 'merged histograms of the slices' },
      errors: merged.errors,
      timeouts: merged.timeouts,
      non2xx: merged.non2xx,
      bad,
      badFraction: bad / sent,
      statusCodes: Object.fromEntries(Object.entries(merged.statusCodeStats ?? {}).map(([k, v]) => [k, v.count])),
      rssEndMb: last.rssEndMb,
      rssPeakMb: Math.max(...list.map((s) => s.rssPeakMb)),
      serverCpuMs,
      serverCpuCores: serverCpuMs / 1000 / windowS,
      serverTailCpuMs: sum((s) => s.tailCpuMs),
      cpuUsPerReq: requests ? (serverCpuMs * 1000) / requests : NaN,
      loadGeneratorCpuCores: sum((s) => s.benchCpuMs) / 1000 / windowS,
      sinkCpuCores: sum((s) => s.sinkCpuMs) / 1000 / windowS,
      otherCpuCores: sum((s) => s.otherCpuMs) / 1000 / windowS,
      // The other server, idle, during this configuration's slices.
      idleServerCores: sum((s) => s.idleCpuMs) / 1000 / windowS,
      idleServerCpuMs: sum((s) => s.idleCpuMs),
      noiseCores: (sum((s) => s.otherCpuMs) + sum((s) => s.idleCpuMs)) / 1000 / windowS,
      // Only the enabled server knows the sink: in the disabled slices this is what the enabled
      // server still sent while the disabled one was measured.
      sink: config === 'enabled' ? sinkDelta : diffStats(sinkDelta, sinkDelta),
      sinkDuringSlices: sinkDelta,
      processes: last.processes,
    }
  }
  const e = slices.filter((s) => s.config === 'enabled')
  const d = slices.filter((s) => s.config === 'disabled')
  const pairs = e.map((s, k) => ({ pair: k, ratio: s.rps / d[k]?.rps })).filter((p) => Number.isFinite(p.ratio))
  return { ...out, pairs, settleMs: median(settleMs) }
}

function addStats(a, b) {
  const out = structuredClone(a)
  out.requests += b.requests
  out.bytes += b.bytes
  for (const k of Object.keys(out.byKind)) {
    out.byKind[k].requests += b.byKind[k].requests
    out.byKind[k].bytes += b.byKind[k].bytes
  }
  for (const [p, n] of Object.entries(b.otherPaths)) out.otherPaths[p] = (out.otherPaths[p] ?? 0) + n
  if (out.cpuMs !== undefined || b.cpuMs !== undefined) out.cpuMs = (out.cpuMs ?? 0) + (b.cpuMs ?? 0)
  return out
}

function rssKbFast(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : 0
  } catch {
    return 0
  }
}

/** Other work on the machine (cores), measured over `ms` while none of our servers is under load. */
async function otherLoad(ms) {
  const busy = machineBusyMs()
  const self = process.cpuUsage()
  await sleep(ms)
  const own = process.cpuUsage(self)
  return Math.max(0, machineBusyMs() - busy - (own.user + own.system) / 1000) / ms
}

/**
 * Before each round: wait (at most `maxS` seconds) until the rest of the machine uses less than
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
  // --pin: the load generator and the sink on one core, the servers on the others (pin.mjs).
  const pin = opts.pin ? cpuPlan() : { reason: 'default; --pin to pin' }
  if (pin.load) pinTree(process.pid, pin.load)
  log(pin.load ? `    CPUs: load generator and sink on ${pin.load}, servers on ${pin.servers}` : `    CPUs: not pinned (${pin.reason})`)
  try {
    return await measureRounds(ctx, sink, pin)
  } finally {
    if (pin.load) pinTree(process.pid, pin.all)
  }
}

async function measureRounds(ctx, sink, pin) {
  const { opts, outDir, log } = ctx
  const routes = opts.routes
  const order = opts.order ?? 'abba'
  const logDir = join(outDir, 'logs')
  mkdirSync(logDir, { recursive: true })
  const profileDir = (config) => join(outDir, 'profiles', config)
  if (opts.cpuProf) for (const c of CONFIGS) {
    rmSync(profileDir(c), { recursive: true, force: true })
    mkdirSync(profileDir(c), { recursive: true })
  }

  const runs = [] // one per configuration per round (its --servers processes)
  const rounds = [] // per round and route: the slice-pair ratios
  const broken = []
  for (let round = 1; round <= opts.rounds && !broken.length; round++) {
    // Which configuration opens every sequence (servers' warm-up, per-route warm-ups, slices).
    const first = round % 2 === 1 ? 'enabled' : 'disabled'
    const sequence = [first, other(first)]
    if (opts.quietWait > 0) await waitForQuiet(opts.quietWait, log)
    const k = opts.servers
    log(`[round ${round}/${opts.rounds}] starting ${k === 1 ? 'an enabled and a disabled next start' : `${k} enabled and ${k} disabled next start processes`}…`)
    const sinkStart = await sink.stats()
    const servers = { enabled: [], disabled: [] }
    const byConfig = {}
    const roundInfo = { round, first, routes: {} }
    rounds.push(roundInfo)
    try {
      for (const config of CONFIGS) {
        byConfig[config] = { round, config, buildId: buildId(), processes: [], measurements: [], serverWarmupRequests: 0, serverWarmupS: 0 }
        runs.push(byConfig[config])
      }
      // Started in turns, the first configuration first: neither is always the one that starts
      // on a machine the previous round's servers have just left.
      for (let i = 0; i < k; i++) for (const config of sequence) {
        const env = configEnv(config, sink.port, opts.enabledEnv)
        // Node flags on the command line (--cpu-prof is refused in NODE_OPTIONS); next start serves
        // from this very process (it renames itself next-server), so the profile covers the server.
        const nodeArgs = opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir(config)}`] : []
        const server = await startNext({ env, logFile: join(logDir, `server-${config}-r${round}${k > 1 ? `-${i + 1}` : ''}.log`), nodeArgs })
        if (pin.servers) pinTree(server.pid, pin.servers)
        servers[config].push(server)
        byConfig[config].processes.push({ port: server.port, pid: server.pid, readyMs: server.readyMs, rssAfterStartMb: treeSample(server.pid).rssMb })
      }
      if (opts.serverWarmup > 0 || opts.warmupRequests > 0) {
        // A fresh server is far from steady state: req/s climbs for ~10 s while V8 optimises
        // Next's request pipeline, and how far it gets depends on how many requests it has seen,
        // not on the clock. Warm every route, interleaved, for at least --server-warmup seconds
        // AND --warmup-requests requests (capped at +15 s), so a slower configuration is not
        // measured colder than a faster one. Never two servers at once, and in turns of ≤ 2 s:
        // a server left idle for ~30 s has its heap shrunk by V8's memory reducer and then needs
        // ~3× the CPU per request for the next seconds (docs/benchmarks.md), so none may wait
        // for the others' whole warm-ups before it is measured.
        const chunkS = Math.max(1, Math.min(2, opts.serverWarmup || 2))
        const capMs = (opts.serverWarmup + 15) * 1000
        const turns = []
        for (let i = 0; i < k; i++) for (const config of sequence) turns.push({ config, i, busyMs: 0, served: 0 })
        const warm = (t) => t.busyMs >= capMs || (t.busyMs >= opts.serverWarmup * 1000 && t.served >= opts.warmupRequests)
        while (turns.some((t) => !warm(t))) {
          for (const t of turns) {
            if (warm(t)) continue
            const started = Date.now()
            const w = await runCannon({ url: servers[t.config][t.i].url, connections: opts.connections, durationS: chunkS, requests: WARMUP_REQUESTS })
            t.busyMs += Date.now() - started
            t.served += w.requests.total
          }
        }
        for (const { config, i, busyMs, served } of turns) {
          const seconds = busyMs / 1000
          Object.assign(byConfig[config].processes[i], { serverWarmupRequests: served, serverWarmupS: seconds })
          byConfig[config].serverWarmupRequests += served
          byConfig[config].serverWarmupS += seconds
          log(`    ${config.padEnd(8)}${k > 1 ? ` ${i + 1}` : ''} warm-up: ${served} requests in ${fmt(seconds, 1)} s`)
        }
      }
      // Anything the servers started during the warm-up (a forked process) joins their cores.
      if (pin.servers) for (const config of CONFIGS) for (const server of servers[config]) pinTree(server.pid, pin.servers)
      for (const route of routes) {
        const r = await measureRouteInterleaved({ servers, route, opts, sink, first })
        roundInfo.routes[route] = { pairs: r.pairs, settleMs: r.settleMs, ratio: r.enabled.rps / r.disabled.rps }
        for (const config of sequence) {
          const m = r[config]
          byConfig[config].measurements.push(m)
          log(
            `    ${route.padEnd(10)} ${config.padEnd(8)} ${fmt(m.rps, 0).padStart(6)} req/s [${m.slices.map((s) => `${k > 1 ? `${s.server}:` : ''}${fmt(s.rps, 0)}`).join(' ')}]  p50 ${fmt(m.latencyMs.p50, 0)} ms  p99 ${fmt(m.latencyMs.p99, 0)} ms  ` +
              `cpu ${fmt(m.cpuUsPerReq, 0)} µs/req (${fmt(m.serverCpuCores, 2)} cores; idle other server ${fmt(m.idleServerCores, 3)}, others ${fmt(m.otherCpuCores, 2)})  rss ${fmt(m.rssEndMb, 0)} MB  bad ${m.bad}  sink +${m.sinkDuringSlices.requests} req`,
          )
          if (m.badFraction > MAX_BAD_FRACTION) {
            broken.push(`${config} round ${round} ${route}: ${m.bad} errors/timeouts/non-2xx of ${m.requests + m.errors + m.timeouts} requests (${fmt(100 * m.badFraction, 2)}% > 1%), status codes ${JSON.stringify(m.statusCodes)}`)
          }
        }
        log(`    ${route.padEnd(10)} round ratio ${fmt(roundInfo.routes[route].ratio, 3)}; slice pairs [${r.pairs.map((p) => fmt(p.ratio, 2)).join(' ')}]; settle ${fmt(r.settleMs, 0)} ms (median)`)
      }
      // Let the last interval flush (posthog-node flushInterval 2 s) land before shutdown.
      await sleep(2_500)
    } catch (err) {
      if (err.benchBroken) broken.push(`round ${round}: ${err.message}`)
      else throw Object.assign(err, { serverOutput: Object.values(servers).flat().map((s) => s.output()).join('\n') })
    } finally {
      // The enabled servers first: what reaches the sink until they have exited is their lifetime's
      // (warm-up, slices, shutdown flush); whatever arrives while only the disabled ones are left
      // would be the disabled servers' (they have no address to send to: should be 0).
      for (const config of CONFIGS) {
        if (!byConfig[config]) continue
        const t = Date.now()
        const sinkBefore = await sink.stats()
        for (const [i, server] of servers[config].entries()) {
          await stopGroup(server.child)
          byConfig[config].processes[i].exit = server.child.exitCode ?? server.child.signalCode
        }
        byConfig[config].stopMs = Date.now() - t
        byConfig[config].sinkLifetime = diffStats(await sink.stats(), config === 'enabled' ? sinkStart : sinkBefore)
      }
    }
  }

  const result = { method: { ...methodDescription(opts), cpus: pin.load ? { loadGeneratorAndSink: pin.load, servers: pin.servers } : `not pinned (${pin.reason})` }, routes: {}, runs, rounds, sink: sinkTotals(runs) }
  const verdicts = []
  for (const route of routes) {
    const r = summariseRoute(route, runs, rounds)
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
    lines.push(`  WARNING: ${result.sink.disabled.requests} request(s) reached the sink after the enabled server had exited, while only the disabled one was up; it should send none.`)
  }
  return { result, broken, lines, verdicts }
}

function methodDescription(opts) {
  const order = opts.order ?? 'abba'
  return {
    process: `per round ${opts.servers === 1 ? 'a fresh enabled and a fresh disabled next start' : `${opts.servers} fresh enabled and ${opts.servers} fresh disabled next start processes`} (same build), up together; per route, alternating slices${opts.servers > 1 ? ' (a configuration\'s j-th slice on its server j mod ' + opts.servers + ')' : ''}, only one server under load at a time`,
    serversPerConfig: opts.servers,
    order: order === 'abba' ? 'slices E,D,D,E,E,D… (the first configuration flips on even rounds)' : 'slices E,D,E,D… (the first configuration flips on even rounds)',
    rounds: opts.rounds,
    serverWarmupS: opts.serverWarmup,
    warmupRequests: opts.warmupRequests,
    warmupS: opts.warmup,
    durationS: opts.duration,
    sliceS: opts.slice,
    slicesPerConfig: sliceSequence({ durationS: opts.duration, sliceS: opts.slice, order, first: 'enabled' }).length / 2,
    settle: `between slices, until every server and the sink use < ${SETTLE_CORES} core for ${SETTLE_WINDOW_MS} ms (at most ${SETTLE_MAX_MS} ms)`,
    connections: opts.connections,
    rps: 'requests completed in a configuration’s slices / their measured time',
    latency: 'percentiles of the slices’ merged autocannon histograms',
    verdictRatio: 'median of per-round ratios enabled/disabled (req/s)',
    enabledEnv: { POSTHOG_API_KEY: 'phc_benchkey1234567890', POSTHOG_HOST: 'http://127.0.0.1:<sink>', SENTRY_DSN: 'http://benchkey@127.0.0.1:<sink>/42', ...opts.enabledEnv },
    cpuProf: opts.cpuProf,
  }
}

function quantile(values, q) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (!v.length) return NaN
  const i = (v.length - 1) * q
  const lo = Math.floor(i)
  return v[lo] + (v[Math.ceil(i)] - v[lo]) * (i - lo)
}

function summariseRoute(route, runs, rounds) {
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
      tailCpuShare: list.reduce((a, x) => a + x.m.serverTailCpuMs, 0) / list.reduce((a, x) => a + x.m.serverCpuMs, 0),
      otherCpuCoresMedian: pick((m) => m.otherCpuCores),
      idleServerCoresMedian: pick((m) => m.idleServerCores),
      idleServerCoresMax: Math.max(0, ...list.map((x) => x.m.idleServerCores)),
      noiseCoresMedian: pick((m) => m.noiseCores),
      requests: list.reduce((s, x) => s + x.m.requests, 0),
      bad: list.reduce((s, x) => s + x.m.bad, 0),
      sinkRequests: list.reduce((s, x) => s + x.m.sink.requests, 0),
      sinkBytes: list.reduce((s, x) => s + x.m.sink.bytes, 0),
      sinkDuringSlices: list.reduce((s, x) => s + x.m.sinkDuringSlices.requests, 0),
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
  const pairRatios = rounds.flatMap((r) => (r.routes[route]?.pairs ?? []).map((p) => p.ratio))
  const slicePairs = {
    n: pairRatios.length,
    median: median(pairRatios),
    q1: quantile(pairRatios, 0.25),
    q3: quantile(pairRatios, 0.75),
    min: pairRatios.length ? Math.min(...pairRatios) : NaN,
    max: pairRatios.length ? Math.max(...pairRatios) : NaN,
    perRound: rounds.filter((r) => r.routes[route]).map((r) => ({ round: r.round, ratios: r.routes[route].pairs.map((p) => p.ratio) })),
    ci: medianCI(pairRatios, 0.95),
  }
  const bar = ROUTES[route].bar
  const pass = Number.isFinite(medianOfRatios) && medianOfRatios >= bar
  const agree = Number.isFinite(ratioOfMedians) && ratioOfMedians >= bar === pass
  // The verdict stays the median of per-round ratios; this only says whether the run's own noise
  // could tell the kit's cost from the bar. A pinned A/A run (both sides disabled) on this VM gave
  // per-round ratios of 1.05–1.23 on `/`: a run whose slice pairs spread like that cannot
  // separate 0.93 from 0.97, and says so instead of passing for a precise figure.
  const inconclusive = Number.isFinite(slicePairs.ci.lo) && slicePairs.ci.lo < bar && slicePairs.ci.hi >= bar
  const measurements = CONFIGS.flatMap((config) =>
    per(config).map((x) => ({ config, round: x.round, rps: x.m.rps, cpuUsPerReq: x.m.cpuUsPerReq, otherCpuCores: x.m.otherCpuCores, idleServerCores: x.m.idleServerCores, noiseCores: x.m.noiseCores })),
  )
  return {
    route,
    what: ROUTES[route].what,
    measurements,
    bar,
    enabled,
    disabled,
    ratios: { perRound, medianOfRatios, ratioOfMedians, slicePairs },
    cpuPerReqRatio: enabled.cpuUsPerReqMedian / disabled.cpuUsPerReqMedian,
    verdict: { route, bar, ratio: medianOfRatios, result: Number.isFinite(medianOfRatios) ? (pass ? 'PASS' : 'FAIL') : 'N/A', ratioOfMediansAgrees: agree, inconclusive, ci: slicePairs.ci },
  }
}

function sinkTotals(runs) {
  const sum = (config) => {
    const t = { servers: 0, requests: 0, bytes: 0, posthog: { requests: 0, bytes: 0 }, sentry: { requests: 0, bytes: 0 }, other: { requests: 0, bytes: 0 }, otherPaths: {}, roundsWithZero: 0 }
    for (const r of runs.filter((x) => x.config === config && x.sinkLifetime)) {
      t.servers += r.processes.length
      t.requests += r.sinkLifetime.requests
      t.bytes += r.sinkLifetime.bytes
      if (r.sinkLifetime.requests === 0) t.roundsWithZero++
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
  out.push(
    `Server: ${m.process}; ${m.order}; ${m.rounds} round(s); per server a mixed warm-up (≥ ${m.serverWarmupS} s and ≥ ${m.warmupRequests} requests), ` +
      `then per route ${m.warmupS} s warm-up each + ${m.durationS} s measured each in ${m.slicesPerConfig} slice(s) of ≤ ${m.sliceS} s; ${m.connections} connections`,
  )
  out.push(`  req/s = requests / measured time over a configuration's slices; latency from the slices' merged histograms; ${m.settle}`)
  if (opts.cpuProf) out.push('  NOTE: --cpu-prof is on; the profiler itself costs throughput, so read the ratios below with that in mind.')
  if (Object.keys(opts.enabledEnv).length) out.push(`  enabled config extra env: ${JSON.stringify(opts.enabledEnv)}`)
  for (const r of Object.values(result.routes)) {
    out.push('')
    out.push(`Route ${r.route}  (${r.what})`)
    const row = (name, a, sinkCell) => [
      name,
      fmt(a.rpsMedian, 0),
      fmt(a.p50Median, 1),
      fmt(a.p99Median, 1),
      fmt(a.cpuUsPerReqMedian, 0),
      fmt(a.rssEndMedianMb, 0),
      fmt(a.rssPeakMedianMb, 0),
      `${fmt(a.noiseCoresMedian, 2)} (${fmt(a.idleServerCoresMedian, 3)})`,
      `${a.bad}/${a.requests}`,
      sinkCell,
    ]
    out.push(
      table(
        ['config (median of rounds)', 'req/s', 'p50 ms', 'p99 ms', 'cpu µs/req', 'RSS end MB', 'RSS peak MB', 'noise cores (idle srv)', 'bad/total', 'sink req (measured windows)'],
        [
          row('enabled', r.enabled, r.enabled.sinkRequests ? `${r.enabled.sinkRequests} (${fmtBytes(r.enabled.sinkBytes)})` : '0'),
          row('disabled', r.disabled, '— (no address)'),
        ],
      ),
    )
    const list = (xs, d = 0) => xs.map((x) => fmt(x, d)).join(', ')
    const sp = r.ratios.slicePairs
    out.push(`  req/s per round      enabled [${list(r.enabled.rps)}]   disabled [${list(r.disabled.rps)}]`)
    out.push(`  ratio per round      [${r.ratios.perRound.map((x) => fmt(x.ratio, 3)).join(', ')}]`)
    out.push(
      `  slice-pair ratios    ${sp.n} pairs: median ${fmt(sp.median, 3)} (${Number.isFinite(sp.ci.lo) ? `${fmt(100 * sp.ci.level, 0)}% CI ${fmt(sp.ci.lo, 3)}–${fmt(sp.ci.hi, 3)}` : 'too few pairs for a CI'}), IQR ${fmt(sp.q1, 3)}–${fmt(sp.q3, 3)}, range ${fmt(sp.min, 3)}–${fmt(sp.max, 3)}; ` +
        `per round ${sp.perRound.map((x) => `[${list(x.ratios, 2)}]`).join(' ')}`,
    )
    out.push(
      `  enabled/disabled req/s: median of per-round ratios ${fmt(r.ratios.medianOfRatios, 3)}, ratio of medians ${fmt(r.ratios.ratioOfMedians, 3)}; ` +
        `server CPU per request ×${fmt(r.cpuPerReqRatio, 2)} ` +
        `(of it after autocannon stopped, while settling: enabled ${fmt(100 * r.enabled.tailCpuShare, 1)}%, disabled ${fmt(100 * r.disabled.tailCpuShare, 1)}%)`,
    )
    out.push(
      `  idle server's CPU during the other's slices (in the noise column): disabled during enabled slices ${fmt(r.enabled.idleServerCoresMedian, 3)} cores (max ${fmt(r.enabled.idleServerCoresMax, 3)}), ` +
        `enabled during disabled slices ${fmt(r.disabled.idleServerCoresMedian, 3)} (max ${fmt(r.disabled.idleServerCoresMax, 3)}); ` +
        `sink requests the enabled server made during disabled slices: ${r.disabled.sinkDuringSlices}`,
    )
    const noisy = r.measurements.filter((x) => x.noiseCores > 0.3)
    if (noisy.length) out.push(`  noise: ${noisy.length} measurement(s) shared the machine with > 0.3 cores of other work (${noisy.map((x) => `${x.config} r${x.round} ${fmt(x.noiseCores, 2)}`).join(', ')}); req/s there is less trustworthy, cpu µs/req less affected`)
    const v = r.verdict
    out.push(`  bar: enabled ≥ ${v.bar.toFixed(2)} × disabled → ${v.result}${v.ratioOfMediansAgrees ? '' : '  (borderline: the ratio of medians gives the other answer)'}`)
    if (v.inconclusive) out.push(`  inconclusive: the bar ${v.bar.toFixed(2)} lies inside the slice pairs' ${fmt(100 * v.ci.level, 0)}% confidence interval for their median (${fmt(v.ci.lo, 3)}–${fmt(v.ci.hi, 3)}); this run's noise cannot tell the two apart (more --rounds or --duration narrow it)`)
  }
  const allNoise = Object.values(result.routes).flatMap((r) => r.measurements.map((x) => x.noiseCores))
  result.medianNoiseCores = median(allNoise)
  if (result.medianNoiseCores > 0.5) {
    out.push('')
    out.push(`  WARNING: NOISY MACHINE — other processes used a median ${fmt(result.medianNoiseCores, 2)} cores (of 2) during the measurements.`)
    out.push('  req/s ratios (and to a lesser degree cpu µs/req) are unreliable; rerun when the machine is quiet.')
  }
  const s = result.sink
  out.push('')
  out.push('Ingestion sink (whole server lifetimes, incl. warm-up and shutdown flush; "disabled" = what arrived while only the disabled server was left):')
  out.push(
    table(
      ['config', 'servers', 'requests', 'bytes', 'posthog req', 'posthog bytes', 'sentry req', 'sentry bytes', 'other req'],
      ['enabled', 'disabled'].map((c) => [c, s[c].servers, s[c].requests, fmtBytes(s[c].bytes), s[c].posthog.requests, fmtBytes(s[c].posthog.bytes), s[c].sentry.requests, fmtBytes(s[c].sentry.bytes), s[c].other.requests]),
    ),
  )
  if (Object.keys(s.enabled.otherPaths).length) out.push(`  other paths: ${JSON.stringify(s.enabled.otherPaths)}`)
  if (s.enabled.roundsWithZero) out.push(`  WARNING: in ${s.enabled.roundsWithZero} round(s) the enabled servers sent nothing to the sink.`)
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

