import { adoptionSuite } from './support/adoption-suite'
import { NEXT15_WEBPACK_MIDDLEWARE } from './support/cells'

// create-next-app@15.5.28 built by webpack (Next 15's default for next build), ESLint in the
// build, with the app's own Edge middleware.ts redirecting signed-out visitors before init.
adoptionSuite(NEXT15_WEBPACK_MIDDLEWARE)
