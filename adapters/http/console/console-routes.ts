import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { AnjuError } from '../../../src/core/errors'
import { REPORT_TOPICS } from '../../../src/escalation/reports'
import type { StaffMember } from '../../../src/escalation/staff'
import { ticketIdPattern, type Ticket } from '../../../src/escalation/ticket'
import { residentKey } from '../../../src/store/types'
import { staffFrom } from '../staff-auth'
import { ticketListQuery } from '../staff-api'
import { parse } from '../validate'
import { CONSOLE_DEFAULTS, type ConsoleOptions } from './console-plugin'
import { ticketSummary } from './live-alerts'

/** Tickets the inbox lists at most; the counts cover all of them. */
const INBOX_LIMIT = 500
/** Duplicates offered for merging: the resident's own open tickets, or the same topic in the settlement lately. */
const DUPLICATE_WINDOW_MS = 14 * 86_400_000

/**
 * What the console needs beyond the staff API: the signed-in person and their settlements, topics and colleagues;
 * the inbox with its counts; a ticket with the resident's language, canned replies, assignees and possible
 * duplicates; and the knowledge reload. Every answer goes through the same ticket service checks.
 */
export async function consoleRoutes(app: FastifyInstance, { desk, residents, knowledge, idleMinutes = CONSOLE_DEFAULTS.idleMinutes }: ConsoleOptions): Promise<void> {
  const staffOf = (request: FastifyRequest) => staffFrom(desk, request)
  const colleagues = (member: StaffMember) => {
    const people = [...member.settlements.flatMap((s) => [...desk.staff.ofSettlement(s, 'caseworker'), ...desk.staff.ofSettlement(s, 'supervisor')]), ...desk.staff.admins()]
    return [...new Map(people.map((p) => [p.id, { id: p.id, name: p.name, role: p.role, settlements: p.settlements }])).values()]
  }

  app.get('/console/api/session', async (request) => {
    const session = request.consoleSession
    if (!session) throw new AnjuError('ANJU_ERR_UNAUTHORIZED', 'sign in to the console')
    const { member } = session
    const kb = knowledge.current()
    return {
      csrf: session.csrf,
      idleMinutes,
      staff: { id: member.id, name: member.name, role: member.role, settlements: member.settlements, hasChatContact: member.contacts.length > 0 },
      settlements: kb.settlements.filter((s) => member.settlements.includes(s.id)).map((s) => ({ id: s.id, name: s.name })),
      topics: [...REPORT_TOPICS.map((id) => ({ id, title: kb.topics.get(id)!.title })), { id: 'other', title: { 'zh-CN': '其他', en: 'Other' } }],
      tags: Object.entries(kb.notices.tags).map(([id, tag]) => ({ id, label: tag.label })),
      colleagues: colleagues(member),
    }
  })

  app.get('/console/api/inbox', async (request) => {
    const member = staffOf(request)
    const filter = parse(ticketListQuery, request.query)
    const nowIso = desk.clock.now().toISOString()
    const [counts, page] = await Promise.all([desk.service.counts(member), desk.service.list(member, filter, { limit: INBOX_LIMIT })])
    return { counts, total: page.total, tickets: page.tickets.map((t) => ticketSummary(t, nowIso)) }
  })

  app.get('/console/api/tickets/:id', async (request) => {
    const member = staffOf(request)
    const { id } = parse(z.object({ id: z.string().regex(ticketIdPattern, 'a ticket id such as T261123-0007') }), request.params)
    const ticket = await desk.service.get(member, id)
    const resident = await residents.get(ticket.residentKey)
    const locale = resident?.locale ?? 'zh-CN'
    const kb = knowledge.current()
    const canned = kb.cannedReplies.filter((r) => r.topic === 'any' || r.topic === ticket.category).map((r) => ({ topic: r.topic, label: r.label, text: r.text[locale] }))
    const assignable = member.role === 'caseworker' ? [member] : desk.staff.ofSettlement(ticket.settlementId, 'caseworker')
    return {
      ticket,
      resident: { locale, displayName: resident?.displayName, channel: ticket.channel, linked: residentKey(ticket.channel, ticket.channelUserId) !== ticket.residentKey },
      canned,
      assignable: assignable.map((m) => ({ id: m.id, name: m.name })),
      duplicates: (await duplicatesOf(member, ticket)).map((t) => ticketSummary(t, desk.clock.now().toISOString())),
    }
  })

  app.post('/console/api/knowledge/reload', async (request, reply) => {
    const member = staffOf(request)
    if (member.role === 'caseworker') throw new AnjuError('ANJU_ERR_FORBIDDEN', 'supervisors and admins reload the knowledge base')
    const outcome = await knowledge.reload()
    await desk.audit.record(member, 'knowledge.reload', undefined, outcome.ok ? { ok: true } : { ok: false, problems: outcome.problems.length })
    return reply.status(outcome.ok ? 200 : 422).send(outcome)
  })

  async function duplicatesOf(member: StaffMember, ticket: Ticket): Promise<Ticket[]> {
    if (ticket.mergedInto) return []
    const since = Date.parse(ticket.createdAt) - DUPLICATE_WINDOW_MS
    const candidates = (await desk.tickets.list({ from: new Date(since), openOnly: true, ...desk.service.visibleTo(member) }))
      .filter((t) => t.id !== ticket.id)
    return candidates
      .filter((t) => t.residentKey === ticket.residentKey || (t.settlementId === ticket.settlementId && t.category === ticket.category))
      .slice(0, 10)
  }
}
