import type { TicketCounts, TicketQuery, TicketScope } from '../store/types'
import { isOpenStatus, TICKET_STATUSES, type Ticket, type TicketPriority, type TicketStatus } from './ticket'

/** What staff filter their tickets by, in the API and in the console's inbox. */
export interface TicketListFilter {
  /** A status, or `unresolved` for every status before resolved. */
  status?: TicketStatus | 'unresolved'
  settlement?: string
  topic?: string
  priority?: TicketPriority
  overdue?: boolean
  /** `me`: assigned to the caller; `unassigned`: nobody's yet. */
  assignee?: 'me' | 'unassigned'
}

export const isOverdue = (ticket: Pick<Ticket, 'status' | 'dueAt'>, nowIso: string) => isOpenStatus(ticket.status) && ticket.dueAt < nowIso

function ticketMatches(t: Ticket, filter: TicketListFilter, staffId: string, nowIso: string): boolean {
  return (!filter.status || (filter.status === 'unresolved' ? isOpenStatus(t.status) : t.status === filter.status)) &&
    (!filter.settlement || t.settlementId === filter.settlement) &&
    (!filter.topic || t.category === filter.topic) &&
    (!filter.priority || t.priority === filter.priority) &&
    (filter.overdue === undefined || isOverdue(t, nowIso) === filter.overdue) &&
    (!filter.assignee || (filter.assignee === 'me' ? t.assignee === staffId : !t.assignee))
}

/** The inbox order: open urgent tickets first, then by due time (the most pressing on top), finished ones last. */
function byUrgencyThenDue(a: Ticket, b: Ticket): number {
  const rank = (t: Ticket) => (isOpenStatus(t.status) ? (t.priority === 'urgent' ? 0 : 1) : 2)
  return rank(a) - rank(b) || a.dueAt.localeCompare(b.dueAt)
}

const inScope = (t: Ticket, scope: TicketScope) => !scope.settlements || (t.settlementId !== undefined && scope.settlements.includes(t.settlementId))

/** `TicketRepository.query` over tickets in memory: what a store without a query language does. */
export function queryTickets(tickets: Ticket[], q: TicketQuery): { tickets: Ticket[]; total: number } {
  const matching = tickets.filter((t) => inScope(t, q) && ticketMatches(t, q, q.staffId, q.now)).sort((a, b) => byUrgencyThenDue(a, b) || a.id.localeCompare(b.id))
  const offset = q.offset ?? 0
  return { tickets: matching.slice(offset, offset + q.limit), total: matching.length }
}

/** `TicketRepository.counts` over tickets in memory. */
export function countTickets(tickets: Ticket[], scope: TicketScope): TicketCounts {
  const visible = tickets.filter((t) => inScope(t, scope))
  const open = visible.filter((t) => isOpenStatus(t.status))
  return {
    unresolved: open.length,
    overdue: open.filter((t) => isOverdue(t, scope.now)).length,
    urgent: open.filter((t) => t.priority === 'urgent').length,
    mine: open.filter((t) => t.assignee === scope.staffId).length,
    unassigned: open.filter((t) => !t.assignee).length,
    byStatus: Object.fromEntries(TICKET_STATUSES.map((s) => [s, visible.filter((t) => t.status === s).length])) as Record<TicketStatus, number>,
  }
}
