import type { FastifyReply, FastifyRequest, onErrorAsyncHookHandler } from 'fastify'
import type { DemandDesk } from '../../src/assistant'
import { AnjuError, type ErrorCode } from '../../src/core/errors'
import { RecentMap } from '../../src/core/recent-map'
import type { StaffMember } from '../../src/escalation/staff'

/** Statuses that refuse a staff member (or someone posing as one): each is written to the audit log. */
const REFUSALS = new Set([401, 403, 409, 429])
/** Callers whose last 429 is remembered, so a flood writes one audit entry per limit window, not one per request. */
const THROTTLED_KEPT = 10_000

const bearerToken = (request: FastifyRequest) => {
  const header = request.headers.authorization
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined
}

/** A token in the header, or posted to the console's sign-in. */
const presentsToken = (request: FastifyRequest) =>
  bearerToken(request) !== undefined || typeof (request.body as { token?: unknown } | undefined)?.token === 'string'

/** Who the request speaks for: the bearer token's staff member when a token is sent, else the console session's. */
const memberOf = (desk: DemandDesk, request: FastifyRequest) =>
  request.headers.authorization ? desk.staff.authenticate(bearerToken(request)) : request.consoleSession?.member

/**
 * The staff member behind `Authorization: Bearer <token>`, or behind the staff console's session cookie
 * (checked, CSRF included, by the console's hook), with where the call comes from; 401 without either.
 */
export function staffFrom(desk: DemandDesk, request: FastifyRequest): StaffMember {
  const member = memberOf(desk, request)
  if (!member) throw new AnjuError('ANJU_ERR_UNAUTHORIZED')
  return { ...member, origin: request.ip }
}

/**
 * An `onError` hook for staff routes: every refusal (401, 403, 409, 429) is audited with who (the staff member,
 * or `anonymous`), what (the route and the target) and from where (the client address). One hook per plugin of
 * staff routes: `app.addHook('onError', auditRefusals(desk))`.
 */
export function auditRefusals(desk: DemandDesk): onErrorAsyncHookHandler {
  const throttledUntil = new RecentMap<string, number>(THROTTLED_KEPT)
  return async (request, reply, error) => {
    const status = (error as { statusCode?: number }).statusCode
    if (!status || !REFUSALS.has(status)) return
    const member = memberOf(desk, request)
    const who = { id: member?.id ?? 'anonymous', origin: request.ip }
    if (status === 429 && stillThrottled(throttledUntil, `${who.id}|${who.origin}`, reply, desk.clock.now().getTime())) return
    const target = (request.params as { id?: unknown } | undefined)?.id
    await desk.audit.refused(who, {
      status,
      code: (error as { code?: ErrorCode }).code ?? 'ANJU_ERR_BAD_REQUEST',
      request: `${request.method} ${request.routeOptions.url ?? request.url}`,
      reason: member || status !== 401 ? error.message : presentsToken(request) ? 'unknown token' : 'no token',
    }, typeof target === 'string' ? target.slice(0, 64) : undefined)
  }
}

/** True when this caller's 429 in the current window is already audited; else remembers the window. */
function stillThrottled(until: RecentMap<string, number>, key: string, reply: FastifyReply, now: number): boolean {
  const previous = until.get(key)
  if (previous !== undefined && now < previous) return true
  until.set(key, now + Number(reply.getHeader('retry-after') ?? 1) * 1000)
  return false
}
