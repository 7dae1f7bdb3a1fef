import type { DemandKind } from '../knowledge/desk-schema'
import type { Locale } from '../knowledge/schemas'

/** A demand (诉求) a resident raised, handled by a caseworker: intake → dispatch → handling → return visit. */
export const TICKET_STATUSES = ['open', 'assigned', 'in_progress', 'resolved', 'closed', 'reopened'] as const
export type TicketStatus = (typeof TICKET_STATUSES)[number]
export type TicketPriority = 'urgent' | 'normal'

/** Who did something to a ticket: the resident, the system, or a staff member's id. */
export type Actor = 'resident' | 'system' | `staff:${string}`

export interface TicketEvent {
  at: string
  actor: Actor
  /** delivery: what became of a message to the resident (delivered, held: not reachable yet, failed), with the reason. */
  type: 'created' | 'assigned' | 'status' | 'reply' | 'note' | 'notification_queued' | 'overdue_alert' | 'return_visit' | 'resident_message' | 'delivery' | 'priority'
    /** A reply's message to the resident is in the outbox (`detail`: its outbox id); one without it is queued at start. */
    | 'relay_queued'
    /** On a duplicate: the ticket it was merged into; on that ticket: the duplicate's id. */
    | 'merged_into' | 'merged_from'
    /** The resolution note, told to the resident at the return visit. */
    | 'resolution'
  /** Free detail: the new status, the assignee, the text of a reply or note ... */
  detail?: string
  /** On a reply: the id its message to the resident has in the outbox, chosen before the reply is saved. */
  outboxId?: string
}

export interface TicketLocation {
  building?: string
  room?: string
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
  /** The language the resident raised it in: answers reach them in it unless they have chosen one since. */
  locale?: Locale
  /** The intent or topic the demand is about. */
  category: string
  summary: string
  /** Where in the settlement, when the resident said (a property complaint asks for it). */
  location?: TicketLocation
  /** The last messages before the ticket, so the caseworker need not ask again. */
  context: ContextLine[]
  priority: TicketPriority
  /** consultation, repair or complaint: sets the working days it may take (`knowledge/time-limits.yaml`). */
  kind?: DemandKind
  status: TicketStatus
  assignee?: string
  /** The deadline in force: an urgent ticket's first contact until it is made, then resolution. */
  dueAt: string
  /** Urgent only: when a caseworker must have contacted the resident. */
  firstContactDueAt?: string
  /** A caseworker's first reply to the resident. */
  firstContactAt?: string
  /** Resolved: when the return visit must have the resident's answer, else staff call them. */
  returnVisitDueAt?: string
  /** Words the resident added (a merged demand) that no staff member has acted on yet: the console marks them. */
  unseenResidentMessages?: number
  createdAt: string
  updatedAt: string
  firstAnswerAt?: string
  resolvedAt?: string
  /** The resolving caseworker's note; the return visit quotes it. */
  resolution?: string
  /** Set on a duplicate closed into another ticket. */
  mergedInto?: string
  closedAt?: string
  /** The resident's answer at the return visit. */
  satisfaction?: { solved: boolean; at: string }
  /** Overdue alerts already sent, once each. */
  alerted: { assignee?: string; supervisor?: string; firstContact?: string; returnVisit?: string }
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

/** Whether the scheduler's time check may have an alert to send for the ticket at `nowIso` (TicketRepository.dueForCheck). */
export function needsTimeCheck(ticket: Ticket, nowIso: string): boolean {
  if (isOpenStatus(ticket.status)) return ticket.dueAt <= nowIso
  return ticket.status === 'resolved' && !ticket.satisfaction && !ticket.alerted.returnVisit && ticket.returnVisitDueAt !== undefined && ticket.returnVisitDueAt <= nowIso
}
