import { AnjuError } from '../../core/errors'
import { isOpenStatus, type Ticket } from '../../escalation/ticket'
import { TICKET_STATUSES } from '../../escalation/ticket'
import type { TicketCounts, TicketFilter, TicketQuery, TicketRepository, TicketScope } from '../types'
import { limitSql, rangeClause, whereSql } from './sql'
import { inTransaction, PostgresStore } from './pool'

/** A resolved ticket whose return visit is neither answered nor alerted yet: the condition of index tickets_return_visit. */
const RETURN_VISIT_WAITING = `NOT open AND doc->>'status' = 'resolved' AND doc->>'satisfaction' IS NULL AND doc->'alerted'->>'returnVisit' IS NULL`

export const TICKET_COLUMNS = ['id', 'resident_key', 'open', 'created_at', 'doc']
export const ticketRow = (ticket: Ticket) => [ticket.id, ticket.residentKey, isOpenStatus(ticket.status), ticket.createdAt, ticket]

/** Tickets, one row each; ids are numbered per UTC day by a counter row, so instances never hand out one twice. */
export class PostgresTicketStore extends PostgresStore implements TicketRepository {
  create(at: Date, build: (id: string) => Ticket): Promise<Ticket> {
    const day = at.toISOString().slice(0, 10)
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ last: number }>(
        'INSERT INTO ticket_days (day, last) VALUES ($1, 1) ON CONFLICT (day) DO UPDATE SET last = ticket_days.last + 1 RETURNING last',
        [day],
      )
      const ticket = build(`T${day.slice(2).replaceAll('-', '')}-${String(rows[0]!.last).padStart(4, '0')}`)
      await client.query('INSERT INTO tickets (id, resident_key, open, created_at, doc) VALUES ($1, $2, $3, $4, $5)', ticketRow(ticket))
      return ticket
    })
  }

  async get(id: string): Promise<Ticket | undefined> {
    return (await this.pool.query<{ doc: Ticket }>('SELECT doc FROM tickets WHERE id = $1', [id])).rows[0]?.doc
  }

  update(id: string, change: (ticket: Ticket) => void): Promise<Ticket> {
    // The row stays locked from reading to writing: changes from several instances apply one after another.
    return inTransaction(this.pool, async (client) => {
      const ticket = (await client.query<{ doc: Ticket }>('SELECT doc FROM tickets WHERE id = $1 FOR UPDATE', [id])).rows[0]?.doc
      if (!ticket) throw new AnjuError('ANJU_ERR_NOT_FOUND', `ticket ${id} does not exist`)
      change(ticket)
      await client.query('UPDATE tickets SET resident_key = $2, open = $3, created_at = $4, doc = $5 WHERE id = $1', ticketRow(ticket))
      return ticket
    })
  }

  async list(filter: TicketFilter = {}): Promise<Ticket[]> {
    const { where, params } = rangeClause('created_at', filter)
    if (filter.residentKey) where.push(`resident_key = $${params.push(filter.residentKey)}`)
    if (filter.openOnly) where.push('open')
    if (filter.settlements) where.push(`doc->>'settlementId' = ANY($${params.push(filter.settlements)})`)
    const sql = `SELECT doc FROM tickets ${whereSql(where)} ORDER BY created_at, id`
    return (await this.pool.query<{ doc: Ticket }>(sql, params)).rows.map((row) => row.doc)
  }

  /** Two index scans (migration 0005): open tickets by due time, and resolved ones waiting for their return visit. */
  async dueForCheck(now: Date): Promise<Ticket[]> {
    const { rows } = await this.pool.query<{ doc: Ticket }>(
      `SELECT doc FROM (
         SELECT created_at, id, doc FROM tickets WHERE open AND doc->>'dueAt' <= $1
         UNION ALL
         SELECT created_at, id, doc FROM tickets WHERE ${RETURN_VISIT_WAITING} AND doc->>'returnVisitDueAt' <= $1
       ) due ORDER BY created_at, id`,
      [now.toISOString()],
    )
    return rows.map((row) => row.doc)
  }

  async openCountByAssignee(): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ assignee: string; open: number }>(
      `SELECT doc->>'assignee' AS assignee, count(*)::integer AS open FROM tickets WHERE open AND doc->>'assignee' IS NOT NULL GROUP BY 1`,
    )
    return new Map(rows.map((row) => [row.assignee, row.open]))
  }

  /** Filtered, ordered and paged in SQL (byUrgencyThenDue, then id), over the settlement/open/due index. */
  async query(query: TicketQuery): Promise<{ tickets: Ticket[]; total: number }> {
    const { where, params, now, staff } = scopeClause(query)
    if (query.status === 'unresolved') where.push('open')
    else if (query.status) where.push(`doc->>'status' = $${params.push(query.status)}`)
    if (query.settlement) where.push(`doc->>'settlementId' = $${params.push(query.settlement)}`)
    if (query.topic) where.push(`doc->>'category' = $${params.push(query.topic)}`)
    if (query.priority) where.push(`doc->>'priority' = $${params.push(query.priority)}`)
    if (query.overdue !== undefined) where.push(`${query.overdue ? '' : 'NOT '}(${overdue(now())})`)
    if (query.assignee === 'me') where.push(`doc->>'assignee' = ${staff()}`)
    if (query.assignee === 'unassigned') where.push(`doc->>'assignee' IS NULL`)
    const filtered = whereSql(where)
    const total = (await this.pool.query<{ total: number }>(`SELECT count(*)::integer AS total FROM tickets ${filtered}`, params)).rows[0]!.total
    const order = `ORDER BY CASE WHEN open THEN CASE WHEN doc->>'priority' = 'urgent' THEN 0 ELSE 1 END ELSE 2 END, doc->>'dueAt', id`
    const sql = `SELECT doc FROM tickets ${filtered} ${order} ${limitSql(params, query.limit)} OFFSET $${params.push(query.offset ?? 0)}`
    return { tickets: (await this.pool.query<{ doc: Ticket }>(sql, params)).rows.map((row) => row.doc), total }
  }

  async counts(scope: TicketScope): Promise<TicketCounts> {
    const { where, params, now, staff } = scopeClause(scope)
    const byStatus = TICKET_STATUSES.map((status) => `count(*) FILTER (WHERE doc->>'status' = '${status}')::integer AS "${status}"`)
    const { rows } = await this.pool.query<Record<string, number>>(`SELECT
      count(*) FILTER (WHERE open)::integer AS unresolved,
      count(*) FILTER (WHERE ${overdue(now())})::integer AS overdue,
      count(*) FILTER (WHERE open AND doc->>'priority' = 'urgent')::integer AS urgent,
      count(*) FILTER (WHERE open AND doc->>'assignee' = ${staff()})::integer AS mine,
      count(*) FILTER (WHERE open AND doc->>'assignee' IS NULL)::integer AS unassigned,
      ${byStatus.join(',\n      ')}
      FROM tickets ${whereSql(where)}`, params)
    const row = rows[0]!
    return {
      unresolved: row.unresolved!, overdue: row.overdue!, urgent: row.urgent!, mine: row.mine!, unassigned: row.unassigned!,
      byStatus: Object.fromEntries(TICKET_STATUSES.map((s) => [s, row[s]!])) as TicketCounts['byStatus'],
    }
  }
}

// ISO times in UTC compare as text.
const overdue = (now: string) => `open AND doc->>'dueAt' < ${now}`

/**
 * The settlements a member may see (none for admins) as a condition; the scope's time and staff member become
 * parameters only where a condition uses them (PostgreSQL refuses a parameter it cannot type).
 */
function scopeClause(scope: TicketScope) {
  const params: unknown[] = []
  const once = (value: unknown) => {
    let placeholder: string | undefined
    return () => (placeholder ??= `$${params.push(value)}`)
  }
  const where = scope.settlements ? [`doc->>'settlementId' = ANY($${params.push(scope.settlements)})`] : []
  return { where, params, now: once(scope.now), staff: once(scope.staffId) }
}
