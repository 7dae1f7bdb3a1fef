import { chinaMonth } from '../core/china-time'
import type { Ticket } from './ticket'

/**
 * The figures a 12345-style desk is scored on, for one settlement or caseworker in one month (China time) of
 * tickets created then. Merged duplicates are left out: their demand is counted in the ticket they joined.
 */
export interface Assessment {
  tickets: number
  /** 响应率: share of tickets a caseworker answered (a reply, or the resolution) within the first time limit. */
  responseRate: number | null
  /** 按时办结率: of tickets resolved or past their time limit, the share resolved within it. */
  onTimeRate: number | null
  /** 办结率: share of tickets resolved or closed (a ticket the resident reopened counts once it is resolved again). */
  resolutionRate: number | null
  /** Return visits answered, and 满意率: the share that said it was solved. */
  returnVisits: number
  satisfactionRate: number | null
}

export type AssessmentRow = Assessment & { month: string; id: string }

export interface AssessmentFigures {
  /** By settlement (`unknown` before a resident said theirs), month by month. */
  bySettlement: AssessmentRow[]
  /** By the caseworker holding the ticket (`unassigned` if none), month by month. */
  byCaseworker: AssessmentRow[]
}

const share = (part: number, whole: number) => (whole ? Math.round((part / whole) * 1000) / 1000 : null)

/** When a caseworker first answered: the first reply (as recorded, else as delivered), else the resolution. */
function firstResponseAt(ticket: Ticket): string | undefined {
  return ticket.firstContactAt ?? ticket.events.find((e) => e.type === 'reply' && e.actor.startsWith('staff:'))?.at ?? ticket.firstAnswerAt ?? ticket.resolvedAt
}

export function assess(tickets: Ticket[], nowIso: string): Assessment {
  const responded = tickets.filter((t) => {
    const at = firstResponseAt(t)
    return at !== undefined && at <= (t.firstContactDueAt ?? t.dueAt)
  })
  const finishedAt = (t: Ticket) => t.resolvedAt ?? (t.status === 'closed' ? t.closedAt : undefined)
  const judged = tickets.filter((t) => finishedAt(t) !== undefined || t.dueAt < nowIso)
  const onTime = judged.filter((t) => (finishedAt(t) ?? '\uffff') <= t.dueAt)
  const finished = tickets.filter((t) => t.status === 'resolved' || t.status === 'closed')
  const visits = tickets.filter((t) => t.satisfaction)
  return {
    tickets: tickets.length,
    responseRate: share(responded.length, tickets.length),
    onTimeRate: share(onTime.length, judged.length),
    resolutionRate: share(finished.length, tickets.length),
    returnVisits: visits.length,
    satisfactionRate: share(visits.filter((t) => t.satisfaction!.solved).length, visits.length),
  }
}

function rows(tickets: Ticket[], keyOf: (t: Ticket) => string, nowIso: string): AssessmentRow[] {
  const groups = new Map<string, Ticket[]>()
  for (const ticket of tickets) {
    const key = `${chinaMonth(ticket.createdAt)}\u0000${keyOf(ticket)}`
    const group = groups.get(key)
    if (group) group.push(ticket)
    else groups.set(key, [ticket])
  }
  return [...groups.keys()].sort().map((key) => {
    const [month, id] = key.split('\u0000') as [string, string]
    return { month, id, ...assess(groups.get(key)!, nowIso) }
  })
}

/** The assessment figures per settlement and per caseworker, month by month. */
export function assessmentFigures(tickets: Ticket[], now: Date): AssessmentFigures {
  const counted = tickets.filter((t) => !t.mergedInto)
  const nowIso = now.toISOString()
  return {
    bySettlement: rows(counted, (t) => t.settlementId ?? 'unknown', nowIso),
    byCaseworker: rows(counted, (t) => t.assignee ?? 'unassigned', nowIso),
  }
}
