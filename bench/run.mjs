#!/usr/bin/env node
// `npm run bench`: what the observability kit costs a running app.
//
//   npm run bench                                   # build, then every section with defaults
//   npm run bench -- --no-build --duration 5        # reuse .next, shorter measurements
//   npm run bench -- --only server --rounds 5 --slice 1
//   npm run bench -- --cpu-prof                     # also profile the servers, print hotspots
//   npm run bench -- --enabled-env SENTRY_TRACES_SAMPLE_RATE=0   # try a variant of "enabled"
//   npm run bench -- --only browser --no-build --loads 7           # Chromium first load only
//
// Sections are independent measurements sharing one build and one ingestion sink, each in its
// own file with the same shape, `run(ctx) → { result, broken, lines, verdicts }`:
//   server   (server-section.mjs)   req/s, latency, CPU and RSS of next start, enabled vs disabled
//   calls    (calls-section.mjs)    JS function calls per request (V8 precise coverage), enabled vs
//            disabled: exact counts, what an enabled request runs beyond a disabled one
//   work     (work-section.mjs)     instructions per request under valgrind's callgrind (request
//            thread and every thread; program, GC and compiling), enabled vs disabled: where an
//            enabled request's extra instructions go, function by function
//   browser  (browser-section.mjs)  Chromium cold first load on next start, enabled vs disabled:
//            `load` time, gzipped JS before/after `load`, whether SDK code or /_ox/ requests appear
// A verdict is `{ route, result: 'PASS'|'FAIL'|'N/A', noisy?, text? }`; `text` is its summary line
// (the server section's verdicts print their req/s ratio and bar instead).
//
// Exit code: 0 whenever the benchmark ran, PASS or FAIL alike (a slow kit is a finding, not a
// crash). 1 when the benchmark itself broke: a server did not start, more than 1% of requests
// failed, the enabled servers sent no telemetry at all (then "enabled" measured nothing), a page
// did not answer 200 in the browser, or the enabled pages never loaded the SDKs.
//
// Everything talks to 127.0.0.1 only. Every child runs in its own process group and is killed on
// exit, error, SIGINT/SIGTERM or when the overall time limit (--timeout-min) is reached.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { execFileSync } from 'node:child_process'
import { ROOT, hasBuild, buildId, nextBuild, killAllSync, stopAll, track } from './procs.mjs'
import { forkSink } from './sink.mjs'
import { ROUTES, SETTLE_MAX_MS, runServerSection } from './server-section.mjs'
import { PAGES, runBrowserSection } from './browser-section.mjs'
import { runCallsSection } from './calls-section.mjs'
import { runWorkSection } from './work-section.mjs'

const SECTIONS = {
  server: {
    title: 'Server: req/s, latency, CPU and RSS, kit enabled vs disabled',
    needsBuild: true,
    needsSink: true,
    run: runServerSection,
    // Rough wall time, for the default overall time limit. Per round: 2 × --servers servers (~5 s
    // each to start, flush and stop), each warmed (reaching --warmup-requests takes ~8 s more than
    // --server-warmup here); per route and server a probe and --warmup; per route and
    // configuration its --duration in slices, each slice ~0.5 s of overhead (connecting,
    // settling, /proc). Worst case adds --quiet-wait per round, the warm-up cap (+15 s per
    // server) and every settle running to its limit.
    estimateS: (o) =>
      o.rounds * (2 * o.servers * (5 + o.serverWarmup + (o.warmupRequests > 0 ? 8 : 0) + o.routes.length * (0.5 + o.warmup)) + o.routes.length * 2 * (o.duration + Math.ceil(o.duration / o.slice) * 0.5)),
    worstExtraS: (o) => o.rounds * (o.quietWait + 2 * o.servers * (o.warmupRequests > 0 ? 15 : 0) + o.routes.length * 2 * Math.ceil(o.duration / o.slice) * (SETTLE_MAX_MS / 1000)),
  },
  calls: {
    title: 'Calls: JavaScript function calls per request on the request thread, kit enabled vs disabled (exact counts)',
    needsBuild: true,
    needsSink: true,
    run: runCallsSection,
    // Two servers (~10 s to start and stop), each warmed with ≥ --warmup-requests; per route and
    // server --calls-requests requests (~500/s with the counters on) and ~4 s of signalling.
    estimateS: (o) => 10 + 2 * (Math.max(o.warmupRequests, 1000) / 400) + o.routes.length * 2 * (o.callsRequests / 500 + 4),
  },
  work: {
    title: 'Work: instructions per request under callgrind (request thread and every thread), kit enabled vs disabled',
    needsBuild: true,
    needsSink: true,
    run: runWorkSection,
    // Per pair: two servers under valgrind (~20 s to start, ~10 s to stop), the warm-up at ~35
    // requests/s each; per route and window --work-requests at ~18/s each (~2.5/s with the cache
    // simulated), 3 s for deferred work and ~5 s to dump and annotate.
    estimateS: (o) => o.workPairs * (30 + Math.max(o.warmupRequests, 1000) / 35 + o.routes.length * o.workWindows * (o.workRequests / (o.workCache ? 2.5 : 18) + 8)),
  },
  browser: {
    title: 'Browser: Chromium cold first load, kit enabled vs disabled',
    needsBuild: true,
    needsSink: true,
    run: runBrowserSection,
    // Per round: two servers (~8 s to start and stop both), one warm-up load per page per server
    // (~1.5 s); per measured enabled + disabled pair ~3.2 s (waiting for the previous page to wind
    // down, navigation, the SDKs loading, bookkeeping) plus the two after-`load` waits. Defaults:
    // ~3 min on a 2-core machine.
    estimateS: (o) => o.rounds * (8 + 3 * o.pages.length + o.pages.length * o.loads * (3.2 + o.browserSettle + o.browserWait)),
    worstExtraS: (o) => o.rounds * o.quietWait,
  },
}

