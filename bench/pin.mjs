// `--pin` for the server section: the load generator (this process, autocannon inside it) and
// the ingestion sink on CPU 0, the servers under test on the other CPUs.
//
// What it measures: a server with its own core(s), as in a container with a CPU limit. Unpinned
// (the default, as the bars were set), the scheduler lets the server's helper threads (V8's
// parallel scavenger, libuv, the posthog-node worker) use whatever autocannon leaves of the second
// core; pinned, work the kit moves off the request thread still competes with the requests. On
// this 2-core VM (2026-11-30, 5 runs) `/api/ping` read 0.765–0.855 pinned and `/` 0.861–0.991
// (docs/benchmarks.md, where the unpinned runs of the same morning are too).
//
// It is not the default because it does not make a run more precise here: an A/A run (both sides
// disabled) gave slice-pair ratios of 0.66–1.71 pinned. The VM's slow stretches, where the same
// server needs up to 2× the CPU time per request, come and go whatever the placement.

import { execFileSync } from 'node:child_process'
import { cpus } from 'node:os'
import { processTree } from './procs.mjs'

let tasksetOk
function hasTaskset() {
  if (tasksetOk === undefined) {
    try {
      execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' })
      tasksetOk = true
    } catch {
      tasksetOk = false
    }
  }
  return tasksetOk
}

/**
 * The plan for this machine: `{ load: '0', servers: '1-3', all: '0-3' }`, or `{ reason }` when
 * pinning is not possible (one core, or no `taskset`).
 */
export function cpuPlan() {
  const n = cpus().length
  if (n < 2) return { reason: 'one CPU' }
  if (!hasTaskset()) return { reason: 'no taskset (util-linux)' }
  return { load: '0', servers: n === 2 ? '1' : `1-${n - 1}`, all: `0-${n - 1}` }
}

/** Sets the affinity of every thread of `pid` and its descendants; threads created later inherit it. */
export function pinTree(pid, cpuList) {
  for (const p of processTree(pid)) {
    try {
      execFileSync('taskset', ['-a', '-p', '-c', cpuList, String(p)], { stdio: 'ignore' })
    } catch {
      // the process may have exited in between
    }
  }
}
