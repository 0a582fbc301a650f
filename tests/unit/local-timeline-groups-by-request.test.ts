import { describe, expect, it } from 'vitest'
import { describePostHogEvent, describeSentryEnvelope, type LocalEventSummary } from '@/lib/observability/server/local/local-event'
import { groupTimeline } from '@/lib/observability/server/local/local-timeline'

let n = 0
const summary = (over: Partial<LocalEventSummary>): LocalEventSummary => ({
  id: `e${++n}`,
  at: 1_000 + n,
  time: 1_000 + n,
  backend: 'posthog',
  source: 'server',
  type: 'api_request',
  title: '',
  error: false,
  ...over,
})

describe('the local timeline groups by request id', () => {
  it('puts a request’s PostHog and Sentry events, server and browser, in one group', () => {
    const events = [
      summary({ type: 'api_request', requestId: 'r1', title: 'GET /api/x → 500' }),
      summary({ type: 'api_error', requestId: 'r1', error: true }),
      summary({ backend: 'sentry', type: 'error', requestId: 'r1', error: true, eventId: 'abc', sentryTraceId: 't1' }),
      summary({ backend: 'sentry', type: 'spans', sentryTraceId: 't1' }),
      summary({ type: '$ai_generation', aiTraceId: 'r1' }),
      summary({ type: 'api_request', requestId: 'r2' }),
    ]
    const groups = groupTimeline(events)
    const r1 = groups.find((g) => g.id === 'r1')
    expect(r1).toMatchObject({ kind: 'request', title: 'GET /api/x → 500', posthog: 3, sentry: 2, errors: 2 })
    expect(r1?.events.map((e) => e.by)).toEqual(['request id', 'request id', 'request id', 'Sentry trace', '$ai_trace_id'])
    expect(groups.find((g) => g.id === 'r2')?.events).toHaveLength(1)
    expect(groups[0]?.id).toBe('r2')
  })

  it('links a browser $exception to its Sentry event, and browser events to the page they happened on', () => {
    const events = [
      summary({ source: 'browser', type: '$pageview', requestId: 'doc', sessionId: 's', windowId: 'w1', title: '/debug/throw' }),
      summary({ source: 'browser', type: '$autocapture', sessionId: 's', windowId: 'w1' }),
      summary({ source: 'browser', backend: 'sentry', type: 'error', requestId: 'doc', eventId: 'aaaabbbbccccdddd', error: true }),
      summary({ source: 'browser', type: '$exception', sessionId: 's', windowId: 'w1', sentryLink: 'aaaabbbbccccdddd', error: true }),
      summary({ source: 'browser', type: '$snapshot', sessionId: 's', windowId: 'w1' }),
      summary({ source: 'browser', type: '$pageview', requestId: 'doc2', sessionId: 's', windowId: 'w2' }),
      summary({ source: 'browser', type: '$pageleave', sessionId: 's', windowId: 'w2' }),
    ]
    const groups = groupTimeline(events)
    const doc = groups.find((g) => g.id === 'doc')
    expect(doc?.title).toBe('page /debug/throw')
    expect(doc?.events.map((e) => e.by)).toEqual(['request id', 'page view', 'request id', 'Sentry link', 'page view'])
    expect(groups.find((g) => g.id === 'doc2')?.events.map((e) => e.by)).toEqual(['request id', 'page view'])
  })

  it('keeps a session without a page view as one group, and the rest as single rows', () => {
    const groups = groupTimeline([
      summary({ source: 'browser', type: '$autocapture', sessionId: 'lonely' }),
      summary({ source: 'browser', type: '$snapshot', sessionId: 'lonely' }),
      summary({ backend: 'sentry', type: 'session', source: 'browser' }),
      summary({ backend: 'sentry', type: 'spans', sentryTraceId: 'unrelated' }),
    ])
    expect(groups.map((g) => g.kind).sort()).toEqual(['session', 'single', 'single'])
    expect(groups.find((g) => g.kind === 'session')?.events).toHaveLength(2)
  })

  it('does not move a browser span into a server request that continued its trace', () => {
    const groups = groupTimeline([
      summary({ backend: 'sentry', source: 'browser', type: 'spans', sentryTraceId: 't' }),
      summary({ backend: 'sentry', source: 'server', type: 'spans', requestId: 'api', sentryTraceId: 't' }),
      summary({ backend: 'sentry', source: 'browser', type: 'error', requestId: 'doc', sentryTraceId: 't' }),
    ])
    expect(groups.find((g) => g.id === 'doc')?.events).toHaveLength(2)
    expect(groups.find((g) => g.id === 'api')?.events).toHaveLength(1)
  })
})

describe('stored events are described from the real wire data', () => {
  it('reads PostHog properties: request id, side, errors, links', () => {
    const server = describePostHogEvent({
      event: 'api_request',
      distinct_id: 'u',
      properties: { $lib: 'posthog-node', request_id: 'r', method: 'GET', endpoint: '/api/ping', status_code: 503, response_time_ms: 4 },
    })
    expect(server).toMatchObject({ backend: 'posthog', source: 'server', requestId: 'r', error: true, title: 'GET /api/ping → 503 (4 ms)' })
    const browser = describePostHogEvent({
      event: '$exception',
      distinct_id: 'u',
      timestamp: '2026-01-01T00:00:00.000Z',
      properties: { $lib: 'web', $session_id: 's', $window_id: 'w', $sentry_event_id: 'e', $exception_list: [{ type: 'TypeError', value: 'x is undefined' }] },
    })
    expect(browser).toMatchObject({
      source: 'browser',
      error: true,
      sessionId: 's',
      windowId: 'w',
      sentryLink: 'e',
      title: 'TypeError: x is undefined',
      time: Date.parse('2026-01-01T00:00:00.000Z'),
    })
  })

  it('reads a Sentry envelope by its main item', () => {
    const error = describeSentryEnvelope(
      {
        header: { event_id: 'abc', sent_at: '2026-01-01T00:00:00.000Z' },
        items: [
          {
            type: 'event',
            header: { type: 'event' },
            payload: {
              event_id: 'abc',
              timestamp: 1_767_225_600.5,
              tags: { request_id: 'r', posthog_session_id: 's' },
              contexts: { trace: { trace_id: 't' } },
              exception: { values: [{ type: 'ProviderError', value: 'boom' }] },
            },
          },
        ],
      },
      'server',
    )
    expect(error).toMatchObject({
      backend: 'sentry',
      source: 'server',
      type: 'error',
      error: true,
      requestId: 'r',
      sessionId: 's',
      sentryTraceId: 't',
      eventId: 'abc',
      title: 'ProviderError: boom',
      time: 1_767_225_600_500,
    })
    const spans = describeSentryEnvelope(
      {
        header: { trace: { trace_id: 't2' } },
        items: [
          {
            type: 'span',
            header: { type: 'span' },
            payload: {
              items: [
                { name: 'load route module' },
                { name: 'GET /api/ping', is_segment: true, start_timestamp: 1, attributes: { request_id: { value: 'r2', type: 'string' } } },
              ],
            },
          },
        ],
      },
      'server',
    )
    expect(spans).toMatchObject({ type: 'spans', requestId: 'r2', sentryTraceId: 't2', title: '2 span(s): GET /api/ping' })
    const attachment = describeSentryEnvelope(
      { header: {}, items: [{ type: 'attachment', header: { type: 'attachment' }, payload: new Uint8Array(3) }] },
      'browser',
    )
    expect(JSON.stringify(attachment.data)).toContain('3 bytes')
  })
})
