'use client'

import { useCaptureBoundaryError } from 'nextjs-observability-kit/client'

/** Render errors below the root layout: reported once per backend, then a minimal fallback. */
export default function ErrorBoundary({ error, retry }: { error: unknown; retry: () => void }) {
  useCaptureBoundaryError(error)
  return (
    <main role="alert">
      <h1>Something went wrong</h1>
      <p>The error has been reported.</p>
      <button type="button" id="error-retry" onClick={() => retry()}>
        Try again
      </button>
    </main>
  )
}
