import type { TimeRange } from '../types'

/** `WHERE` conditions for a time range on a timestamptz column, their parameters pushed onto `params`. */
export function rangeClause(column: string, range: Pick<TimeRange, 'from' | 'to'> = {}, params: unknown[] = []): { where: string[]; params: unknown[] } {
  const where: string[] = []
  if (range.from) where.push(`${column} >= $${params.push(range.from.toISOString())}`)
  if (range.to) where.push(`${column} < $${params.push(range.to.toISOString())}`)
  return { where, params }
}

export const whereSql = (conditions: string[]) => (conditions.length ? `WHERE ${conditions.join(' AND ')}` : '')
export const limitSql = (params: unknown[], limit?: number) => (limit === undefined ? '' : `LIMIT $${params.push(limit)}`)
