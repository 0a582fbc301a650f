'use client'

import { useState, type FormEvent } from 'react'
import { DEMO_USER_CHANGED, DEMO_USER_COOKIE as COOKIE } from '@/lib/demo/user'

/** The demo's fake sign-in (README, "The demo"): writes the `demo_user` cookie, nothing else. */
export function DemoSignIn() {
  const [status, setStatus] = useState('')
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const user = { id: String(form.get('id') || 'demo-user-1'), email: String(form.get('email') || ''), name: String(form.get('name') || '') }
    document.cookie = `${COOKIE}=${encodeURIComponent(JSON.stringify(user))}; Path=/; SameSite=Lax`
    window.dispatchEvent(new Event(DEMO_USER_CHANGED))
    setStatus(`Signed in as ${user.id}`)
  }
  function signOut() {
    document.cookie = `${COOKIE}=; Path=/; Max-Age=0; SameSite=Lax`
    window.dispatchEvent(new Event(DEMO_USER_CHANGED))
    setStatus('Signed out')
  }
  return (
    <form onSubmit={onSubmit} aria-label="Fake sign-in">
      <label>
        Id <input name="id" defaultValue="demo-user-1" />
      </label>
      <label>
        Email <input name="email" type="email" defaultValue="ada@example.com" />
      </label>
      <label>
        Name <input name="name" defaultValue="Ada Lovelace" />
      </label>
      <button type="submit" id="sign-in">
        Sign in
      </button>
      <button type="button" id="sign-out" onClick={signOut}>
        Sign out
      </button>
      <span role="status">{status}</span>
    </form>
  )
}
