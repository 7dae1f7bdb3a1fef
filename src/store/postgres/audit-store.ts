import type { AuditEntry, AuditRepository, TimeRange } from '../types'
import { limitSql, rangeClause, whereSql } from './sql'
import { PostgresStore } from './pool'

/** The audit log, append-only: rows are inserted, never updated or deleted. */
export class PostgresAuditStore extends PostgresStore implements AuditRepository {
  async record(entry: AuditEntry): Promise<void> {
    await this.pool.query('INSERT INTO audit_log (at, doc) VALUES ($1, $2)', [entry.at, entry])
  }

  async list(range: TimeRange = {}): Promise<AuditEntry[]> {
    const { where, params } = rangeClause('at', range)
    const sql = `SELECT doc FROM audit_log ${whereSql(where)} ORDER BY at, seq ${limitSql(params, range.limit)}`
    return (await this.pool.query<{ doc: AuditEntry }>(sql, params)).rows.map((row) => row.doc)
  }
}
