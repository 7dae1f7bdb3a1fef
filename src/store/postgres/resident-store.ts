import type pg from 'pg'
import type { AudienceQuery, ResidentProfile, ResidentRepository } from '../types'
import { whereSql } from './sql'
import { PostgresStore } from './pool'

/** The columns of `residents`, in order, for a profile. */
export const RESIDENT_COLUMNS = ['key', 'settlement_id', 'notices', 'blocked', 'linked_to', 'tags', 'doc']
export const residentRow = (profile: ResidentProfile) =>
  [profile.key, profile.settlementId ?? null, profile.notices, profile.blocked, profile.linkedTo ?? null, profile.tags, profile]

/** Inserts many profiles in one statement (seeding, benchmarks); a key already stored keeps its row. */
export async function insertResidents(pool: pg.Pool, profiles: readonly ResidentProfile[]): Promise<void> {
  await pool.query(
    `INSERT INTO residents (key, settlement_id, notices, blocked, linked_to, tags, doc)
     SELECT d->>'key', d->>'settlementId', (d->>'notices')::boolean, (d->>'blocked')::boolean, d->>'linkedTo',
            ARRAY(SELECT jsonb_array_elements_text(d->'tags')), d
     FROM jsonb_array_elements($1::jsonb) AS d
     ON CONFLICT (key) DO NOTHING`,
    [JSON.stringify(profiles)],
  )
}

/** Resident profiles, one row each; the columns beside the profile are what a broadcast audience selects on. */
export class PostgresResidentStore extends PostgresStore implements ResidentRepository {
  async get(key: string): Promise<ResidentProfile | undefined> {
    const { rows } = await this.pool.query<{ doc: ResidentProfile }>('SELECT doc FROM residents WHERE key = $1', [key])
    return rows[0]?.doc
  }

  async save(profile: ResidentProfile): Promise<void> {
    await this.pool.query(
      `INSERT INTO residents (key, settlement_id, notices, blocked, linked_to, tags, doc) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (key) DO UPDATE SET settlement_id = $2, notices = $3, blocked = $4, linked_to = $5, tags = $6, doc = $7`,
      residentRow(profile),
    )
  }

  async list(): Promise<ResidentProfile[]> {
    const { rows } = await this.pool.query<{ doc: ResidentProfile }>('SELECT doc FROM residents ORDER BY key')
    return rows.map((row) => row.doc)
  }

  /** In key order from the key index; settlements and tags in SQL, tags with the GIN index (`&&`: any of them). */
  async audience(query: AudienceQuery, after: string | undefined, limit: number): Promise<ResidentProfile[]> {
    const params: unknown[] = []
    const where = ['settlement_id IS NOT NULL']
    if (query.settlements !== 'all') where.push(`settlement_id = ANY($${params.push(query.settlements)})`)
    if (query.tags.length > 0) where.push(`tags && $${params.push(query.tags)}::text[]`)
    if (after !== undefined) where.push(`key > $${params.push(after)}`)
    const sql = `SELECT doc FROM residents ${whereSql(where)} ORDER BY key LIMIT $${params.push(limit)}`
    return (await this.pool.query<{ doc: ResidentProfile }>(sql, params)).rows.map((row) => row.doc)
  }

  async remove(keys: readonly string[]): Promise<void> {
    await this.pool.query('DELETE FROM residents WHERE key = ANY($1)', [keys])
  }
}
