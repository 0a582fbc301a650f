#!/usr/bin/env node
// `npm run bench`: what the kit costs an app, measured as a new user would, in one run:
//   1. the budget (bench/micro/budget.mjs): µs per request by component, in process;
//   2. the end-to-end table: one production build of the demo started with no keys (`off`), with
//      both backends on (`on`) and with `SENTRY_TRACING=full` (`on, full tracing`), beside a copy of
//      the demo without the kit (`bare`, bench/e2e/bare-app.mjs); server (bench/e2e/server-table.mjs)
//      and browser (bench/e2e/browser-table.mjs) figures, ratios against `off`, targets, PASS/FAIL.
// Everything talks to 127.0.0.1 only; the backends are the local sink (bench/sink.mjs).
//
//   npm run bench                                 # build both apps, then everything (~15 min)
//   npm run bench -- --no-build --skip-budget     # reuse .next and .bench/bare-app
//   npm run bench -- --rounds 3 --duration 5 --loads 5 --quick-loads 10   # shorter (--slices: pieces per configuration's seconds, 5)
//   npm run bench -- --pin                        # servers on one core, the load generator on the other
//   npm run bench -- --cpu-prof --skip-browser     # also profile the servers; prints where on's extra CPU goes
//
// Results go to .bench/table.json (every round and load) and, summarised, to bench/results/
// (<time>Z-<commit>.json, kept in git: the history of runs). Exit code 0 when the benchmark ran,
// PASS or FAIL alike; 1 when it broke (a server did not start, requests failed).

import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { BARE_DIR, buildBareApp } from './e2e/bare-app.mjs'
import { runBrowserTable } from './e2e/browser-table.mjs'
import { configurations, runServerTable, slug } from './e2e/server-table.mjs'
import { renderBudget, runBudget } from './micro/budget.mjs'
import { cpuPlan, pinTree } from './pin.mjs'
import { ROOT, hasBuild, nextBuild, killAllSync, startNext } from './procs.mjs'
import { forkSink } from './sink.mjs'
import { fmt, median, table } from './stats.mjs'
import { renderAreaDiff, summariseDir } from './profile-summary.mjs'

/** The targets (docs/benchmarks.md): [label, what, ratio or value, bound, direction]. */
const TARGETS = [
  ['/api/ping CPU per request on/off', (t) => serverRatio(t.server, 'on', '/api/ping', 'cpuMsPerReq'), 1.15, 'max'],
  ['/api/ping req/s on/off', (t) => serverRatio(t.server, 'on', '/api/ping', 'rps'), 0.87, 'min'],
  ['/api/ping p99 on/off', (t) => serverRatio(t.server, 'on', '/api/ping', 'p99'), 1.2, 'max'],
  ['/ req/s on/off', (t) => serverRatio(t.server, 'on', '/', 'rps'), 0.97, 'min'],
  ['RSS after load on/off', (t) => serverRatio(t.server, 'on', null, 'rssMb'), 1.15, 'max'],
  ['browser load on/off, /', (t) => t.browser.on['/'].loadRatio, 1.05, 'max'],
  ['browser load on/off, /debug/throw', (t) => t.browser.on['/debug/throw'].loadRatio, 1.05, 'max'],
  ['JS after load, on (KiB, max of the pages)', (t) => Math.max(...Object.values(t.browser.on).map((p) => p.jsAfterLoadBytes)) / 1024, 250, 'max'],
  [
    'JS heap after load on/off (max of the pages)',
    (t) => Math.max(...Object.keys(t.browser.on).map((p) => t.browser.on[p].heapBytes / t.browser.off[p].heapBytes)),
    2,
    'max',
  ],
]

/**
 * A server figure of `config` against `off`: the median over rounds of each round's own ratio.
 * A round measures both within the same minutes (bench/e2e/server-table.mjs), so a change in the
 * machine's speed between rounds cancels out. `route` null: RSS, paired over every load.
 */
export function serverRatio(server, config, route, key) {
  const rounds = (c) =>
    route
      ? server[c][route].rounds
      : Object.keys(server[c])
          .filter((k) => k.startsWith('/'))
          .flatMap((r) => server[c][r].rounds)
  const off = rounds('off')
  return median(rounds(config).map((x, i) => x[key] / off[i][key]))
}

const { values: opts } = parseArgs({
  options: {
    build: { type: 'boolean', default: true },
    'no-build': { type: 'boolean', default: false },
    'skip-budget': { type: 'boolean', default: false },
    'skip-browser': { type: 'boolean', default: false },
    'skip-server': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '10' },
    slices: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    'warmup-requests': { type: 'string', default: '3000' },
    loads: { type: 'string', default: '7' },
    'quick-loads': { type: 'string', default: '20' },
    settle: { type: 'string', default: '1500' },
    'budget-procs': { type: 'string', default: '3' },
    'budget-reps': { type: 'string', default: '5' },
    'budget-n': { type: 'string', default: '5000' },
    'cpu-prof': { type: 'boolean', default: false },
    pin: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
})

