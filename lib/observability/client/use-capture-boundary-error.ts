'use client'

import { useEffect } from 'react'
import { reportError } from './error-listeners.js'

/**
 * Reports the error an `error.tsx` / `global-error.tsx` boundary caught, once per backend. Errors
 * from Server Components arrive with a `digest` and only a generic message: the server already
 * reported the original (onRequestError), so they are skipped here rather than sent twice.
 *
 * @example
 * export default function Error({ error }: { error: unknown }) {
 *   useCaptureBoundaryError(error)
 *   return <p>Something went wrong.</p>
 * }
 */
export function useCaptureBoundaryError(error: unknown): void {
  useEffect(() => {
    if (isServerError(error)) return
    try {
      reportError(error, 'boundary')
    } catch {
      // Telemetry fails open.
    }
  }, [error])
}

function isServerError(error: unknown): boolean {
  return !!error && typeof error === 'object' && typeof (error as { digest?: unknown }).digest === 'string'
}
