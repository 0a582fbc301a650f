// Preloaded into a script under test (NODE_OPTIONS=--import …). When the process exits, it writes
// to OBS_TEST_PROCESS_REPORT what the process did, so a test can tell what a configuration loads:
//   workers  worker threads the app started (the `worker` event of process)
//   modules  every module the main thread resolved: ESM through a resolve hook (dynamic
//            `import()` of an SDK goes there), CommonJS from require.cache
//   sentry   whether Sentry's global carrier holds scopes (it creates them once it runs)
import { writeFileSync } from 'node:fs'
import { createRequire, register } from 'node:module'
import { MessageChannel, isMainThread, receiveMessageOnPort } from 'node:worker_threads'

const out = process.env.OBS_TEST_PROCESS_REPORT
if (isMainThread && out) {
  const { port1, port2 } = new MessageChannel()
  port1.unref()
  register('./record-resolved-modules.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] })
  let workers = 0
  // Node's own module-loader thread (`InternalWorker`, for the tsx hooks and ours) is not the app's.
  process.on('worker', (worker) => void (worker.constructor.name !== 'InternalWorker' && workers++))
  process.on('exit', () => {
    const modules = []
    for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) modules.push(m.message)
    modules.push(...Object.keys(createRequire(import.meta.url).cache))
    const carrier = globalThis.__SENTRY__
    const sentry = carrier ? Object.values(carrier).some((v) => v && typeof v === 'object' && 'stack' in v) : false
    writeFileSync(out, JSON.stringify({ workers, modules, sentry }))
  })
}
