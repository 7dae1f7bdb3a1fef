import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { DemandDesk } from '../../src/assistant'
import { AnjuError } from '../../src/core/errors'
import { ticketReport, ticketReportCsv } from '../../src/escalation/reports'
import type { StaffMember } from '../../src/escalation/staff'
import { TICKET_STATUSES } from '../../src/escalation/ticket'
import type { ConversationRepository } from '../../src/store/types'
import { auditRefusals, staffFrom } from './staff-auth'
import { parse } from './validate'

export interface StaffApiOptions {
  desk: DemandDesk
  conversations: ConversationRepository
}

const text = z.string({ error: 'text must be a string' }).trim().min(1, 'text must not be empty').max(2000, 'text is at most 2000 characters')
const idParams = z.object({ id: z.string().regex(/^T\d{6}-\d{4,}$/, 'a ticket id such as T261123-0007') })
// An ISO date or date-time in the query, as a Date.
const isoDate = z.iso.datetime({ offset: true }).or(z.iso.date()).transform((value) => new Date(value))
const listQuery = z.object({
  status: z.enum(TICKET_STATUSES).optional(),
  settlement: z.string().optional(),
  priority: z.enum(['urgent', 'normal']).optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
})
const rangeQuery = z.object({ from: isoDate.optional(), to: isoDate.optional(), format: z.enum(['json', 'csv']).optional() })

/**
 * The staff API: tickets (list, get, assign, reply, status, note), reports and the unanswered questions.
 * Every route needs `Authorization: Bearer <token>`; what a caseworker may see is decided in the ticket service.
 */
export async function staffApi(app: FastifyInstance, { desk, conversations }: StaffApiOptions): Promise<void> {
  app.addHook('onError', auditRefusals(desk))
  const staffOf = (request: FastifyRequest) => staffFrom(desk, request)
  const supervisorOrAdmin = (member: StaffMember) => {
    if (member.role === 'caseworker') throw new AnjuError('ANJU_ERR_FORBIDDEN', 'supervisors and admins only')
  }

  app.get('/api/tickets', async (request) => {
    const member = staffOf(request)
    return { tickets: await desk.service.list(member, parse(listQuery, request.query)) }
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
    const { status } = parse(z.object({ status: z.enum(TICKET_STATUSES) }), request.body)
    return desk.service.changeStatus(member, parse(idParams, request.params).id, status)
  })

  app.post('/api/tickets/:id/notes', async (request) => {
    const member = staffOf(request)
    return desk.service.note(member, parse(idParams, request.params).id, parse(z.object({ text }), request.body).text)
  })

  app.get('/api/reports/tickets', async (request, reply) => {
    const member = staffOf(request)
    const { from, to, format } = parse(rangeQuery, request.query)
    const range = { from: from?.toISOString(), to: to?.toISOString() }
    const tickets = (await desk.tickets.list({ from, to })).filter((t) => desk.staff.canSee(member, t))
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
    await desk.audit.record(member, 'unanswered.list')
    return { questions: await conversations.listUnanswered({ from, to, limit: 500 }) }
  })
}
