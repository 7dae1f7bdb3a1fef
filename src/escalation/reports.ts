import { chinaMonth } from '../core/china-time'
import { POLICY_INTENT_IDS } from '../knowledge/schemas'
import { assessmentFigures, type AssessmentFigures, type AssessmentRow } from './assessment'
import { isOpenStatus, type Ticket } from './ticket'

/** The figures of one period (the whole range, or one month of it). */
export interface ReportFigures {
  total: number
  /** By policy topic; a demand no topic fits counts as `other`. Urgency is a priority, counted apart. */
  byTopic: Record<string, number>
  byPriority: Record<string, number>
  bySettlement: Record<string, number>
  /** Median hours from creation to the resident's first delivered answer (answered tickets only). */
  medianHoursToFirstAnswer: number | null
  /** Median hours from creation to resolution (resolved or closed tickets only). */
  medianHoursToResolution: number | null
  /** Share of tickets that were, or still are, past their due time unresolved. */
  overdueRate: number | null
  /** Return visits: how many answered, and the share who said it was solved. */
  satisfaction: { answered: number; solvedRate: number | null }
}

export interface TicketReport extends ReportFigures {
  from?: string
  to?: string
  /** Month by month in China time (`2026-11`), oldest first: the charts' series. */
  monthly: (ReportFigures & { month: string })[]
  /** Response, on-time, resolution and satisfaction rates per settlement and caseworker per month. */
  assessment: AssessmentFigures
}

/** Topics a ticket can be counted under: the policy topics but the general "reach a caseworker" one. */
export const REPORT_TOPICS: readonly string[] = POLICY_INTENT_IDS.filter((id) => id !== 'escalation')

/** The topic a ticket counts under; older tickets filed as "urgent", "escalation" or "unanswered" are `other`. */
export const topicOf = (ticket: Pick<Ticket, 'category'>) => (REPORT_TOPICS.includes(ticket.category) ? ticket.category : 'other')

const hoursBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 3_600_000
const rounded = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places

function median(values: number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const value = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
  return rounded(value, 2)
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1
  return counts
}

function figures(tickets: Ticket[], nowIso: string): ReportFigures {
  const finishedAt = (t: Ticket) => t.resolvedAt ?? t.closedAt
  const overdue = tickets.filter((t) => {
    const finished = finishedAt(t)
    return finished ? finished > t.dueAt : isOpenStatus(t.status) && nowIso > t.dueAt
  })
  const visits = tickets.filter((t) => t.satisfaction)
  return {
    total: tickets.length,
    byTopic: countBy(tickets, topicOf),
    byPriority: countBy(tickets, (t) => t.priority),
    bySettlement: countBy(tickets, (t) => t.settlementId ?? 'unknown'),
    medianHoursToFirstAnswer: median(tickets.filter((t) => t.firstAnswerAt).map((t) => hoursBetween(t.createdAt, t.firstAnswerAt!))),
    // A merged duplicate was closed, not resolved: it would count a resolution time that measures nothing.
    medianHoursToResolution: median(tickets.filter((t) => finishedAt(t) && !t.mergedInto).map((t) => hoursBetween(t.createdAt, finishedAt(t)!))),
    overdueRate: tickets.length ? rounded(overdue.length / tickets.length, 3) : null,
    satisfaction: {
      answered: visits.length,
      solvedRate: visits.length ? rounded(visits.filter((t) => t.satisfaction!.solved).length / visits.length, 3) : null,
    },
  }
}

/** The monthly dispatch / quarterly bulletin figures (Anhui task 5) over tickets created in a range. */
export function ticketReport(tickets: Ticket[], now: Date, range: { from?: string; to?: string } = {}): TicketReport {
  const nowIso = now.toISOString()
  const byMonth = new Map<string, Ticket[]>()
  for (const ticket of tickets) {
    const month = chinaMonth(ticket.createdAt)
    const list = byMonth.get(month)
    if (list) list.push(ticket)
    else byMonth.set(month, [ticket])
  }
  const monthly = [...byMonth.keys()].sort().map((month) => ({ month, ...figures(byMonth.get(month)!, nowIso) }))
  return { ...range, ...figures(tickets, nowIso), monthly, assessment: assessmentFigures(tickets, now) }
}

const csvCell = (value: unknown) => {
  const text = value === null || value === undefined ? '' : String(value)
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

function figureRows(period: string, f: ReportFigures): unknown[][] {
  return [
    [period, 'total', '', f.total],
    ...Object.entries(f.byTopic).map(([key, n]) => [period, 'by_topic', key, n]),
    ...Object.entries(f.byPriority).map(([key, n]) => [period, 'by_priority', key, n]),
    ...Object.entries(f.bySettlement).map(([key, n]) => [period, 'by_settlement', key, n]),
    [period, 'median_hours_to_first_answer', '', f.medianHoursToFirstAnswer],
    [period, 'median_hours_to_resolution', '', f.medianHoursToResolution],
    [period, 'overdue_rate', '', f.overdueRate],
    [period, 'satisfaction', 'answered', f.satisfaction.answered],
    [period, 'satisfaction', 'solved_rate', f.satisfaction.solvedRate],
  ]
}

const ASSESSMENT_METRICS = ['tickets', 'responseRate', 'onTimeRate', 'resolutionRate', 'returnVisits', 'satisfactionRate'] as const
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/** Assessment rows: the month, `assessment_<metric>`, `settlement:<id>` or `caseworker:<id>`, the value. */
function assessmentRows(by: 'settlement' | 'caseworker', rows: AssessmentRow[]): unknown[][] {
  return rows.flatMap((row) => ASSESSMENT_METRICS.map((metric) => [row.month, `assessment_${snake(metric)}`, `${by}:${row.id}`, row[metric]]))
}

/** The same report as CSV rows: period (`all` or a month), metric, key, value — opens in any spreadsheet. */
export function ticketReportCsv(report: TicketReport): string {
  const rows: unknown[][] = [
    ['period', 'metric', 'key', 'value'],
    ['all', 'range', 'from', report.from ?? ''],
    ['all', 'range', 'to', report.to ?? ''],
    ...figureRows('all', report),
    ...report.monthly.flatMap((m) => figureRows(m.month, m)),
    ...assessmentRows('settlement', report.assessment.bySettlement),
    ...assessmentRows('caseworker', report.assessment.byCaseworker),
  ]
  // A byte-order mark so that spreadsheet programs read the Chinese settlement names as UTF-8.
  return `\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`
}
