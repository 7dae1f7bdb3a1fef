import type pg from 'pg'
import { hashToken, type StaffDirectory, type StaffMember } from '../../escalation/staff'
import { CONSOLE_SESSION_DEFAULTS, newSessionSecret, type ConsoleSessionOptions } from '../console-sessions'
import type { ConsoleSession, ConsoleSessionStore } from '../types'
import { PostgresStore } from './pool'

interface SessionRow {
  member_id: string
  csrf: string
  created_at: Date
  last_seen_at: Date
}

/** A parameter holding milliseconds since the epoch, as a timestamp. */
const at = (param: string) => `to_timestamp(${param}::double precision / 1000)`
/** The idle cutoff, in SQL: used within `idleParam` milliseconds of `nowParam`. */
const live = (nowParam: string, idleParam: string) => `last_seen_at >= ${at(nowParam)} - ${idleParam}::double precision * interval '1 millisecond'`

/**
 * Console sessions every instance shares, so that a load balancer may send a signed-in caseworker's requests
 * anywhere. Rows are keyed by the SHA-256 of the session id; the cookie's id itself is never stored.
 */
export class PostgresConsoleSessionStore extends PostgresStore implements ConsoleSessionStore {
  readonly idleMs: number
  readonly #staff: Pick<StaffDirectory, 'get'>
  readonly #now: () => number
  readonly #touchEveryMs: number

  constructor(pool: pg.Pool, options: ConsoleSessionOptions) {
    super(pool)
    this.idleMs = options.idleMs
    this.#staff = options.staff
    this.#now = options.now ?? Date.now
    this.#touchEveryMs = Math.min(CONSOLE_SESSION_DEFAULTS.touchEveryMs, options.idleMs / 10)
  }

  async create(member: StaffMember): Promise<ConsoleSession> {
    await this.prune()
    const now = this.#now()
    const session = { id: newSessionSecret(), member, csrf: newSessionSecret(), createdAt: now, lastSeenAt: now }
    await this.pool.query(
      `INSERT INTO console_sessions (id_hash, member_id, csrf, created_at, last_seen_at) VALUES ($1, $2, $3, ${at('$4')}, ${at('$4')})`,
      [hashToken(session.id), member.id, session.csrf, now],
    )
    return session
  }

  async get(id: string | undefined): Promise<ConsoleSession | undefined> {
    if (id === undefined) return undefined
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT member_id, csrf, created_at, last_seen_at FROM console_sessions WHERE id_hash = $1 AND ${live('$2', '$3')}`,
      [hashToken(id), this.#now(), this.idleMs],
    )
    const row = rows[0]
    if (!row) return undefined
    const member = this.#staff.get(row.member_id)
    if (!member) {
      await this.delete(id)
      return undefined
    }
    return { id, member, csrf: row.csrf, createdAt: row.created_at.getTime(), lastSeenAt: row.last_seen_at.getTime() }
  }

  /** Writes only when the recorded use is older than `touchEveryMs`: an idle time may end that much early, never late. */
  async touch(session: ConsoleSession): Promise<void> {
    const now = this.#now()
    if (now - session.lastSeenAt < this.#touchEveryMs) return
    await this.pool.query(
      `UPDATE console_sessions SET last_seen_at = ${at('$2')} WHERE id_hash = $1 AND ${live('$2', '$3')} AND last_seen_at < ${at('$2')}`,
      [hashToken(session.id), now, this.idleMs],
    )
    session.lastSeenAt = now
  }

  async delete(id: string): Promise<void> {
    await this.pool.query('DELETE FROM console_sessions WHERE id_hash = $1', [hashToken(id)])
  }

  async prune(): Promise<void> {
    await this.pool.query(`DELETE FROM console_sessions WHERE NOT ${live('$1', '$2')}`, [this.#now(), this.idleMs])
  }
}
