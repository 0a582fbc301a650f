'use client'

import { useState } from 'react'
import { useFeatureFlag } from 'nextjs-observability-kit/client'

interface CallResult {
  readonly status: number | 'network error'
  readonly requestId: string | null
}

/**
 * The debug-throw page's controls (README, "The demo"): one way to fail per button, a form and fake data
 * to check replay masking, and an element shown only when the flag `demo-flag` is on.
 */
export function DebugThrow() {
  const [renderError, setRenderError] = useState(false)
  const [api, setApi] = useState<CallResult | null>(null)
  const [llm, setLlm] = useState<CallResult | null>(null)
  const demoFlag = useFeatureFlag('demo-flag')

  if (renderError) throw new Error('Debug render error from /debug/throw')

  return (
    <main>
      <h1>Debug: throw</h1>
      <p>Each button fails in a different place. Every failure reaches PostHog and Sentry once.</p>

      <section aria-label="Failures">
        <button type="button" id="throw-render" onClick={() => setRenderError(true)}>
          Throw in render
        </button>
        <button
          type="button"
          id="throw-handler"
          onClick={() => {
            throw new Error('Debug handler error from /debug/throw')
          }}
        >
          Throw in a handler
        </button>
        <button
          type="button"
          id="throw-rejection"
          onClick={() => {
            void Promise.reject(new Error('Debug unhandled rejection from /debug/throw'))
          }}
        >
          Unhandled rejection
        </button>
        <button type="button" id="throw-api" onClick={async () => setApi(await call('/api/debug/throw?kind=ProviderError&msg=Debug%20API%20failure'))}>
          Failing API call
        </button>
        <button
          type="button"
          id="throw-llm"
          onClick={async () =>
            setLlm(
              await call('/api/chat', {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ prompt: 'fail: provider_error' }),
              }),
            )
          }
        >
          Failing LLM call
        </button>
        <p>
          API: <output id="throw-api-result">{api ? describe(api) : '—'}</output>
          <br />
          LLM: <output id="throw-llm-result">{llm ? describe(llm) : '—'}</output>
        </p>
      </section>

      <section aria-label="Flag">
        {demoFlag ? <p id="demo-flag-on">The flag demo-flag is on for you.</p> : <p id="demo-flag-off">The flag demo-flag is off.</p>}
      </section>

      <section aria-label="Masked replay">
        <h2>Masked in replay</h2>
        <form id="replay-form" onSubmit={(e) => e.preventDefault()}>
          <label>
            Name <input id="replay-name" name="name" type="text" autoComplete="off" />
          </label>
          <label>
            Email <input id="replay-email" name="email" type="email" autoComplete="off" />
          </label>
          <label>
            Password <input id="replay-password" name="password" type="password" autoComplete="new-password" />
          </label>
          <label>
            Card number <input id="replay-card" name="card" type="text" inputMode="numeric" autoComplete="off" placeholder="4242 4242 4242 4242" />
          </label>
        </form>
        <pre className="sql-output">{`SELECT email, plan FROM customers LIMIT 2;
 ada@example.com   | enterprise
 grace@example.com | team`}</pre>
        <div data-sensitive id="sensitive-block">
          Account 0042-7781-3310, balance 12,840.55 EUR, IBAN DE89 3704 0044 0532 0130 00
        </div>
      </section>
    </main>
  )
}

async function call(url: string, init?: RequestInit): Promise<CallResult> {
  try {
    const res = await fetch(url, init)
    return { status: res.status, requestId: res.headers.get('x-request-id') }
  } catch {
    return { status: 'network error', requestId: null }
  }
}

function describe(result: CallResult): string {
  return `${result.status}${result.requestId ? ` (request ${result.requestId})` : ''}`
}
