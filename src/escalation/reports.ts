import { isOpenStatus, type Ticket } from './ticket'

export interface TicketReport {
  from?: string
  to?: string
  total: number
  byCategory: Record<string, number>
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

const hoursBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 3_600_000

function median(values: number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const value = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
  return Math.round(value * 100) / 100
}

const countBy = (tickets: Ticket[], key: (t: Ticket) => string) =>
  tickets.reduce<Record<string, number>>((counts, t) => ({ ...counts, [key(t)]: (counts[key(t)] ?? 0) + 1 }), {})

/** The monthly dispatch / quarterly bulletin figures (Anhui task 5) over tickets created in a range. */
export function ticketReport(tickets: Ticket[], now: Date, range: { from?: string; to?: string } = {}): TicketReport {
  const resolved = tickets.filter((t) => t.resolvedAt ?? t.closedAt)
  const overdue = tickets.filter((t) => {
    const finished = t.resolvedAt ?? t.closedAt
    return finished ? finished > t.dueAt : isOpenStatus(t.status) && now.toISOString() > t.dueAt
  })
  const visits = tickets.filter((t) => t.satisfaction)
  return {
    ...range,
    total: tickets.length,
    byCategory: countBy(tickets, (t) => t.category),
    bySettlement: countBy(tickets, (t) => t.settlementId ?? 'unknown'),
    medianHoursToFirstAnswer: median(tickets.filter((t) => t.firstAnswerAt).map((t) => hoursBetween(t.createdAt, t.firstAnswerAt!))),
    medianHoursToResolution: median(resolved.map((t) => hoursBetween(t.createdAt, (t.resolvedAt ?? t.closedAt)!))),
    overdueRate: tickets.length ? Math.round((overdue.length / tickets.length) * 1000) / 1000 : null,
    satisfaction: {
      answered: visits.length,
      solvedRate: visits.length ? Math.round((visits.filter((t) => t.satisfaction!.solved).length / visits.length) * 1000) / 1000 : null,
    },
  }
}

const csvCell = (value: unknown) => {
  const text = value === null || value === undefined ? '' : String(value)
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** The same report as CSV rows: metric, key, value — opens in any spreadsheet. */
export function ticketReportCsv(report: TicketReport): string {
  const rows: unknown[][] = [
    ['metric', 'key', 'value'],
    ['period', 'from', report.from ?? ''],
    ['period', 'to', report.to ?? ''],
    ['total', '', report.total],
    ...Object.entries(report.byCategory).map(([key, n]) => ['by_category', key, n]),
    ...Object.entries(report.bySettlement).map(([key, n]) => ['by_settlement', key, n]),
    ['median_hours_to_first_answer', '', report.medianHoursToFirstAnswer],
    ['median_hours_to_resolution', '', report.medianHoursToResolution],
    ['overdue_rate', '', report.overdueRate],
    ['satisfaction', 'answered', report.satisfaction.answered],
    ['satisfaction', 'solved_rate', report.satisfaction.solvedRate],
  ]
  // A byte-order mark so that spreadsheet programs read the Chinese settlement names as UTF-8.
  return `\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`
}