const HELP = `usage: npm run bench -- [options]
  --only <list>         sections to run, comma-separated (${Object.keys(SECTIONS).join(', ')}); default all
  --no-build            reuse an existing build (.next/BUILD_ID); builds anyway when there is none
  --duration <s>        server: measured seconds per route per configuration per round (default 8) …
  --slice <s>           … in alternating slices of this many whole seconds (default 2: 4 slices each)
  --server-warmup <s>   warm-up seconds on a fresh server, all routes mixed (default 4) …
  --warmup-requests <n> … and at least this many requests, capped at +15 s (default 3000)
  --warmup <s>          warm-up seconds per route per server right before its slices (default 2)
  --rounds <n>          rounds (default 3; every section); browser: one enabled + one disabled server per round
  --servers <n>         server: fresh servers per configuration per round, up together; a configuration's
                        slices rotate over them (default 2: fresh processes differ by up to ~10 %)
  --connections <n>     concurrent autocannon connections (default 10)
  --routes <list>       routes to measure, comma-separated; every warm-up still mixes all of them (default ${Object.keys(ROUTES).join(',')})
  --quiet-wait <s>      before each round, wait up to <s> s for other load on the machine to drop (default 15; 0 = off)
  --order <o>           alternate (E,D,E,D,…) or abba (E,D,D,E,…), default abba: server slices within a
                        route (the first configuration flips on even rounds), browser loads within a round
  --enabled-env K=V     extra env for the enabled servers (repeatable), e.g. SENTRY_TRACES_SAMPLE_RATE=0;
                        K= (empty) removes K: SENTRY_DSN= measures PostHog alone, POSTHOG_API_KEY= Sentry alone
  --pin                 server: run the load generator and the sink on CPU 0 and the servers on the other
                        CPUs (taskset): a server with one dedicated core, where work moved off the
                        request thread still counts against it (see bench/pin.mjs); default: unpinned
  --cpu-prof            run servers with --cpu-prof and print self-time hotspots per area/function (server)
  --pages <list>        browser: pages to load, comma-separated (default ${Object.keys(PAGES).join(',')})
  --loads <n>           browser: cold loads per page per configuration per round (default 4)
  --browser-wait <s>    browser, disabled: watch for late downloads this long after load (default 2)
  --browser-settle <s>  browser, enabled: after the kit reports its SDKs loaded, wait this long more (default 0.5)
  --calls-requests <n>  calls: requests counted per route per configuration (default 2000)
  --work-pairs <n>      work: enabled + disabled server pairs under callgrind (default 1)
  --work-windows <n>    work: counted windows per route per server (default 5) …
  --work-requests <n>   … of this many requests each (default 300)
  --work-cache          work: also simulate the caches (misses, estimated cycles); ~8× slower
  --chromium <path>     browser: Chromium binary (default $CHROMIUM_PATH or /usr/bin/chromium)
  --out <dir>           output directory (default .bench); results in <dir>/results.json
  --timeout-min <m>     overall time limit (default: estimate × 2 + build allowance)
  -h, --help`

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      only: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      duration: { type: 'string', default: '8' },
      slice: { type: 'string', default: '2' },
      warmup: { type: 'string', default: '2' },
      'server-warmup': { type: 'string', default: '4' },
      'warmup-requests': { type: 'string', default: '3000' },
      rounds: { type: 'string', default: '3' },
      servers: { type: 'string', default: '2' },
      'calls-requests': { type: 'string', default: '2000' },
      'work-pairs': { type: 'string', default: '1' },
      'work-windows': { type: 'string', default: '5' },
      'work-requests': { type: 'string', default: '300' },
      'work-cache': { type: 'boolean', default: false },
      connections: { type: 'string', default: '10' },
      routes: { type: 'string' },
      order: { type: 'string' },
      'quiet-wait': { type: 'string', default: '15' },
      'enabled-env': { type: 'string', multiple: true, default: [] },
      'cpu-prof': { type: 'boolean', default: false },
      pin: { type: 'boolean', default: false },
      pages: { type: 'string' },
      loads: { type: 'string', default: '4' },
      'browser-wait': { type: 'string', default: '2' },
      'browser-settle': { type: 'string', default: '0.5' },
      chromium: { type: 'string', default: process.env.CHROMIUM_PATH || '/usr/bin/chromium' },
      out: { type: 'string', default: '.bench' },
      'timeout-min': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    console.log(HELP)
    process.exit(0)
  }
  const num = (name, min, max) => {
    const n = Number(values[name])
    if (!Number.isFinite(n) || n < min || n > max) usage(`--${name} must be a number in [${min}, ${max}]`)
    return n
  }
  const only = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : Object.keys(SECTIONS)
  for (const s of only) if (!SECTIONS[s]) usage(`unknown section "${s}" (available: ${Object.keys(SECTIONS).join(', ')})`)
  const routes = values.routes ? values.routes.split(',').map((s) => s.trim()).filter(Boolean) : Object.keys(ROUTES)
  for (const r of routes) if (!ROUTES[r]) usage(`unknown route "${r}" (available: ${Object.keys(ROUTES).join(', ')})`)
  const pages = values.pages ? values.pages.split(',').map((s) => s.trim()).filter(Boolean) : Object.keys(PAGES)
  for (const p of pages) if (!PAGES[p]) usage(`unknown page "${p}" (available: ${Object.keys(PAGES).join(', ')})`)
  if (values.order !== undefined && !['alternate', 'abba'].includes(values.order)) usage('--order must be alternate or abba')
  const enabledEnv = {}
  for (const kv of values['enabled-env']) {
    const i = kv.indexOf('=')
    if (i < 1) usage(`--enabled-env expects KEY=VALUE, got "${kv}"`)
    enabledEnv[kv.slice(0, i)] = kv.slice(i + 1)
  }
  const opts = {
    only,
    build: !values['no-build'],
    duration: num('duration', 1, 600),
    slice: Math.round(num('slice', 1, 600)),
    warmup: num('warmup', 0, 600),
    serverWarmup: num('server-warmup', 0, 600),
    warmupRequests: Math.round(num('warmup-requests', 0, 1e7)),
    rounds: Math.round(num('rounds', 1, 50)),
    servers: Math.round(num('servers', 1, 8)),
    callsRequests: Math.round(num('calls-requests', 10, 1e6)),
    workPairs: Math.round(num('work-pairs', 1, 10)),
    workWindows: Math.round(num('work-windows', 1, 50)),
    workRequests: Math.round(num('work-requests', 10, 1e5)),
    workCache: values['work-cache'],
    connections: Math.round(num('connections', 1, 1000)),
    routes,
    order: values.order,
    quietWait: num('quiet-wait', 0, 600),
    enabledEnv,
    cpuProf: values['cpu-prof'],
    pin: values.pin,
    pages,
    loads: Math.round(num('loads', 1, 100)),
    browserWait: num('browser-wait', 0, 60),
    browserSettle: num('browser-settle', 0, 60),
    chromium: resolve(values.chromium),
    outDir: resolve(ROOT, values.out),
  }
  const estimate = only.reduce((s, name) => s + (SECTIONS[name].estimateS?.(opts) ?? 120), 0)
  opts.estimateS = estimate
  const extra = only.reduce((s, name) => s + (SECTIONS[name].worstExtraS?.(opts) ?? 0), 0)
  opts.timeoutMin = values['timeout-min'] ? num('timeout-min', 1, 600) : Math.ceil((estimate * 2 + extra + (opts.build ? 600 : 60)) / 60)
  return opts
}

