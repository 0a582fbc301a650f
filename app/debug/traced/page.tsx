import { headers } from 'next/headers'
import { notFound } from 'next/navigation'
import { connection } from 'next/server'
import { debugRoutesEnabled } from '@/lib/demo/debug-routes'

/**
 * A dynamic server component that calls `fetch` while rendering: with `SENTRY_TRACING=full`, its
 * trace shows the render and the outgoing request; with the default (`kit`) an untracked page
 * is not traced at all. 404 in production builds unless `DEBUG=1`.
 */
export default async function TracedPage() {
  await connection()
  if (!debugRoutesEnabled()) notFound()
  const host = (await headers()).get('host') ?? '127.0.0.1:3000'
  const { res, health, ms } = await timedHealthCheck(`http://${host}/api/health`)
  return (
    <main>
      <h1>Traced render</h1>
      <p>{`/api/health answered ${res.status} (${health.ok ? 'ok' : 'not ok'}) in ${ms} ms.`}</p>
    </main>
  )
}

async function timedHealthCheck(url: string): Promise<{ res: Response; health: { ok?: boolean }; ms: number }> {
  const started = performance.now()
  const res = await fetch(url, { cache: 'no-store' })
  const health = (await res.json()) as { ok?: boolean }
  return { res, health, ms: Math.round(performance.now() - started) }
}
