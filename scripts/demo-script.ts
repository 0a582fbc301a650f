/**
 * A fake backfill, run observed: `npm run demo:script` (flags after `--`).
 *
 *   --fail   fails midway with a categorised error (`connection_error`): reported once to each
 *            backend, exit code 1
 *   --llm    first asks the demo's echo model for a summary, traced as a `$ai_generation` whose
 *            `$ai_trace_id` is the run's id
 *
 * Other arguments are accepted and ignored, so the reported command line can be seen scrubbed
 * (`npm run demo:script -- --fail --token=abc postgres://u:pw@db/app`). With no keys set nothing
 * is sent; set `POSTHOG_API_KEY` / `SENTRY_DSN` to see the run in PostHog and Sentry.
 */
import { runObserved, traceGeneration } from 'nextjs-observability-kit/server'
import { ECHO_MODEL, ECHO_PROVIDER, echoCompletion, type EchoMessage } from '@/lib/demo/echo-model'

const BATCHES = 4
const FAIL_AT = 3

const args = new Set(process.argv.slice(2))

/** A database driver's failure as it would surface: a wrapper around the socket error. */
class BackfillError extends Error {
  override name = 'BackfillError'
}

runObserved('demo-backfill', async () => {
  console.info(`backfill: ${BATCHES} batches of users`)
  if (args.has('--llm')) {
    const messages: EchoMessage[] = [{ role: 'user', content: 'Summarise what this backfill does.' }]
    const completion = await traceGeneration({ provider: ECHO_PROVIDER, model: ECHO_MODEL, input: messages, name: 'backfill-summary' }, () =>
      echoCompletion(messages),
    )
    console.info(`backfill: summary from ${completion.model} (${completion.usage.completion_tokens} tokens)`)
  }
  for (let batch = 1; batch <= BATCHES; batch++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    if (args.has('--fail') && batch === FAIL_AT) {
      console.info(`backfill: batch ${batch} failed, stopping`)
      throw new BackfillError(`could not write batch ${batch}: the users database went away`, {
        cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      })
    }
    console.info(`backfill: batch ${batch}/${BATCHES} written`)
  }
  console.info('backfill: done')
})
