/** A demand (诉求) a resident raised, handled by a caseworker: intake → dispatch → handling → return visit. */
export const TICKET_STATUSES = ['open', 'assigned', 'in_progress', 'resolved', 'closed', 'reopened'] as const
export type TicketStatus = (typeof TICKET_STATUSES)[number]
export type TicketPriority = 'urgent' | 'normal'

/** Who did something to a ticket: the resident, the system, or a staff member's id. */
export type Actor = 'resident' | 'system' | `staff:${string}`

export interface TicketEvent {
  at: string
  actor: Actor
  type: 'created' | 'assigned' | 'status' | 'reply' | 'note' | 'notification_queued' | 'overdue_alert' | 'return_visit' | 'resident_message' | 'priority'
  /** Free detail: the new status, the assignee, the text of a reply or note ... */
  detail?: string
}

export interface ContextLine {
  at: string
  from: 'resident' | 'assistant'
  text: string
}

export interface Ticket {
  /** What the resident quotes: T + UTC date + sequence, e.g. T261123-0007. */
  id: string
  residentKey: string
  channel: string
  channelUserId: string
  /** Unknown only for an urgent report from a resident who has not said where they live yet. */
  settlementId?: string
  /** The intent or topic the demand is about. */
  category: string
  summary: string
  /** The last messages before the ticket, so the caseworker need not ask again. */
  context: ContextLine[]
  priority: TicketPriority
  status: TicketStatus
  assignee?: string
  dueAt: string
  createdAt: string
  updatedAt: string
  firstAnswerAt?: string
  resolvedAt?: string
  closedAt?: string
  /** The resident's answer at the return visit. */
  satisfaction?: { solved: boolean; at: string }
  /** Overdue alerts already sent, once each. */
  alerted: { assignee?: string; supervisor?: string }
  /** Append-only: nothing in it is ever changed or removed. */
  events: TicketEvent[]
}

/** Allowed status changes; anything else is refused with a clear error. */
export const STATUS_TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  open: ['assigned', 'in_progress', 'resolved', 'closed'],
  assigned: ['in_progress', 'resolved', 'closed', 'assigned'],
  in_progress: ['resolved', 'closed'],
  resolved: ['closed', 'reopened'],
  closed: ['reopened'],
  reopened: ['assigned', 'in_progress', 'resolved', 'closed'],
}

export const isOpenStatus = (status: TicketStatus) => status !== 'resolved' && status !== 'closed'

export const ticketIdPattern = /^T\d{6}-\d{4,}$/
