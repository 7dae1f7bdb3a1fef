import { access } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import fastifyCookie from '@fastify/cookie'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { DemandDesk, KnowledgeSource } from '../../../src/assistant'
import { AnjuError } from '../../../src/core/errors'
import type { ConsoleSessionOptions } from '../../../src/store/console-sessions'
import type { ConsoleSessionStore, ResidentRepository } from '../../../src/store/types'
import { auditRefusals } from '../staff-auth'
import { parse } from '../validate'
import { consoleRoutes } from './console-routes'
import { LiveAlerts } from './live-alerts'
import { CONSOLE_COOKIE, ConsoleSessions, csrfMatches, type ConsoleSession } from './sessions'

declare module 'fastify' {
  interface FastifyRequest {
    /** The console session behind the request's cookie, if signed in. */
    consoleSession?: ConsoleSession
  }
}

export interface ConsoleOptions {
  desk: DemandDesk
  residents: ResidentRepository
  knowledge: KnowledgeSource
  /** A session unused this long ends (CONSOLE_IDLE_MINUTES). */
  idleMinutes?: number
  /** Sessions every instance shares (PostgreSQL); in this process's memory without it. */
  openSessions?: (options: ConsoleSessionOptions) => ConsoleSessionStore
}

export const CONSOLE_DEFAULTS = {
  /** A session unused this long ends. */
  idleMinutes: 30,
  /** Sign-in attempts per client address a minute: guessing tokens stays slow, a typo costs nothing. */
  signInsPerMinute: 10,
}

/** Built by `npm run build` from `web/`. */
export const CONSOLE_DIST = fileURLToPath(new URL('./dist/', import.meta.url))
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
/** Only what the console's own files need: no inline script, nothing from elsewhere, never framed. */
const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

const signIn = z.object({ token: z.string({ error: 'token must be a string' }).trim().min(1, 'paste your staff token').max(512) })

/**
 * The staff console at /console: sign-in with a staff token that becomes a session cookie (httpOnly,
 * SameSite=Strict, Secure behind https, idle expiry), CSRF protection on every state change, and the pages' files.
 * A signed-in request is the same staff member to the staff and notices APIs as their bearer token would be, so
 * what the console shows is exactly what the API allows.
 */
export async function registerConsole(app: FastifyInstance, options: ConsoleOptions): Promise<LiveAlerts> {
  const { desk } = options
  const idleMs = (options.idleMinutes ?? CONSOLE_DEFAULTS.idleMinutes) * 60_000
  const sessions = options.openSessions?.({ idleMs, staff: desk.staff }) ?? new ConsoleSessions(idleMs)
  const live = new LiveAlerts(desk.staff, sessions, () => desk.clock.now())
  desk.service.onAlert((alert) => live.publish(alert))
  app.addHook('onClose', async () => live.close())

  await app.register(fastifyCookie)
  // This plugin's hooks reach the whole server: the console's refusals only (the staff API audits its own).
  const auditRefusal = auditRefusals(desk)
  app.addHook('onError', async (request, reply, error) => {
    if (request.url.startsWith('/console/')) await auditRefusal.call(app, request, reply, error)
  })
  app.addHook('onRequest', async (request) => {
    const session = await sessions.get(request.cookies[CONSOLE_COOKIE])
    if (!session) return
    if (request.headers['x-anju-background'] !== '1') await sessions.touch(session)
    if (request.headers.authorization) return
    if (!SAFE_METHODS.has(request.method) && !csrfMatches(session, request.headers['x-csrf-token'])) throw new AnjuError('ANJU_ERR_CSRF')
    request.consoleSession = session
  })

  const built = await access(CONSOLE_DIST).then(() => true, () => false)
  if (built) {
    await app.register(fastifyStatic, { root: CONSOLE_DIST, prefix: '/console/assets/', index: false, wildcard: true, decorateReply: true })
  }
  const page = async (_request: FastifyRequest, reply: FastifyReply) => {
    if (!built) throw new AnjuError('ANJU_ERR_NOT_FOUND', 'the console is not built: run npm run build')
    return reply.header('content-security-policy', CONTENT_SECURITY_POLICY).header('cache-control', 'no-store').sendFile('index.html', { cacheControl: false })
  }
  app.get('/console', page)
  app.get('/console/', page)

  const secure = (request: FastifyRequest) => request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https'

  app.post('/console/api/session', { config: { rateLimit: { max: CONSOLE_DEFAULTS.signInsPerMinute, timeWindow: 60_000 } } }, async (request, reply) => {
    // A cross-site form can post text or form data, not JSON: signing in is a state change too.
    if (!request.headers['content-type']?.startsWith('application/json')) throw new AnjuError('ANJU_ERR_BAD_REQUEST', 'send the token as JSON')
    const { token } = parse(signIn, request.body)
    const member = desk.staff.authenticate(token)
    if (!member) {
      request.log.warn({ ip: request.ip }, 'console: sign-in refused')
      throw new AnjuError('ANJU_ERR_UNAUTHORIZED', 'this staff token is not known')
    }
    const previous = request.cookies[CONSOLE_COOKIE]
    if (previous) await sessions.delete(previous)
    const session = await sessions.create(member)
    await desk.audit.record(member, 'console.sign_in')
    // No max-age: the cookie ends with the browser, the session after its idle time, whichever comes first.
    reply.setCookie(CONSOLE_COOKIE, session.id, { httpOnly: true, sameSite: 'strict', secure: secure(request), path: '/' })
    return { csrf: session.csrf }
  })

  app.post('/console/api/session/end', async (request, reply) => {
    const session = request.consoleSession
    if (session) {
      await sessions.delete(session.id)
      await desk.audit.record(session.member, 'console.sign_out')
    }
    reply.clearCookie(CONSOLE_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: secure(request) })
    return { signedOut: true }
  })

  app.get('/console/api/events', async (request, reply) => {
    const session = request.consoleSession
    if (!session) throw new AnjuError('ANJU_ERR_UNAUTHORIZED', 'sign in to the console')
    reply.hijack()
    live.open(session, reply.raw)
  })

  await app.register(consoleRoutes, options)
  return live
}
