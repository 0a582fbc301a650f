// Preloaded into the servers of the bench's "calls" section (NODE_OPTIONS=--require …), request
// thread only. SIGUSR2 starts V8's precise coverage with call counts (writes <dir>/<pid>.started);
// the next SIGUSR2 writes every function called since, with its count, to <dir>/<pid>.json and
// stops. Counting is exact and independent of the machine's speed, unlike the other sections.
const { isMainThread } = require('node:worker_threads')
const dir = process.env.OBS_BENCH_CALLS_DIR
if (isMainThread && dir) {
  const inspector = require('node:inspector')
  const { writeFileSync } = require('node:fs')
  const { join } = require('node:path')
  const session = new inspector.Session()
  session.connect()
  const post = (method, params = {}) => new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))))
  let counting = false
  process.on('SIGUSR2', async () => {
    try {
      if (!counting) {
        counting = true
        await post('Profiler.enable')
        await post('Profiler.startPreciseCoverage', { callCount: true, detailed: false })
        await post('Profiler.takePreciseCoverage') // from zero
        writeFileSync(join(dir, `${process.pid}.started`), '')
        return
      }
      counting = false
      const { result } = await post('Profiler.takePreciseCoverage')
      await post('Profiler.stopPreciseCoverage')
      const functions = []
      for (const script of result) {
        for (const fn of script.functions) {
          const count = fn.ranges[0]?.count ?? 0
          if (count > 0) functions.push({ url: script.url, name: fn.functionName, offset: fn.ranges[0].startOffset, count })
        }
      }
      writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify(functions))
    } catch (e) {
      writeFileSync(join(dir, `${process.pid}.error`), String(e?.stack ?? e))
    }
  })
}
