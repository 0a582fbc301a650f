'use client'

import { useCaptureBoundaryError } from 'nextjs-observability-kit/client'

/** Errors in the root layout itself: replaces the whole document, so it brings its own html/body. */
export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  useCaptureBoundaryError(error)
  return (
    <html lang="en">
      <body>
        <main role="alert" style={{ fontFamily: 'system-ui, sans-serif', maxWidth: '40rem', margin: '2rem auto' }}>
          <h1>Something went wrong</h1>
          <p>The error has been reported.</p>
          <button type="button" onClick={() => retry()}>
            Try again
          </button>
        </main>
      </body>
    </html>
  )
}
