import type { NextConfig } from 'next'
import { withObservabilityConfig } from './lib/observability/next-config'

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
}

export default withObservabilityConfig(nextConfig)
