import Link from 'next/link'
import { DemoSignIn } from '@/components/DemoSignIn'

/** Static: the middleware hands the browser its config, so nothing here is per-request. */
export default function Home() {
  return (
    <main>
      <h1>Observability kit demo</h1>
      <p>
        <code>lib/observability/</code> wires PostHog and Sentry into this app: request ids on every response, errors captured once in each backend, request
        metrics, LLM traces, pageviews, masked session replay and feature flags, all linked by one request id. Nothing is sent anywhere until{' '}
        <code>POSTHOG_API_KEY</code> or <code>SENTRY_DSN</code> is set.
      </p>
      <ul>
        <li>
          <Link href="/debug/throw">Debug-throw page</Link>: throw in render, in a handler, as a rejection, from an API and from an LLM call.
        </li>
        <li>
          <a href="/api/ping">/api/ping</a>: a tracked route (<code>api_request</code>).
        </li>
        <li>
          <a href="/api/debug/throw?kind=ValidationError&amp;msg=bad%20input">/api/debug/throw</a>: a tracked failure (<code>api_error</code>,{' '}
          <code>$exception</code>, one Sentry event).
        </li>
        <li>
          <a href="/api/health">/api/health</a>: never tracked.
        </li>
      </ul>
      <h2>Fake sign-in</h2>
      <p>
        Sets the <code>demo_user</code> cookie the demo passes to the kit as the current user.
      </p>
      <DemoSignIn />
    </main>
  )
}
