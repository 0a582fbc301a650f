import 'server-only'
import { createOnRequestError } from '@/lib/observability/server'
import { demoUserFromHeaders } from '@/lib/demo/user'

/** The demo's `onRequestError`, knowing how to read its fake sign-in. */
export const onRequestError = createOnRequestError({ getUser: demoUserFromHeaders })
