import { adoptionSuite } from './support/adoption-suite'
import { NEXT16_SRC_CACHE_COMPONENTS } from './support/cells'

// create-next-app@16.4.3's default template (Tailwind, Cache Components, Turbopack) in src/,
// with the app's own proxy.ts redirecting signed-out visitors before init.
adoptionSuite(NEXT16_SRC_CACHE_COMPONENTS)
