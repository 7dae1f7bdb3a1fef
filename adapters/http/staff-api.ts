import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { DemandDesk } from '../../src/assistant'
import { AnjuError } from '../../src/core/errors'
import { chinaRange } from '../../src/core/china-time'
import { ticketReport, ticketReportCsv } from '../../src/escalation/reports'
import type { StaffMember } from '../../src/escalation/staff'
import { TICKET_STATUSES } from '../../src/escalation/ticket'
import { TICKET_PAGE_DEFAULTS } from '../../src/escalation/ticket-service'
import { groupUnanswered } from '../../src/escalation/unanswered'
import { residentKey, type ConversationRepository, type ConversationTurn, type ResidentRepository } from '../../src/store/types'
import { auditRefusals, staffFrom } from './staff-auth'
import { parse } from './validate'

export interface StaffApiOptions {
  desk: DemandDesk
  conversations: ConversationRepository
  /** Where residents live, for questions recorded before turns carried the settlement. */
  residents?: ResidentRepository
}

const text = z.string({ error: 'text must be a string' }).trim().min(1, 'text must not be empty').max(2000, 'text is at most 2000 characters')
const idParams = z.object({ id: z.string().regex(/^T\d{6}-\d{4,}$/, 'a ticket id such as T261123-0007') })
// An ISO date (a day in China time) or date-time in the query.
const isoDate = z.iso.datetime({ offset: true }).or(z.iso.date())
export const ticketListQuery = z.object({
  status: z.enum([...TICKET_STATUSES, 'unresolved']).optional(),
  settlement: z.string().optional(),
  topic: z.string().optional(),
  priority: z.enum(['urgent', 'normal']).optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  assignee: z.enum(['me', 'unassigned']).optional(),
})
const ticketPageQuery = ticketListQuery.extend({
  limit: z.coerce.number().int().min(1).max(TICKET_PAGE_DEFAULTS.maxLimit, `limit: at most ${TICKET_PAGE_DEFAULTS.maxLimit}`).default(TICKET_PAGE_DEFAULTS.limit),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
})
const rangeQuery = z.object({ from: isoDate.optional(), to: isoDate.optional(), format: z.enum(['json', 'csv']).optional() })
  .refine((q) => !q.from || !q.to || chinaRange(q.from).from! < chinaRange(undefined, q.to).to!, { message: 'to: must not be before from' })
const statusBody = z.object({ status: z.enum(TICKET_STATUSES), note: z.string().trim().max(2000, 'note is at most 2000 characters').optional() })

/**
 * The staff API: tickets (list, get, assign, reply, status, note), reports and the unanswered questions.
 * Every route needs `Authorization: Bearer <token>`; what a caseworker may see is decided in the ticket service.
 */
export async function staffApi(app: FastifyInstance, { desk, conversations, residents }: StaffApiOptions): Promise<void> {
  app.addHook('onError', auditRefusals(desk))
  const staffOf = (request: FastifyRequest) => staffFrom(desk, request)
  const supervisorOrAdmin = (member: StaffMember) => {
    if (member.role === 'caseworker') throw new AnjuError('ANJU_ERR_FORBIDDEN', 'supervisors and admins only')
  }

  app.get('/api/tickets', async (request) => {
    const member = staffOf(request)
    const { limit, offset, ...filter } = parse(ticketPageQuery, request.query)
    return desk.service.list(member, filter, { limit, offset })
  })

  app.get('/api/tickets/:id', async (request) => {
    const member = staffOf(request)
    return desk.service.get(member, parse(idParams, request.params).id)
  })

  app.post('/api/tickets/:id/assign', async (request) => {
    const member = staffOf(request)
    const { assignee } = parse(z.object({ assignee: z.string().min(1, 'assignee must name a caseworker') }), request.body)
    return desk.service.assign(member, parse(idParams, request.params).id, assignee)
  })

  app.post('/api/tickets/:id/reply', async (request) => {
    const member = staffOf(request)
    return desk.service.reply(member, parse(idParams, request.params).id, parse(z.object({ text }), request.body).text)
  })

  app.post('/api/tickets/:id/status', async (request) => {
    const member = staffOf(request)
    const { status, note } = parse(statusBody, request.body)
    return desk.service.changeStatus(member, parse(idParams, request.params).id, status, note)
  })

  app.post('/api/tickets/:id/merge', async (request) => {
    const member = staffOf(request)
    const { into } = parse(z.object({ into: idParams.shape.id }), request.body)
    return desk.service.merge(member, parse(idParams, request.params).id, into)
  })

  app.post('/api/tickets/:id/notes', async (request) => {
    const member = staffOf(request)
    return desk.service.note(member, parse(idParams, request.params).id, parse(z.object({ text }), request.body).text)
  })

  app.get('/api/reports/tickets', async (request, reply) => {
    const member = staffOf(request)
    const { from, to, format } = parse(rangeQuery, request.query)
    const range = { from, to }
    const tickets = await desk.tickets.list({ ...chinaRange(from, to), ...desk.service.visibleTo(member) })
    await desk.audit.record(member, 'report.tickets', undefined, { ...range, format })
    const report = ticketReport(tickets, desk.clock.now(), range)
    const wantsCsv = format === 'csv' || (!format && request.headers.accept?.includes('text/csv'))
    if (!wantsCsv) return report
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="tickets-report.csv"').send(ticketReportCsv(report))
  })

  app.get('/api/unanswered', async (request) => {
    const member = staffOf(request)
    supervisorOrAdmin(member)
    const { from, to } = parse(rangeQuery, request.query)
    await desk.audit.record(member, 'unanswered.list', undefined, { from, to })
    const questions = (await withSettlements(await conversations.listUnanswered({ ...chinaRange(from, to), limit: 2000 })))
      .filter((turn) => desk.staff.canSee(member, turn))
    return { questions: questions.slice(0, 500), groups: groupUnanswered(questions) }
  })

  /** Each turn with the settlement of the resident who asked (from the profile for turns recorded without it). */
  async function withSettlements(turns: ConversationTurn[]): Promise<ConversationTurn[]> {
    const settlementOf = new Map<string, string | undefined>()
    const result: ConversationTurn[] = []
    for (const turn of turns) {
      if (turn.settlementId || !residents) {
        result.push(turn)
        continue
      }
      const key = residentKey(turn.channel, turn.channelUserId)
      if (!settlementOf.has(key)) settlementOf.set(key, (await residents.get(key))?.settlementId)
      const settlementId = settlementOf.get(key)
      result.push(settlementId ? { ...turn, settlementId } : turn)
    }
    return result
  }
}
