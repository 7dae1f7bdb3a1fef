import { isOpenStatus, type Ticket, type TicketPriority, type TicketStatus } from './ticket'

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

export function ticketMatches(t: Ticket, filter: TicketListFilter, staffId: string, nowIso: string): boolean {
  return (!filter.status || (filter.status === 'unresolved' ? isOpenStatus(t.status) : t.status === filter.status)) &&
    (!filter.settlement || t.settlementId === filter.settlement) &&
    (!filter.topic || t.category === filter.topic) &&
    (!filter.priority || t.priority === filter.priority) &&
    (filter.overdue === undefined || isOverdue(t, nowIso) === filter.overdue) &&
    (!filter.assignee || (filter.assignee === 'me' ? t.assignee === staffId : !t.assignee))
}

/** The inbox order: open urgent tickets first, then by due time (the most pressing on top), finished ones last. */
export function byUrgencyThenDue(a: Ticket, b: Ticket): number {
  const rank = (t: Ticket) => (isOpenStatus(t.status) ? (t.priority === 'urgent' ? 0 : 1) : 2)
  return rank(a) - rank(b) || a.dueAt.localeCompare(b.dueAt)
}
