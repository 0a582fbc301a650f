import { afterAll, describe, expect, it, vi } from 'vitest'
import { registerNode } from '@/lib/observability/server/register'
import { resetObservability } from 'nextjs-observability-kit/testing'

/**
 * Sentry on the server runs without OpenTelemetry (docs/decisions/009), so its library
 * instrumentations can record nothing: the kit installs only the integrations that work without
 * it and no module-loading hooks, while errors, request data, context and spans are all kept.
 */

const saved = { ...process.env }
afterAll(() => {
  process.env = { ...saved }
  resetObservability()
})

describe('Sentry on the server hooks only what works without OpenTelemetry', () => {
  it('keeps error capture, request data, context, fetch spans and span delivery; drops library instrumentations and loader hooks', async () => {
    for (const k of Object.keys(process.env)) if (/^(POSTHOG|SENTRY)_/.test(k)) delete process.env[k]
    Object.assign(process.env, { SENTRY_DSN: 'http://key@127.0.0.1:9/1' })
    resetObservability()
    const warn = vi.spyOn(console, 'warn')
    await registerNode()
    const Sentry = await import('@sentry/nextjs')
    const client = Sentry.getClient()!
    const installed = (client.getOptions().integrations ?? []).map((i) => i.name)
    for (const name of [
      'OnUncaughtException',
      'OnUnhandledRejection',
      'LinkedErrors',
      'RequestData',
      'ContextLines',
      'Context',
      'NodeFetch',
      'SpanStreaming',
      'NextjsUseCache',
    ])
      expect(installed).toContain(name)
    for (const name of ['Http', 'Express', 'Prisma', 'Postgres', 'OpenAI', 'Anthropic_AI', 'VercelAI', 'ConversationId']) expect(installed).not.toContain(name)
    expect(client.getOptions()).toMatchObject({ enableOpenTelemetrySetup: false, enableRuntimeChannelInjection: false })
    expect(warn.mock.calls.flat().join('\n')).not.toMatch(/diagnostics-channel/)
    warn.mockRestore()
  })
})
