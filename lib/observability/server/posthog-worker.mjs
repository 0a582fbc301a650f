// The kit's posthog-node client, in a worker thread (see posthog-client.ts). Plain JavaScript so
// that Node runs it as it is, from the build (Turbopack bundles it as a worker entry) and from the
// sources in tests. It only executes what the request thread posts:
//   { kind: 'capture', events }                 posthog.capture() for each
//   { kind: 'call', id, op, args }              answered by { kind: 'reply', id, ok, value | message }
// and reports { kind: 'ready' } once the client exists, { kind: 'error', message } for delivery failures.
import { parentPort, workerData } from 'node:worker_threads'
import { PostHog } from 'posthog-node'

const client = new PostHog(workerData.apiKey, workerData.options)
if (workerData.debug) client.debug(true)
client.on('error', (e) => parentPort.postMessage({ kind: 'error', message: e instanceof Error ? e.message : String(e) }))

/** An error as the request thread sent it (`{ name, message, stack, cause }`), as an Error again. */
function revive(shape) {
  const error = new Error(shape.message)
  error.name = shape.name
  error.stack = shape.stack
  if (shape.cause !== undefined) error.cause = revive(shape.cause)
  return error
}

const ops = {
  flush: () => client.flush(),
  shutdown: (ms) => client.shutdown(ms),
  getFeatureFlag: (flag, distinctId, options) => client.getFeatureFlag(flag, distinctId, options),
  getAllFlags: (distinctId, options) => client.getAllFlags(distinctId, options),
  captureExceptionImmediate: (error, distinctId, properties) => client.captureExceptionImmediate(revive(error), distinctId, properties),
}

parentPort.on('message', (m) => {
  if (m.kind === 'capture') {
    for (const event of m.events) {
      try {
        client.capture(event)
      } catch (e) {
        parentPort.postMessage({ kind: 'error', message: e instanceof Error ? e.message : String(e) })
      }
    }
    return
  }
  if (m.kind === 'call') {
    Promise.resolve()
      .then(() => ops[m.op](...m.args))
      .then(
        (value) => parentPort.postMessage({ kind: 'reply', id: m.id, ok: true, value }),
        (e) => parentPort.postMessage({ kind: 'reply', id: m.id, ok: false, message: e instanceof Error ? e.message : String(e) }),
      )
  }
})

parentPort.postMessage({ kind: 'ready' })
