import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { emptyCounts, SKIP_REASONS, type DeliveryCounts, type DeliveryRecord, type DeliveryState, type PlannedDelivery, type SkipReason } from '../../broadcast/delivery-log'
import { INTERRUPTED, type DeliveryStore } from '../../broadcast/delivery-store'
import type { Locale } from '../../knowledge/schemas'
import { PostgresStore } from './pool'

/** Recipients inserted per statement when a notice is planned. */
const PLAN_BATCH = 1_000

interface DeliveryRow {
  i: number
  resident_key: string
  channel: string
  recipient: string
  locale: string
  status: DeliveryState
  skip: SkipReason | null
  attempts: number
  reason: string | null
  at: Date | null
}

const recordOf = (row: DeliveryRow): DeliveryRecord => ({
  i: row.i, key: row.resident_key, channel: row.channel, to: row.recipient, locale: row.locale as Locale,
  state: row.status, attempts: row.attempts,
  ...(row.skip ? { skip: row.skip } : {}), ...(row.reason ? { reason: row.reason } : {}), ...(row.at ? { at: row.at.toISOString() } : {}),
})

/**
 * `broadcast_deliveries`, shared by every instance: each claims batches with `FOR UPDATE SKIP LOCKED`, so a
 * delivery is sent by one of them, and holds them under a lease, so the batch of an instance killed mid-broadcast
 * goes to another once the lease ends (what it had on the wire then is settled as sent-unknown, never resent).
 */
export class PostgresDeliveryStore extends PostgresStore implements DeliveryStore {
  /** This instance, as `claimed_by`: host and process id, so that an operator can tell whose a claimed row is. */
  readonly instance = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`

  async writePlan(noticeId: string, planned: readonly PlannedDelivery[]): Promise<void> {
    for (let start = 0; start < planned.length; start += PLAN_BATCH) {
      const batch = planned.slice(start, start + PLAN_BATCH)
      // Planned twice (two instances at once, a crash before the notice was marked sending): rows stored are kept.
      await this.pool.query(
        `INSERT INTO broadcast_deliveries (notice_id, resident_key, i, channel, recipient, locale, status, skip)
         SELECT $1, d->>'key', (d->>'i')::integer, d->>'channel', d->>'to', d->>'locale',
                CASE WHEN d ? 'skip' THEN 'skipped' ELSE 'queued' END, d->>'skip'
         FROM jsonb_array_elements($2::jsonb) AS d
         ON CONFLICT (notice_id, resident_key) DO NOTHING`,
        [noticeId, JSON.stringify(batch)],
      )
    }
  }

  async claim(noticeId: string, now: Date, limit: number, leaseMs: number, deliversOnce: (channel: string) => boolean): Promise<DeliveryRecord[]> {
    const interrupted = await this.pool.query<{ channel: string }>(
      `SELECT DISTINCT channel FROM broadcast_deliveries WHERE notice_id = $1 AND status = 'sending' AND lease_until <= $2`, [noticeId, now],
    )
    for (const { channel } of interrupted.rows) {
      await this.pool.query(
        `UPDATE broadcast_deliveries SET status = $4, reason = $5, at = $2, lease_until = NULL
         WHERE notice_id = $1 AND status = 'sending' AND lease_until <= $2 AND channel = $3`,
        [noticeId, now, channel, deliversOnce(channel) ? 'retry' : 'unknown', INTERRUPTED],
      )
    }
    // Rows another instance is claiming at this moment are skipped, not waited for: it takes them, this one the next.
    const { rows } = await this.pool.query<DeliveryRow>(
      `WITH claimable AS (
         SELECT resident_key FROM broadcast_deliveries
         WHERE notice_id = $1 AND status IN ('queued', 'retry') AND (lease_until IS NULL OR lease_until <= $2)
         ORDER BY i LIMIT $3 FOR UPDATE SKIP LOCKED
       )
       UPDATE broadcast_deliveries d SET claimed_by = $4, lease_until = $5
       FROM claimable c WHERE d.notice_id = $1 AND d.resident_key = c.resident_key
       RETURNING d.*`,
      [noticeId, now, limit, this.instance, new Date(now.getTime() + leaseMs)],
    )
    return rows.map(recordOf).sort((a, b) => a.i - b.i)
  }

  async record(noticeId: string, record: DeliveryRecord, heldUntil?: Date): Promise<boolean> {
    // Going on the wire only while the claim is still this instance's: once another took it over, it sends it.
    const { rowCount } = await this.pool.query(
      `UPDATE broadcast_deliveries SET status = $3, attempts = $4, reason = $5, at = $6, lease_until = $7,
         sent_at = CASE WHEN $3 = 'sent' THEN $6::timestamptz ELSE sent_at END
       WHERE notice_id = $1 AND resident_key = $2
         AND ($3 <> 'sending' OR (claimed_by = $8 AND status IN ('queued', 'retry')))`,
      [noticeId, record.key, record.state, record.attempts, record.reason ?? null, record.at ?? null, heldUntil ?? null, this.instance],
    )
    return (rowCount ?? 0) > 0
  }

  async release(noticeId: string): Promise<void> {
    await this.pool.query(
      `UPDATE broadcast_deliveries SET lease_until = NULL
       WHERE notice_id = $1 AND claimed_by = $2 AND status IN ('queued', 'retry') AND lease_until IS NOT NULL`,
      [noticeId, this.instance],
    )
  }

  async counts(noticeId: string, now: Date): Promise<DeliveryCounts> {
    // A send in flight whose instance's lease has ended is sent-unknown, as the next claim settles it.
    const { rows } = await this.pool.query<{ state: DeliveryState; skip: SkipReason | null; n: number }>(
      `SELECT CASE WHEN status = 'sending' AND lease_until <= $2 THEN 'unknown' ELSE status END AS state, skip, count(*)::integer AS n
       FROM broadcast_deliveries WHERE notice_id = $1 GROUP BY 1, 2`,
      [noticeId, now],
    )
    const counts = emptyCounts()
    for (const { state, skip, n } of rows) {
      counts.total += n
      if (state !== 'skipped') counts[state] += n
      else counts.skipped[skip && SKIP_REASONS.includes(skip) ? skip : 'unsubscribed'] += n
    }
    counts.waiting = counts.queued + counts.retry
    return counts
  }
}
