import { bootObservability } from 'nextjs-observability-kit/client'

// Runs before hydration: from here on, browser errors are kept until the SDKs (loaded after the
// `load` event) can take them. Reads one cookie and does nothing else when both backends are off.
bootObservability()