function usage(msg) {
  console.error(`bench: ${msg}\n\n${HELP}`)
  process.exit(2)
}

// ---------------------------------------------------------------- lifecycle

let finishing = false
process.on('exit', killAllSync)
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (finishing) return
    finishing = true
    console.error(`\nbench: ${sig}, stopping servers…`)
    void stopAll().finally(() => process.exit(130))
  })
}

function die(message, code = 1) {
  if (finishing) return
  finishing = true
  console.error(`\nbench: BENCHMARK BROKEN — ${message}`)
  void stopAll().finally(() => process.exit(code))
}

const log = (msg) => console.log(msg)

function gitSha() {
  try { return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() } catch { return null }
}

function pkgVersion(name) {
  try { return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version } catch { return null }
}

async function main() {
  const opts = parseOptions(process.argv.slice(2))
  mkdirSync(opts.outDir, { recursive: true })
  mkdirSync(join(opts.outDir, 'logs'), { recursive: true })

  const watchdog = setTimeout(() => die(`overall time limit of ${opts.timeoutMin} min reached (--timeout-min)`), opts.timeoutMin * 60_000)
  watchdog.unref()

  const started = Date.now()
  const meta = {
    startedAt: new Date().toISOString(),
    node: process.version,
    next: pkgVersion('next'),
    sentryNextjs: pkgVersion('@sentry/nextjs'),
    posthogNode: pkgVersion('posthog-node'),
    autocannon: pkgVersion('autocannon'),
    git: gitSha(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memGb: +(totalmem() / 2 ** 30).toFixed(1),
    loadavgStart: loadavg().map((x) => +x.toFixed(2)),
    options: { ...opts, outDir: undefined },
  }
  log(`bench: node ${meta.node}, next ${meta.next}, @sentry/nextjs ${meta.sentryNextjs}, posthog-node ${meta.posthogNode}, ${meta.cpus} CPU(s), load ${meta.loadavgStart.join(' ')}`)
  log(`bench: sections ${opts.only.join(', ')}; estimated ${Math.ceil(opts.estimateS / 60)} min without build; limit ${opts.timeoutMin} min`)

  const sections = opts.only.map((name) => ({ name, ...SECTIONS[name] }))
  if (sections.some((s) => s.needsBuild)) {
    if (!opts.build && hasBuild()) {
      log(`bench: --no-build, reusing build ${buildId()}`)
    } else {
      if (!opts.build) log('bench: --no-build given but there is no .next/BUILD_ID; building')
      log('bench: next build (NEXT_TELEMETRY_DISABLED=1, no keys set)…')
      const t = Date.now()
      await nextBuild({ logFile: join(opts.outDir, 'logs', 'build.log') })
      log(`bench: built ${buildId()} in ${((Date.now() - t) / 1000).toFixed(0)} s`)
    }
    meta.buildId = buildId()
  }

  let sink
  const ctx = {
    opts,
    outDir: opts.outDir,
    log,
    getSink: async () => {
      sink ??= await forkSink({ onChild: track })
      return sink
    },
  }

  const results = { meta, sections: {} }
  const broken = []
  const verdicts = []
  const report = []
  for (const section of sections) {
    log(`\n== ${section.name}: ${section.title}`)
    let out
    try {
      out = await section.run(ctx)
    } catch (err) {
      broken.push(`${section.name}: ${err.message}`)
      results.sections[section.name] = { error: err.message }
      continue
    }
    results.sections[section.name] = out.result
    broken.push(...out.broken.map((b) => `${section.name}: ${b}`))
    verdicts.push(...out.verdicts.map((v) => ({ section: section.name, ...v })))
    report.push(`== ${section.name}: ${section.title}`, ...out.lines, '')
  }
  if (sink) await sink.stop()

  meta.loadavgEnd = loadavg().map((x) => +x.toFixed(2))
  meta.wallS = Math.round((Date.now() - started) / 1000)
  results.verdicts = verdicts
  results.broken = broken
  const jsonPath = join(opts.outDir, 'results.json')
  writeFileSync(jsonPath, JSON.stringify(results, null, 2) + '\n')

  console.log('\n' + '═'.repeat(100))
  console.log(report.join('\n'))
  console.log('Summary')
  for (const v of verdicts) {
    // A verdict carries its own summary text; the server section's print their req/s ratio.
    const what = v.text ?? `${v.route.padEnd(10)} enabled/disabled req/s ${Number.isFinite(v.ratio) ? v.ratio.toFixed(3) : '—'} (bar ${v.bar.toFixed(2)})`
    console.log(`  ${v.section.padEnd(7)} ${what}  ${v.result}${v.inconclusive ? `  (inconclusive: ${Math.round(100 * v.ci.level)}% CI ${v.ci.lo.toFixed(3)}–${v.ci.hi.toFixed(3)} holds the bar)` : ''}${v.noisy ? '  (noisy machine: unreliable)' : ''}`)
  }
  console.log(`  load average ${meta.loadavgStart.join(' ')} → ${meta.loadavgEnd.join(' ')}; wall ${meta.wallS} s; results ${jsonPath}`)
  if (broken.length) {
    console.error('\n' + '!'.repeat(100))
    for (const b of broken) console.error(`bench: BENCHMARK BROKEN — ${b}`)
    console.error('!'.repeat(100))
    finishing = true
    await stopAll()
    process.exit(1)
  }
  finishing = true
  await stopAll()
  process.exit(0)
}

main().catch((err) => die(err?.stack ?? String(err)))
