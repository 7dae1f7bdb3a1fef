import type { OfferedChoicesStore } from '../types'
import { PostgresStore } from './pool'

/** Offered choices in `offered_choices`, one row per resident who has any: every instance reads the same. */
export class PostgresOfferedChoices extends PostgresStore implements OfferedChoicesStore {
  async get(residentKey: string): Promise<string[] | undefined> {
    const { rows } = await this.pool.query<{ choices: string[] }>('SELECT choices FROM offered_choices WHERE resident_key = $1', [residentKey])
    return rows[0]?.choices
  }

  async set(residentKey: string, values: string[] | undefined): Promise<void> {
    if (!values) {
      await this.pool.query('DELETE FROM offered_choices WHERE resident_key = $1', [residentKey])
      return
    }
    await this.pool.query(
      `INSERT INTO offered_choices (resident_key, choices, offered_at) VALUES ($1, $2, now())
       ON CONFLICT (resident_key) DO UPDATE SET choices = EXCLUDED.choices, offered_at = EXCLUDED.offered_at`,
      [residentKey, values],
    )
  }
}
