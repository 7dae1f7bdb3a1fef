import type { OutboxItem, OutboxRepository } from '../types'
import { inTransaction, PostgresStore } from './pool'

export const OUTBOX_COLUMNS = ['id', 'channel', 'recipient', 'status', 'next_attempt_at', 'created_at', 'doc']
export const outboxRow = (item: OutboxItem) => [item.id, item.channel, item.recipient, item.status, item.nextAttemptAt, item.createdAt, item]
type DocRow = { doc: OutboxItem }

/** The outbox, one row an item; instances claim due items with `FOR UPDATE SKIP LOCKED`, so each goes to one of them. */
export class PostgresOutboxStore extends PostgresStore implements OutboxRepository {
  /** An id already stored (a recovery queueing what an instance had queued before it died) keeps the item stored first. */
  async add(item: OutboxItem): Promise<void> {
    await this.pool.query(
      'INSERT INTO outbox (id, channel, recipient, status, next_attempt_at, created_at, doc) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING',
      outboxRow(item),
    )
  }

  async due(now: Date): Promise<OutboxItem[]> {
    const sql = `SELECT doc FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY created_at, id`
    return (await this.pool.query<DocRow>(sql, [now.toISOString()])).rows.map((row) => row.doc)
  }

  async claimDue(now: Date, channels: readonly string[], leaseMs: number): Promise<OutboxItem[]> {
    // Rows another instance is claiming at this moment are skipped, not waited for: it takes them, this one the rest.
    const { rows } = await this.pool.query<DocRow>(
      `WITH claimed AS (
         SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 AND channel = ANY($2)
         ORDER BY next_attempt_at, created_at FOR UPDATE SKIP LOCKED
       )
       UPDATE outbox SET next_attempt_at = $3::timestamptz, doc = jsonb_set(doc, '{nextAttemptAt}', to_jsonb($3::text))
       FROM claimed WHERE outbox.id = claimed.id RETURNING outbox.doc`,
      [now.toISOString(), channels, new Date(now.getTime() + leaseMs).toISOString()],
    )
    return rows.map((row) => row.doc).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
  }

  update(id: string, patch: Partial<OutboxItem>): Promise<void> {
    return inTransaction(this.pool, async (client) => {
      const item = (await client.query<DocRow>('SELECT doc FROM outbox WHERE id = $1 FOR UPDATE', [id])).rows[0]?.doc
      if (!item) return
      const updated = { ...item, ...patch }
      await client.query(
        'UPDATE outbox SET channel = $2, recipient = $3, status = $4, next_attempt_at = $5, created_at = $6, doc = $7 WHERE id = $1',
        outboxRow(updated),
      )
    })
  }

  async held(channel: string, recipient: string): Promise<OutboxItem[]> {
    const sql = `SELECT doc FROM outbox WHERE status = 'held' AND channel = $1 AND recipient = $2 ORDER BY created_at, id`
    return (await this.pool.query<DocRow>(sql, [channel, recipient])).rows.map((row) => row.doc)
  }

  async list(): Promise<OutboxItem[]> {
    return (await this.pool.query<DocRow>('SELECT doc FROM outbox ORDER BY created_at, id')).rows.map((row) => row.doc)
  }
}
