import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resetObservability } from 'nextjs-observability-kit/testing'
import { posthogBatch, request, routes, sentryEnvelope, storedText, useLocalMode, waitForStored } from '../support/local-routes'

/**
 * Local mode's store is an exit like any other: whatever sends it events (the SDKs, which scrub
 * already, or anything posting straight to its routes), what reaches the disk follows the policy.
 */

let dir: string
const saved = { ...process.env }

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ox-store-secrets-'))
  useLocalMode(dir)
})
afterAll(() => {
  process.env = { ...saved }
  resetObservability()
  rmSync(dir, { recursive: true, force: true })
})

describe('local mode writes no secret to disk', () => {
  it('scrubs PostHog events and Sentry envelopes that reach it unscrubbed', async () => {
    const posthog = posthogBatch('stored-secret-check', {
      $current_url: 'http://localhost:3000/reset?token=StoredTokenSecret991&page=2',
      note: 'password=StoredPasswordSecret992',
    })
    expect((await routes.posthog(request('/_ox/p/e/', { method: 'POST', body: posthog, headers: { 'content-type': 'text/plain' } }))).status).toBe(200)
    const envelope = sentryEnvelope('login failed for api_key=StoredApiKeySecret993 card 4111 1111 1111 1111', false)
    expect((await routes.sentryIngest(request('/_ox/s/api/1/envelope/?sentry_key=local', { method: 'POST', body: envelope }))).status).toBe(200)
    // The store writes in arrival order: a marker sent last proves the rest were written.
    await routes.posthog(request('/_ox/p/e/', { method: 'POST', body: posthogBatch('stored-secret-last'), headers: { 'content-type': 'text/plain' } }))
    await waitForStored(dir, 'stored-secret-last')
    const text = storedText(dir)
    expect(text).toContain('stored-secret-check')
    expect(text).toContain('page=2')
    expect(text).toContain('login failed for api_key=')
    for (const secret of ['StoredTokenSecret991', 'StoredPasswordSecret992', 'StoredApiKeySecret993', '4111 1111 1111 1111']) expect(text).not.toContain(secret)
  })
})
