import type { ConversationRepository, ConversationTurn, TimeRange } from '../types'
import { limitSql, rangeClause, whereSql } from './sql'
import { PostgresStore } from './pool'

/** The conversation record: every turn one row, in arrival order; the unanswered list is an index over the fallbacks. */
export class PostgresConversationStore extends PostgresStore implements ConversationRepository {
  async record(turn: ConversationTurn): Promise<void> {
    await this.pool.query('INSERT INTO conversation_turns (at, fallback, doc) VALUES ($1, $2, $3)', [turn.at, turn.fallback, turn])
  }

  listUnanswered(range: TimeRange = {}): Promise<ConversationTurn[]> {
    return this.#select(range, ['fallback'], 'DESC')
  }

  listTurns(range: TimeRange = {}): Promise<ConversationTurn[]> {
    return this.#select(range, [], 'ASC')
  }

  /** The pool belongs to the whole store set, which closes it. */
  async close(): Promise<void> {}

  async #select(range: TimeRange, extra: string[], order: 'ASC' | 'DESC'): Promise<ConversationTurn[]> {
    const { where, params } = rangeClause('at', range)
    const sql = `SELECT doc FROM conversation_turns ${whereSql([...extra, ...where])} ORDER BY at ${order}, seq ${order} ${limitSql(params, range.limit)}`
    return (await this.pool.query<{ doc: ConversationTurn }>(sql, params)).rows.map((row) => row.doc)
  }
}
