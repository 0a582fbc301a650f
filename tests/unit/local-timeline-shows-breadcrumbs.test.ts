// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { viewerPage } from '@/lib/observability/server/local/viewer-page'
import { VIEWER_SCRIPT } from '@/lib/observability/server/local/viewer-script'

/**
 * Local mode's timeline (`/observability`) shows a Sentry error's breadcrumbs when the error is
 * expanded: the steps its request took, in order, with level, category, message and data, above
 * the event's JSON. The page's own script runs here against a feed and an event as local mode
 * stores them; every value reaches the page as text, never as markup.
 */

const summary = {
  id: 'ev1',
  at: 1_767_225_600_000,
  time: 1_767_225_600_000,
  backend: 'sentry',
  source: 'server',
  type: 'error',
  title: 'Error: probe failed',
  error: true,
  requestId: 'req-1',
}
const crumbs = [
  { timestamp: 1_767_225_599.5, type: 'default', category: 'chat', level: 'info', message: 'prompt received', data: { chars: 12 } },
  { timestamp: 1_767_225_599.6, category: 'console', level: 'warning', message: '<img src=x onerror=alert(1)> slow model' },
  { timestamp: 1_767_225_599.7, type: 'default', category: 'chat', level: 'error', message: 'model failed' },
]
const stored = (payload: Record<string, unknown>) => ({ ...summary, v: 1, data: { header: {}, items: [{ type: 'event', header: {}, payload }] } })

async function openEvent(detail: unknown): Promise<HTMLElement> {
  document.open()
  document.write(viewerPage('nonce'))
  document.close()
  Object.defineProperty(document, 'hidden', { configurable: true, value: false })
  vi.stubGlobal('fetch', async (url: string) => {
    const body = url.startsWith('/_ox/local/events/')
      ? detail
      : {
          version: '1',
          store: { dir: '.observability', maxEvents: 5000, maxBytes: 50 << 20 },
          events: [summary],
          groups: [
            {
              key: 'request:req-1',
              kind: 'request',
              id: 'req-1',
              title: 'Error: probe failed',
              first: summary.time,
              last: summary.time,
              events: [{ id: 'ev1', by: 'request id' }],
              posthog: 0,
              sentry: 1,
              errors: 1,
            },
          ],
        }
    return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } })
  })
  // The page's script, as the browser runs it from the inline <script>.
  new Function(VIEWER_SCRIPT)()
  await vi.waitFor(() => expect(document.querySelector('details.event[data-id="ev1"]')).not.toBeNull())
  const item = document.querySelector<HTMLDetailsElement>('details.event[data-id="ev1"]')!
  item.open = true
  item.dispatchEvent(new Event('toggle'))
  await vi.waitFor(() => expect(item.querySelector('pre.json')!.textContent).toContain('"items"'))
  return item
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('the local timeline shows a Sentry error’s breadcrumbs', () => {
  it('lists them in order above the JSON, as text', async () => {
    const item = await openEvent(stored({ breadcrumbs: crumbs, exception: { values: [{ type: 'Error', value: 'probe failed' }] } }))
    const rows = [...item.querySelectorAll('.crumbs li.crumb')]
    expect(
      rows.map((r) => [r.querySelector('.level')!.textContent, r.querySelector('.category')!.textContent, r.querySelector('.message')!.textContent]),
    ).toEqual([
      ['info', 'chat', 'prompt received'],
      ['warning', 'console', '<img src=x onerror=alert(1)> slow model'],
      ['error', 'chat', 'model failed'],
    ])
    expect(rows[0]!.querySelector('.data')!.textContent).toBe('{"chars":12}')
    expect(item.querySelector('.crumbs-label')!.textContent).toContain('Breadcrumbs (3)')
    expect(item.querySelector('img')).toBeNull()
    // Above the event's JSON, which still holds everything.
    expect(item.querySelector('.crumbs')!.nextElementSibling).toBe(item.querySelector('pre.json'))
  })

  it('reads Sentry’s `{ values }` form too, and shows nothing for an error without breadcrumbs', async () => {
    const withValues = await openEvent(stored({ breadcrumbs: { values: crumbs.slice(0, 1) } }))
    expect(withValues.querySelectorAll('.crumbs li.crumb')).toHaveLength(1)
    const without = await openEvent(stored({ exception: { values: [] } }))
    expect(without.querySelector('.crumbs')).toBeNull()
  })
})
