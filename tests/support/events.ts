import { searchableText } from '@/lib/observability/server/local/ingest'
import type { PostHogEvent } from '@/lib/observability/server/local/ingest/types'
import type { FakeIngest } from './fake-ingest'

/** Waits until at least one PostHog event matches, then returns every match. */
export function waitForEvents(fake: FakeIngest, match: (e: PostHogEvent) => boolean, timeoutMs = 15_000): Promise<PostHogEvent[]> {
  return fake.waitFor(
    (f) => {
      const found = f.events().filter(match)
      return found.length ? found : undefined
    },
    { timeoutMs },
  )
}

/** Sentry error events tagged with this request id. */
export function sentryForRequest(fake: FakeIngest, requestId: string) {
  return fake.sentryEvents().filter((i) => (i.payload as { tags?: Record<string, string> }).tags?.request_id === requestId)
}

/** Everything either backend received, fully decoded (gzip, envelopes, replay), as one string to search. */
export function allText(fake: FakeIngest): string {
  return searchableText({ events: fake.events(), sentry: fake.sentry(), flags: fake.flagRequests(), rejected: fake.rejected() })
}

/**
 * `allText`, plus what every request carried outside its body (path, query, headers): the whole
 * of what left the app for either backend, to search for a planted secret.
 */
export function everythingSent(fake: FakeIngest): string {
  const envelopes = fake.requests().map((r) => ({ method: r.method, path: r.path, search: r.search, headers: r.headers }))
  return `${allText(fake)}\n${JSON.stringify(envelopes)}`
}
