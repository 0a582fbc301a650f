import { describe, expect, it } from 'vitest'
import { SERVER_EVENTS_LIB } from '@/lib/observability/server/event-batch'
import { describePostHogEvent } from '@/lib/observability/server/local/local-event'

/**
 * Local mode's viewer puts each PostHog event in the server or browser column by the library
 * that sent it: the kit's own server queue and posthog-node are the server, posthog-js the browser.
 */
describe('local mode sorts server events by the library that sent them', () => {
  it.each([
    [SERVER_EVENTS_LIB, 'server'],
    ['posthog-node', 'server'],
    ['web', 'browser'],
  ])('$lib %s is shown as %s', (lib, source) => {
    const facts = describePostHogEvent({ event: 'api_request', distinct_id: 'u', properties: { request_id: 'r1', $lib: lib } } as never)
    expect(facts.source).toBe(source)
  })
})