if (opts.help) {
  console.log(execFileSync('sed', ['-n', '2,17p', new URL(import.meta.url).pathname], { encoding: 'utf8' }))
  process.exit(0)
}

const log = (line) => console.log(line)
const outDir = join(ROOT, '.bench')
mkdirSync(outDir, { recursive: true })
process.on('SIGINT', () => {
  killAllSync()
  process.exit(130)
})

try {
  const [l1, l5] = loadavg()
  log(
    `Machine: load average ${fmt(l1, 2)} (1 min), ${fmt(l5, 2)} (5 min)${l1 > 1 ? ' — NOT QUIET: figures below are disturbed by other work; wait or use --pin' : ''}`,
  )
  const result = { at: new Date().toISOString(), commit: gitSha(), loadavg: [l1, l5], options: opts }

  if (!opts['skip-budget']) {
    log('\n== Budget (in process)')
    result.budget = await runBudget({ procs: Number(opts['budget-procs']), reps: Number(opts['budget-reps']), n: Number(opts['budget-n']) })
    log(renderBudget(result.budget))
  }

  const build = opts.build && !opts['no-build']
  if (build || !hasBuild()) {
    log('\n== Building the demo (.next) and the bare app (.bench/bare-app)')
    execFileSync(process.execPath, [join(ROOT, 'lib/observability/build.mjs'), '--if-stale'], { stdio: 'inherit' })
    await nextBuild({ logFile: join(outDir, 'build-demo.log') })
  }
  if (build || !existsSync(join(BARE_DIR, '.next/BUILD_ID'))) await buildBareApp({ logFile: join(outDir, 'build-bare.log') })

  const sink = await forkSink()
  try {
    const all = configurations({ sinkPort: sink.port, bareDir: BARE_DIR })
    const plan = opts.pin ? cpuPlan() : null
    if (plan?.reason) log(`--pin: not possible here (${plan.reason}); running unpinned`)
    const pin = plan && !plan.reason ? plan : null
    if (pin) {
      pinTree(process.pid, pin.load)
      pinTree(sink.pid, pin.load)
    }

    if (!opts['skip-server']) log('\n== Server: autocannon per configuration in turns')
    if (!opts['skip-server'])
      result.server = await runServerTable({
        configs: Object.keys(all),
        all,
        rounds: Number(opts.rounds),
        durationS: Number(opts.duration),
        slices: Number(opts.slices),
        connections: Number(opts.connections),
        warmupRequests: Number(opts['warmup-requests']),
        logDir: outDir,
        cpuProf: opts['cpu-prof'],
        pinServers: pin?.servers,
        log,
      })
    result.sink = await sink.stats()
    if (opts['cpu-prof'] && result.server) {
      const served = (c) => Object.values(result.server[c]).reduce((n, r) => n + (r.rounds?.reduce((m, x) => m + x.requests, 0) ?? 0), 0)
      log('\nCPU profiles, on against off (self time; the profiler itself costs throughput):')
      log(
        renderAreaDiff(summariseDir(join(outDir, 'prof-on')), summariseDir(join(outDir, 'prof-off')), {
          labelA: 'on',
          labelB: 'off',
          requestsA: served('on'),
          requestsB: served('off'),
        }),
      )
    }

    if (!opts['skip-browser']) {
      log('\n== Browser: cold loads in Chromium, configurations in turns')
      const names = ['bare', 'off', 'on']
      const servers = {}
      try {
        for (const name of names) servers[name] = await startNext({ ...all[name], logFile: join(outDir, `browser-server-${slug(name)}.log`) })
        result.browser = await runBrowserTable({
          servers: Object.fromEntries(names.map((n) => [n, servers[n].url])),
          kitOn: { bare: false, off: false, on: true },
          loads: Number(opts.loads),
          quickLoads: Number(opts['quick-loads']),
          settleMs: Number(opts.settle),
          log,
        })
      } finally {
        for (const s of Object.values(servers)) await s.stop()
      }
    }
  } finally {
    await sink.stop()
  }

  writeFileSync(join(outDir, 'table.json'), JSON.stringify(result, null, 2))
  // The run's summary, kept in the repository: the history of runs is these files, in git.
  const resultsDir = join(ROOT, 'bench/results')
  mkdirSync(resultsDir, { recursive: true })
  writeFileSync(join(resultsDir, `${result.at.slice(0, 16).replace(/:/g, '')}Z-${result.commit}.json`), JSON.stringify(summary(result), null, 2) + '\n')
  log('\n' + renderTable(result))
  if (result.budget) log('\n' + renderBudget(result.budget))
  log(`\nAll figures: .bench/table.json (commit ${result.commit})`)
} catch (error) {
  console.error(`\nThe benchmark broke: ${error?.stack ?? error}`)
  killAllSync()
  process.exit(1)
}

