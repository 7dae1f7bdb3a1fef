import { randomBytes } from 'node:crypto'
import type { StaffDirectory } from '../escalation/staff'

/** A console session id or CSRF token: 256 random bits. */
export const newSessionSecret = () => randomBytes(32).toString('base64url')

export const CONSOLE_SESSION_DEFAULTS = {
  /** A shared store records a use at most this often (capped at a tenth of the idle time): a request is not a write. */
  touchEveryMs: 60_000,
}

/** What a shared console session store is opened with (StoreSet.openConsoleSessions). */
export interface ConsoleSessionOptions {
  idleMs: number
  /** Each use looks the member up again: a member taken out of the staff file is signed out everywhere. */
  staff: Pick<StaffDirectory, 'get'>
  now?: () => number
}
