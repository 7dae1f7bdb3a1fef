import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { StaffMember } from '../../../src/escalation/staff'

export const CONSOLE_COOKIE = 'anju_console'

export interface ConsoleSession {
  id: string
  member: StaffMember
  /** Sent back by the page in `X-CSRF-Token` on every state change; a cross-site form cannot know it. */
  csrf: string
  createdAt: number
  lastSeenAt: number
}

const newSecret = () => randomBytes(32).toString('base64url')

/**
 * Signed-in console sessions, in memory: a restart signs everyone out, which is the safe side. A session unused
 * for `idleMs` ends; requests the page makes on its own (refreshes, the live stream) do not count as use.
 */
export class ConsoleSessions {
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
    this.#prune()
    const now = this.#now()
    const session = { id: newSecret(), member, csrf: newSecret(), createdAt: now, lastSeenAt: now }
    this.#sessions.set(session.id, session)
    return session
  }

  /** The live session with this id; `touch` counts the request as use. */
  get(id: string | undefined, touch: boolean): ConsoleSession | undefined {
    const session = id === undefined ? undefined : this.#sessions.get(id)
    if (!session) return undefined
    if (this.#expired(session)) {
      this.#sessions.delete(session.id)
      return undefined
    }
    if (touch) session.lastSeenAt = this.#now()
    return session
  }

  end(id: string): void {
    this.#sessions.delete(id)
  }

  isLive(session: ConsoleSession): boolean {
    return this.#sessions.has(session.id) && !this.#expired(session)
  }

  #expired(session: ConsoleSession): boolean {
    return this.#now() - session.lastSeenAt > this.#idleMs
  }

  #prune(): void {
    for (const session of this.#sessions.values()) if (this.#expired(session)) this.#sessions.delete(session.id)
  }
}

/** Constant-time comparison of the CSRF token the page sent with the session's. */
export function csrfMatches(session: ConsoleSession, sent: unknown): boolean {
  if (typeof sent !== 'string') return false
  const a = Buffer.from(sent)
  const b = Buffer.from(session.csrf)
  return a.length === b.length && timingSafeEqual(a, b)
}