/** The end-to-end table, then the targets with PASS/FAIL. */
export function renderTable(t) {
  const s = t.server ?? {}
  const configs = Object.keys(s)
  const ratio = (value) => (Number.isFinite(value) ? fmt(value, 2) : '—')
  const rows = []
  const row = !t.server
    ? () => {}
    : (label, route, key, digits = 0) =>
        rows.push([
          label,
          ...configs.map((c) => fmt(route ? s[c][route][key] : s[c][key], digits)),
          ...configs.filter((c) => c !== 'off' && c !== 'bare').map((c) => ratio(serverRatio(s, c, route, key))),
        ])
  row('/api/ping req/s', '/api/ping', 'rps')
  row('/api/ping CPU per request, ms (all threads)', '/api/ping', 'cpuMsPerReq', 2)
  row('/api/ping p99, ms', '/api/ping', 'p99')
  row('/ req/s', '/', 'rps')
  row('/ CPU per request, ms', '/', 'cpuMsPerReq', 2)
  row('/ p99, ms', '/', 'p99')
  row('RSS after load, MiB', null, 'rssMb')
  const onConfigs = configs.filter((c) => c !== 'off' && c !== 'bare')
  const header = ['figure', ...configs, ...onConfigs.map((c) => `${c}/off`)]
  const lines = t.server
    ? [
        `End to end (medians of ${t.options.rounds} rounds; per round autocannon -c ${t.options.connections}, ${t.options.duration} s per configuration in ${t.options.slices} interleaved slices; ratios: medians of the rounds' own ratios)`,
        table(header, rows),
      ]
    : []
  if (t.browser) {
    const b = t.browser
    const names = Object.keys(b)
    const brows = []
    for (const page of Object.keys(b.off)) {
      brows.push([`browser load, ${page}, ms`, ...names.map((n) => fmt(b[n][page].loadMs, 0)), ratio(b.on[page].loadRatio)])
      brows.push([`JS after load, ${page}, KiB`, ...names.map((n) => fmt(b[n][page].jsAfterLoadBytes / 1024, 1)), ''])
      brows.push([
        `JS heap after load, ${page}, MiB`,
        ...names.map((n) => fmt(b[n][page].heapBytes / 1024 / 1024, 1)),
        ratio(b.on[page].heapBytes / b.off[page].heapBytes),
      ])
    }
    const quick = Number(t.options['quick-loads'] ?? 0)
    lines.push(
      `\nBrowser (medians of ${t.options.loads} cold loads per page and configuration${quick ? `, \`load\` of ${quick} more; its ratio: median of the rounds' own ratios` : ''})`,
      table(['figure', ...names, 'on/off'], brows),
    )
  }
  lines.push('\nTargets', table(['target', 'measured', 'bound', ''], verdicts(t)))
  return lines.join('\n')
}

/** Each target: `[label, measured, bound, PASS | FAIL | N/A]`. */
function verdicts(t) {
  return TARGETS.map(([label, get, bound, dir]) => {
    let value
    try {
      value = get(t)
    } catch {
      value = NaN
    }
    const ok = Number.isFinite(value) && (dir === 'max' ? value <= bound : value >= bound)
    return [label, fmt(value, 2), `${dir === 'max' ? '≤' : '≥'} ${bound}`, Number.isFinite(value) ? (ok ? 'PASS' : 'FAIL') : 'N/A']
  })
}

/** What a results file keeps: medians, the server's figures per round (its ratios pair rounds) and verdicts; no per-load detail. */
function summary(t) {
  const pick = (o, f) => Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [k, f(v)]))
  return {
    at: t.at,
    commit: t.commit,
    loadavg: t.loadavg,
    options: t.options,
    server: pick(t.server, (c) => ({
      rssMb: c.rssMb,
      ...pick(Object.fromEntries(Object.entries(c).filter(([k]) => k.startsWith('/'))), (r) => ({
        rps: r.rps,
        cpuMsPerReq: r.cpuMsPerReq,
        p99: r.p99,
        rounds: r.rounds?.map((x) => ({ rps: x.rps, cpuMsPerReq: x.cpuMsPerReq, p99: x.p99, rssMb: x.rssMb })),
      })),
    })),
    browser: pick(t.browser, (c) =>
      pick(c, (p) => ({ loadMs: p.loadMs, loadRatio: p.loadRatio, jsAfterLoadBytes: p.jsAfterLoadBytes, heapBytes: p.heapBytes })),
    ),
    targets: verdicts(t).map(([target, measured, bound, verdict]) => ({ target, measured, bound, verdict })),
    budget:
      t.budget &&
      pick(t.budget.configs, (c) => ({ speed: c.speed, ...pick(c.results, (r) => ({ threadUs: r.threadUs, allUs: r.allUs, threadSpread: r.threadSpread })) })),
  }
}

function gitSha() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
  } catch {
    return '?'
  }
}
