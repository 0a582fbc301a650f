import type { NextConfig } from 'next'
import { withObservabilityConfig } from 'nextjs-observability-kit/next-config'

const nextConfig: NextConfig = {
  // Tests and benchmarks build into their own folder so they never clash with `next dev`.
  distDir: process.env.OBS_DIST_DIR || '.next',
  reactStrictMode: true,
  poweredByHeader: false,
}

export default withObservabilityConfig(nextConfig)
