#!/usr/bin/env node
// The kit's own CPU per request inside `next start`, from CPU profiles taken in steady state: what
// the in-process budget (bench/micro/budget.mjs) cannot show. A request runs the kit's code once,
// between megabytes of Next.js, so that code runs cold; the budget's loops run it hot. This
// attributes a profile's self time to the kit's files and to Sentry, per request.
//
//   node bench/e2e/kit-in-place.mjs                  # the production build in .next (npm run build)
//   node bench/e2e/kit-in-place.mjs --duration 30 --configs off,traces-0,on
//
// Per configuration: `next start` with the inspector on a free 127.0.0.1 port, a warm-up of
// --warmup requests to `/api/ping` (autocannon, -c 10), then the V8 profiler (sampling every
// 250 µs) over --duration seconds of the same load. Self time per request by area (Next, Node,
// the kit, Sentry…) and by the kit's and Sentry's files. One configuration at a time; the figures
// of one file repeat within a few % run to run, whole-process totals move with the machine.

import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import WebSocket from 'ws'
import { ROOT, freePort, killAllSync, startNext, track } from '../procs.mjs'
import { forkSink } from '../sink.mjs'
import { fmt, table } from '../stats.mjs'
import { summariseDir } from '../profile-summary.mjs'
import { runCannon } from './cannon.mjs'

const { values: opts } = parseArgs({
  options: {
    configs: { type: 'string', default: 'off,traces-0,on' },
    duration: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '8000' },
  },
})

const HEADERS = { accept: 'application/json' }

function environments(sinkPort) {
  const keys = {
    POSTHOG_API_KEY: 'phc_benchkey1234567890',
    POSTHOG_HOST: `http://127.0.0.1:${sinkPort}`,
    SENTRY_DSN: `http://benchkey@127.0.0.1:${sinkPort}/42`,
    APP_ENV: 'production',
  }
  return { off: {}, 'traces-0': { ...keys, SENTRY_TRACES_SAMPLE_RATE: '0' }, on: keys }
}

/** Profiles one configuration; resolves to the directory holding its profile and request count. */
async function profile(name, env, outDir) {
  const inspectPort = await freePort()
  const server = await startNext({ env: { DEBUG: '1', ...env }, logFile: join(outDir, `server-${name}.log`), nodeArgs: [`--inspect=127.0.0.1:${inspectPort}`] })
  try {
    await runCannon({ url: server.url + '/api/ping', headers: HEADERS, connections: 10, amount: Number(opts.warmup) })
    const [target] = await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()
    const ws = new WebSocket(target.webSocketDebuggerUrl)
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    let id = 0
    const pending = new Map()
    ws.on('message', (m) => {
      const msg = JSON.parse(m)
      pending.get(msg.id)?.(msg.result)
      pending.delete(msg.id)
    })
    const call = (method, params = {}) => new Promise((resolve) => (pending.set(++id, resolve), ws.send(JSON.stringify({ id, method, params }))))
    await call('Profiler.enable')
    await call('Profiler.setSamplingInterval', { interval: 250 })
    await call('Profiler.start')
    const res = await runCannon({ url: server.url + '/api/ping', headers: HEADERS, connections: 10, durationS: Number(opts.duration) })
    const { profile } = await call('Profiler.stop')
    ws.close()
    const dir = join(outDir, name)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'ping.cpuprofile'), JSON.stringify(profile))
    return { dir, requests: res.requests.total }
  } finally {
    await server.stop()
  }
}

/** Self µs per request of the kit's files (lib/observability/dist/…) and of Sentry as a whole. */
function kitFiles(summary, requests) {
  const files = {}
  for (const [fn, { ms, area }] of summary.byFn) {
    if (!/^kit|^sentry/.test(area) || area.includes('edge')) continue
    const file =
      area === 'sentry'
        ? 'Sentry (all of @sentry/*)'
        : (/lib\/observability\/dist\/([\w/.-]+)/.exec(fn)?.[1] ?? /(uuid|posthog[\w-]*)/.exec(fn)?.[1] ?? 'kit, other')
    files[file] = (files[file] ?? 0) + (1000 * ms) / requests
  }
  return files
}

const outDir = join(ROOT, '.bench/kit-in-place')
mkdirSync(outDir, { recursive: true })
const sink = await forkSink({ onChild: track })
try {
  const envs = environments(sink.port)
  const names = opts.configs.split(',')
  const results = {}
  for (const name of names) {
    if (!envs[name]) throw new Error(`unknown configuration ${name} (off, traces-0, on)`)
    const { dir, requests } = await profile(name, envs[name], outDir)
    results[name] = { summary: summariseDir(dir), requests }
    console.log(`  ${name}: ${requests} requests profiled`)
  }
  const areas = [...new Set(names.flatMap((n) => [...results[n].summary.byArea.keys()]))].filter((a) => !a.includes('edge'))
  const perReq = (n, ms) => (1000 * ms) / results[n].requests
  console.log('\nSelf time per /api/ping request, µs (Node runtime; the middleware runs in its own sandbox, left out)')
  console.log(
    table(
      ['area', ...names],
      [
        ['all', ...names.map((n) => fmt(perReq(n, results[n].summary.totalMs), 0))],
        ...areas.map((a) => [a, ...names.map((n) => fmt(perReq(n, results[n].summary.byArea.get(a) ?? 0), 1))]),
      ],
    ),
  )
  const files = names.map((n) => kitFiles(results[n].summary, results[n].requests))
  const keys = [...new Set(files.flatMap(Object.keys))].sort((a, b) => Math.max(...files.map((f) => f[b] ?? 0)) - Math.max(...files.map((f) => f[a] ?? 0)))
  console.log('\nThe kit by file, and Sentry, µs per request')
  console.log(
    table(
      ['file', ...names],
      keys.map((k) => [k, ...files.map((f) => fmt(f[k] ?? 0, 1))]),
    ),
  )
} finally {
  await sink.stop()
  killAllSync()
}
