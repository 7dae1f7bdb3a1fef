import { timingSafeEqual } from 'node:crypto'
import type { StaffMember } from '../../../src/escalation/staff'
import { newSessionSecret } from '../../../src/store/console-sessions'
import type { ConsoleSession, ConsoleSessionStore } from '../../../src/store/types'

export type { ConsoleSession, ConsoleSessionStore } from '../../../src/store/types'

export const CONSOLE_COOKIE = 'anju_console'

/**
 * Signed-in console sessions, in memory: a restart signs everyone out, which is the safe side. A session unused
 * for `idleMs` ends; requests the page makes on its own (refreshes, the live stream) do not count as use.
 * One instance only: several instances behind one address share PostgreSQL's store instead.
 */
export class ConsoleSessions implements ConsoleSessionStore {
  readonly #sessions = new Map<string, ConsoleSession>()
  readonly #idleMs: number
  readonly #now: () => number

  constructor(idleMs: number, now: () => number = Date.now) {
    this.#idleMs = idleMs
    this.#now = now
  }

  get idleMs(): number {
    return this.#idleMs
  }

  create(member: StaffMember): ConsoleSession {
    this.prune()
    const now = this.#now()
    const session = { id: newSessionSecret(), member, csrf: newSessionSecret(), createdAt: now, lastSeenAt: now }
    this.#sessions.set(session.id, session)
    return session
  }

  /** The live session with this id; `touch` counts the request as use. */
  get(id: string | undefined, touch = false): ConsoleSession | undefined {
    const session = id === undefined ? undefined : this.#sessions.get(id)
    if (!session) return undefined
    if (this.#expired(session)) {
      this.#sessions.delete(session.id)
      return undefined
    }
    if (touch) this.touch(session)
    return session
  }

  touch(session: ConsoleSession): void {
    session.lastSeenAt = this.#now()
  }

  delete(id: string): void {
    this.#sessions.delete(id)
  }

  prune(): void {
    for (const session of this.#sessions.values()) if (this.#expired(session)) this.#sessions.delete(session.id)
  }

  #expired(session: ConsoleSession): boolean {
    return this.#now() - session.lastSeenAt > this.#idleMs
  }
}

/** Constant-time comparison of the CSRF token the page sent with the session's. */
export function csrfMatches(session: ConsoleSession, sent: unknown): boolean {
  if (typeof sent !== 'string') return false
  const a = Buffer.from(sent)
  const b = Buffer.from(session.csrf)
  return a.length === b.length && timingSafeEqual(a, b)
}
