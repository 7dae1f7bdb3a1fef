import type pg from 'pg'
import { WEB_STORE_DEFAULTS } from '../lowdb/web-stores'
import type { NewWebEntry, WebEntry, WebHistory, WebHistoryRepository, WebIdentity, WebIdentityRepository } from '../types'
import { inTransaction, PostgresStore } from './pool'

/** Token hash → web resident. */
export class PostgresWebIdentityStore extends PostgresStore implements WebIdentityRepository {
  async add(tokenHash: string, identity: WebIdentity): Promise<void> {
    await this.pool.query('INSERT INTO web_identities (token_hash, doc) VALUES ($1, $2) ON CONFLICT (token_hash) DO UPDATE SET doc = $2', [tokenHash, identity])
  }

  async get(tokenHash: string): Promise<WebIdentity | undefined> {
    return (await this.pool.query<{ doc: WebIdentity }>('SELECT doc FROM web_identities WHERE token_hash = $1', [tokenHash])).rows[0]?.doc
  }
}

/**
 * Each web resident's page, an entry a row. The resident's `web_histories` row is locked for an append, so seq
 * numbers go up by one whichever instance serves the page; beyond `maxEntries` the oldest go (unread pushes never).
 */
export class PostgresWebHistoryStore extends PostgresStore implements WebHistoryRepository {
  readonly #maxEntries: number

  constructor(pool: pg.Pool, options: Partial<Pick<typeof WEB_STORE_DEFAULTS, 'maxEntries'>> = {}) {
    super(pool)
    this.#maxEntries = options.maxEntries ?? WEB_STORE_DEFAULTS.maxEntries
  }

  append(residentId: string, entries: NewWebEntry[], at: Date): Promise<WebEntry[]> {
    return inTransaction(this.pool, async (client) => {
      const { last_seq: lastSeq, read_up_to: readUpTo } = await lockHistory(client, residentId)
      let seq = lastSeq
      const added = entries.map((entry) => ({ ...entry, seq: (seq += 1), at: at.toISOString() }))
      for (const entry of added) {
        await client.query('INSERT INTO web_entries (resident_id, seq, push, doc) VALUES ($1, $2, $3, $4)', [residentId, entry.seq, entry.kind === 'push', entry])
      }
      await client.query('UPDATE web_histories SET last_seq = $2 WHERE resident_id = $1', [residentId, seq])
      await client.query(
        `DELETE FROM web_entries WHERE resident_id = $1 AND seq IN (
           SELECT seq FROM web_entries WHERE resident_id = $1 AND NOT (push AND seq > $2) ORDER BY seq
           LIMIT GREATEST(0, (SELECT count(*) FROM web_entries WHERE resident_id = $1) - $3))`,
        [residentId, readUpTo, this.#maxEntries],
      )
      return added
    })
  }

  async read(residentId: string): Promise<WebHistory> {
    const [history, entries] = await Promise.all([
      this.pool.query<{ read_up_to: number }>('SELECT read_up_to FROM web_histories WHERE resident_id = $1', [residentId]),
      this.pool.query<{ doc: WebEntry }>('SELECT doc FROM web_entries WHERE resident_id = $1 ORDER BY seq', [residentId]),
    ])
    return { entries: entries.rows.map((row) => row.doc), readUpTo: history.rows[0]?.read_up_to ?? 0 }
  }

  async hasDelivery(residentId: string, deliveryId: string): Promise<boolean> {
    const { rows } = await this.pool.query(`SELECT 1 FROM web_entries WHERE resident_id = $1 AND doc->>'deliveryId' = $2 LIMIT 1`, [residentId, deliveryId])
    return rows.length > 0
  }

  async markRead(residentId: string, seq: number): Promise<number> {
    const { rows } = await this.pool.query<{ read_up_to: number }>(
      `UPDATE web_histories SET read_up_to = GREATEST(read_up_to, LEAST($2::integer, last_seq)) WHERE resident_id = $1 RETURNING read_up_to`,
      [residentId, seq],
    )
    return rows[0]?.read_up_to ?? 0
  }
}

async function lockHistory(client: pg.PoolClient, residentId: string): Promise<{ last_seq: number; read_up_to: number }> {
  await client.query('INSERT INTO web_histories (resident_id) VALUES ($1) ON CONFLICT (resident_id) DO NOTHING', [residentId])
  return (await client.query<{ last_seq: number; read_up_to: number }>('SELECT last_seq, read_up_to FROM web_histories WHERE resident_id = $1 FOR UPDATE', [residentId])).rows[0]!
}
