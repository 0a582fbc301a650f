// The server half of the end-to-end table: `next start` per configuration, all up at once, loaded
// in turns with autocannon (-c 10, 10 s per configuration, route and round by default), --rounds
// rounds, the order of the configurations rotating every round.
//
// A round's 10 s per configuration are run as --slices slices (5 × 2 s), the configurations
// interleaved slice by slice (A B C D A B C D …): this VM switches between two speeds for minutes
// at a time, and a switch in the middle of a round then lands on every configuration alike
// instead of on whichever ran then. Per configuration, route and round, over its slices:
// req/s (requests completed / autocannon's own durations), p99 latency (the median of the
// slices' p99), and CPU per request: the CPU time of the server's whole process tree, every
// thread, over the measured seconds plus a settle wait for the work they left behind (deferred
// sends), / requests. Only one server is under load at a time; an idle `next start` uses no CPU,
// so the others do not disturb it. RSS: the tree's resident memory right after each of its
// loads. Figures are medians over rounds; ratios (bench/table.mjs) are medians over rounds of
// the round's own ratio, each round's pair measured in the same minutes.

import { join } from 'node:path'
import { ROOT, startNext, sleep, treeSample } from '../procs.mjs'
import { pinTree } from '../pin.mjs'
import { runCannon } from './cannon.mjs'
import { median } from '../stats.mjs'

export const SERVER_ROUTES = {
  '/api/ping': { headers: { accept: 'application/json' } },
  '/': {
    headers: {
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      'sec-fetch-dest': 'document',
      'sec-fetch-mode': 'navigate',
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) bench',
    },
  },
}

/** The configurations, by name: where the server runs from and its environment. */
export function configurations({ sinkPort, bareDir }) {
  const keys = {
    POSTHOG_API_KEY: 'phc_benchkey1234567890',
    POSTHOG_HOST: `http://127.0.0.1:${sinkPort}`,
    SENTRY_DSN: `http://benchkey@127.0.0.1:${sinkPort}/42`,
    APP_ENV: 'production',
  }
  return {
    bare: { cwd: bareDir, env: {} },
    off: { cwd: ROOT, env: { DEBUG: '1' } },
    on: { cwd: ROOT, env: { DEBUG: '1', ...keys } },
    'on, full tracing': { cwd: ROOT, env: { DEBUG: '1', ...keys, SENTRY_TRACING: 'full' } },
  }
}

/**
 * Runs the server measurements. `configs`: the names to measure (from `configurations()`).
 * Resolves to `{ [config]: { [route]: { rps, cpuMsPerReq, p99, rounds: [...] }, rssMb } }`.
 */
export async function runServerTable({ configs, all, rounds, durationS, slices = 5, connections, warmupRequests, logDir, cpuProf, pinServers, log }) {
  const servers = {}
  try {
    for (const name of configs) {
      const { cwd, env } = all[name]
      const nodeArgs = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(logDir, `prof-${slug(name)}`)}`] : []
      servers[name] = await startNext({ env, cwd, nodeArgs, logFile: join(logDir, `server-${slug(name)}.log`) })
      if (pinServers) pinTree(servers[name].pid, pinServers)
      log(`  started ${name} (${servers[name].url})`)
    }
    // Warm-up: every route mixed, in turns, so that JIT, caches and the SDKs' per-process parts are up.
    const requests = Object.entries(SERVER_ROUTES).map(([path, { headers }]) => ({ method: 'GET', path, headers }))
    for (const name of configs) await runCannon({ url: servers[name].url, requests, connections, amount: warmupRequests })
    const rows = Object.fromEntries(configs.map((c) => [c, Object.fromEntries(Object.keys(SERVER_ROUTES).map((r) => [r, []]))]))
    for (let round = 0; round < rounds; round++) {
      const order = configs.map((_, i) => configs[(i + round) % configs.length])
      for (const [route, { headers }] of Object.entries(SERVER_ROUTES)) {
        const acc = Object.fromEntries(order.map((name) => [name, { requests: 0, seconds: 0, cpuMs: 0, bad: 0, p99s: [], rssMb: 0 }]))
        for (let slice = 0; slice < slices; slice++) {
          for (const name of order) {
            const server = servers[name]
            const a = acc[name]
            await settle([server.pid])
            const before = treeSample(server.pid)
            const res = await runCannon({ url: server.url + route, headers, connections, durationS: durationS / slices })
            await settle([server.pid])
            const after = treeSample(server.pid)
            a.requests += res.requests.total
            a.seconds += res.duration
            a.cpuMs += after.cpuMs - before.cpuMs
            a.bad += res.errors + res.timeouts + res.non2xx
            a.p99s.push(res.latency.p99)
            a.rssMb = after.rssMb
          }
        }
        for (const name of order) {
          const a = acc[name]
          if (a.bad > a.requests * 0.01) throw new Error(`${name} ${route}: ${a.bad} of ${a.requests} requests failed`)
          rows[name][route].push({ rps: a.requests / a.seconds, cpuMsPerReq: a.cpuMs / a.requests, p99: median(a.p99s), requests: a.requests, rssMb: a.rssMb })
        }
      }
      log(`  round ${round + 1}/${rounds}: ${configs.map((c) => `${c} ${Math.round(rows[c]['/api/ping'].at(-1).rps)} req/s`).join(', ')} on /api/ping`)
    }
    const out = {}
    for (const name of configs) {
      // Right after each of its own loads, not once at the end: the kernel reclaims an idle
      // process's cold pages (this VM runs DAMON), so a server that waited longer would look smaller.
      out[name] = { rssMb: median(Object.values(rows[name]).flatMap((r) => r.map((x) => x.rssMb))) }
      for (const route of Object.keys(SERVER_ROUTES)) {
        const r = rows[name][route]
        out[name][route] = { rps: median(r.map((x) => x.rps)), cpuMsPerReq: median(r.map((x) => x.cpuMsPerReq)), p99: median(r.map((x) => x.p99)), rounds: r }
      }
    }
    return out
  } finally {
    for (const s of Object.values(servers)) await s.stop()
  }
}

/** Waits (at most 2 s) until the servers use less than 0.05 core over 200 ms: their deferred work is done. */
async function settle(pids) {
  const deadline = Date.now() + 2_000
  let last = pids.reduce((sum, pid) => sum + treeSample(pid).cpuMs, 0)
  while (Date.now() < deadline) {
    await sleep(200)
    const now = pids.reduce((sum, pid) => sum + treeSample(pid).cpuMs, 0)
    if (now - last < 10) return
    last = now
  }
}

export function slug(name) {
  return name.replace(/[^a-z0-9]+/gi, '-')
}
