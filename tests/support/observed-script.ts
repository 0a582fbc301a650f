/**
 * A script run by `runObserved()` for the integration tests, each ending chosen by a flag (the
 * demo, scripts/demo-script.ts, covers the plain success and failure):
 *
 *   --llm                two generations through the echo model first
 *   --exit-code=N        sets `process.exitCode = N`, then ends as the other flags say
 *   --fail               rejects from main
 *   --capture-then-throw reports the error with captureException(), then rethrows it
 *   --process-exit       calls process.exit(0) from inside main
 *   --uncaught           throws from a timer while main is still waiting
 *   --rejection          leaves a rejected promise unhandled while main is still waiting
 *   --wait               waits until a signal ends the process
 *   --own-sigterm        waits until SIGTERM, which the script handles itself: main then resolves
 *   --flush-timeout=MS   passed to runObserved as `flushTimeoutMs`
 *
 * Prints `work done` when its work is over (the tests time the exit from that line).
 */
import { captureException, runObserved, traceGeneration } from 'nextjs-observability-kit/server'
import { ECHO_MODEL, ECHO_PROVIDER, echoCompletion, type EchoMessage } from '@/lib/demo/echo-model'

const args = process.argv.slice(2)
const has = (flag: string) => args.includes(flag)
const value = (flag: string) => args.find((a) => a.startsWith(`${flag}=`))?.split('=')[1]
const exitCode = value('--exit-code')
const flushTimeout = value('--flush-timeout')

const forever = () => new Promise(() => setInterval(() => undefined, 60_000))

runObserved(
  'test-script',
  async () => {
    if (has('--llm')) {
      for (const content of ['first question', 'second question']) {
        const messages: EchoMessage[] = [{ role: 'user', content }]
        await traceGeneration({ provider: ECHO_PROVIDER, model: ECHO_MODEL, input: messages, name: 'fixture' }, () => echoCompletion(messages))
      }
    }
    if (exitCode !== undefined) process.exitCode = Number(exitCode)
    if (has('--fail')) {
      console.log('work done')
      throw Object.assign(new Error('upstream answered 503'), { name: 'UpstreamError', status: 503 })
    }
    if (has('--capture-then-throw')) {
      const error = new TypeError('bad row 17')
      await captureException(error)
      console.log('work done')
      throw error
    }
    if (has('--process-exit')) {
      console.log('work done')
      process.exit(0)
    }
    if (has('--uncaught')) {
      setTimeout(() => {
        console.log('work done')
        throw new RangeError('timer blew up')
      }, 20)
      await forever()
    }
    if (has('--rejection')) {
      setTimeout(() => {
        console.log('work done')
        void Promise.reject(new SyntaxError('nobody awaited this'))
      }, 20)
      await forever()
    }
    if (has('--own-sigterm')) {
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', () => (console.log('graceful stop'), resolve()))
        console.log('waiting')
      })
    }
    if (has('--wait')) {
      console.log('waiting')
      await forever()
    }
    console.log('work done')
  },
  flushTimeout === undefined ? {} : { flushTimeoutMs: Number(flushTimeout) },
)
