import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { deskFixture, TOKENS, useDeskWorkspace } from '../escalation/desk-fixture'
import { TEST_DATABASE_URL, usePostgresSchema } from '../postgres'

const schema = usePostgresSchema()
const ws = useDeskWorkspace('2026-11-30T17:00:00.000Z')

/** Signs in on `app`; the cookie and CSRF token then work on whichever server is given to `call`. */
async function signIn(app: FastifyInstance, token: string) {
  const response = await app.inject({ method: 'POST', url: '/console/api/session', payload: { token } })
  expect(response.statusCode).toBe(200)
  const cookie = String(response.headers['set-cookie']).split(';')[0]!
  const { csrf } = response.json() as { csrf: string }
  const call = (on: FastifyInstance, method: 'GET' | 'POST', url: string, payload?: object, withCsrf = true) =>
    on.inject({ method, url, payload, headers: { cookie, ...(withCsrf ? { 'x-csrf-token': csrf } : {}) } })
  return { cookie, csrf, call }
}

/** Two servers, each with its own assistant, on this file's schema. */
async function twoInstances() {
  const fixture = await deskFixture(ws.dir, ws.clock)
  const env = { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema.name }
  const a = await fixture.start(env)
  const b = await fixture.start(env)
  const close = async () => {
    for (const instance of [a, b]) {
      await instance.app.close()
      await instance.assistant.stores.close()
    }
  }
  return { a, b, close }
}

describe('console sessions with two instances on one database', () => {
  it('a session made on A is accepted on B with its CSRF token, and signing out on B ends it on A', async () => {
    const { a, b, close } = await twoInstances()
    try {
      await a.say('41', '/settlement xingfu_jiayuan_sample')
      await a.say('41', '我要投诉3栋502楼道灯坏了一个月没人修')
      const [ticket] = await a.assistant.desk!.service.ofResident('telegram:41')
      const li = await signIn(a.app, TOKENS.li)

      const session = (await li.call(b.app, 'GET', '/console/api/session')).json()
      expect(session).toMatchObject({ csrf: li.csrf, staff: { id: 'li_xiaofang' } })
      expect((await li.call(b.app, 'GET', '/console/api/inbox')).json().tickets.map((t: { id: string }) => t.id)).toEqual([ticket!.id])
      expect((await li.call(b.app, 'POST', `/api/tickets/${ticket!.id}/notes`, { text: '去看过了' }, false)).json()).toMatchObject({ statusCode: 403, code: 'ANJU_ERR_CSRF' })
      expect((await li.call(b.app, 'POST', `/api/tickets/${ticket!.id}/notes`, { text: '去看过了' })).statusCode).toBe(200)

      expect((await li.call(b.app, 'POST', '/console/api/session/end', {})).statusCode).toBe(200)
      expect((await li.call(a.app, 'GET', '/console/api/inbox')).statusCode).toBe(401)
      expect((await li.call(b.app, 'GET', '/console/api/inbox')).statusCode).toBe(401)
      const actions = (await a.assistant.desk!.audit.list()).map((entry) => entry.action)
      expect(actions).toEqual(expect.arrayContaining(['console.sign_in', 'ticket.note', 'console.sign_out']))
    } finally {
      await close()
    }
  })

  it('signing out on B ends the live stream open on A at its next event', async () => {
    const { a, b, close } = await twoInstances()
    const abort = new AbortController()
    try {
      const li = await signIn(a.app, TOKENS.li)
      const base = await a.app.listen({ port: 0, host: '127.0.0.1' })
      const stream = await fetch(`${base}/console/api/events`, { headers: { cookie: li.cookie }, signal: abort.signal })
      expect(stream.status).toBe(200)
      expect((await li.call(b.app, 'POST', '/console/api/session/end', {})).statusCode).toBe(200)
      // An urgent ticket alerts every caseworker of the settlement: the stream's next event, which finds it signed out.
      await a.say('42', '/settlement xingfu_jiayuan_sample')
      await a.say('42', '家里煤气泄漏了')
      const text = await stream.text()
      expect(text).toContain('event: signed_out')
      expect(text).not.toContain('event: alert')
    } finally {
      abort.abort()
      await close()
    }
  })
})
