import { adoptionSuite } from './support/adoption-suite'
import { NEXT16_JS_BASEPATH_STANDALONE } from './support/cells'

// create-next-app@16.4.3 in JavaScript (next.config.mjs), served under basePath /shop from
// output: 'standalone' (node .next/standalone/server.js), as a Docker image runs it.
adoptionSuite(NEXT16_JS_BASEPATH_STANDALONE)
