import type { Metadata } from 'next'
import { notFound } from 'next/navigation'
import { DebugThrow } from '@/components/DebugThrow'
import { FeatureFlagsBootstrap } from 'nextjs-observability-kit/client'
import { cookies } from 'next/headers'
import { getFlagBootstrap } from 'nextjs-observability-kit/server'
import { debugRoutesEnabled } from '@/lib/demo/debug-routes'
import { DEMO_USER_COOKIE, parseDemoUser } from '@/lib/demo/user'

export const metadata: Metadata = { title: 'Debug: throw' }

// `DEBUG` is read when the request arrives, never at build time (one build serves every environment).
export const dynamic = 'force-dynamic'

/**
 * The debug-throw page (README, "The demo"). Dynamic: it evaluates flags per visitor so the server HTML
 * already shows the right variant. 404 in production builds unless `DEBUG=1`.
 */
export default async function DebugThrowPage() {
  if (!debugRoutesEnabled()) notFound()
  const user = parseDemoUser((await cookies()).get(DEMO_USER_COOKIE)?.value)
  const { flags, distinctId } = await getFlagBootstrap({ user })
  return (
    <FeatureFlagsBootstrap flags={flags} distinctId={distinctId}>
      <DebugThrow />
    </FeatureFlagsBootstrap>
  )
}
