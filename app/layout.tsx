import type { Metadata } from 'next'
import type { ReactNode } from 'react'
import { DemoObservability } from '@/components/DemoObservability'
import './globals.css'

export const metadata: Metadata = {
  title: 'Observability kit demo',
  description: 'PostHog + Sentry for the Next.js App Router, wired correctly.',
}

/**
 * Stays a static server component: the provider is a leaf next to `children` and reads nothing
 * per-request on the server (its config arrives with the response, the demo user in the browser).
 */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        {children}
        <DemoObservability />
      </body>
    </html>
  )
}
