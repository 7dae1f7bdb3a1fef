import { AnjuError } from '../../core/errors'
import { isOpenStatus, type Ticket } from '../../escalation/ticket'
import type { TicketFilter, TicketRepository } from '../types'
import { rangeClause, whereSql } from './sql'
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
}
