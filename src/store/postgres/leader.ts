import type pg from 'pg'
import type { Logger } from '../../core/logger'
import { checkOut } from './pool'

export const LEADER_DEFAULTS = {
  /** How often an instance that is not the leader tries to become it (the leader's death frees the lock at once). */
  retryMs: 10_000,
}

export interface Leadership {
  /** Stops trying, and gives the lock up if this instance holds it. */
  resign(): Promise<void>
}

/**
 * One instance at a time does `role` (polling Telegram: two pollers would each get half the updates). The leader
 * holds a session advisory lock on a connection of its own; when that connection or the instance dies the lock is
 * free, `onLost` runs on the old leader (if it is alive), the next instance that tries takes over, and the old
 * leader goes back to trying.
 */
export function electLeader(
  pool: pg.Pool,
  role: string,
  handlers: { onElected: () => Promise<void>; onLost: () => Promise<void> },
  logger: Logger,
  options: Partial<typeof LEADER_DEFAULTS> = {},
): Leadership {
  const retryMs = options.retryMs ?? LEADER_DEFAULTS.retryMs
  let timer: NodeJS.Timeout | undefined
  let held: Awaited<ReturnType<typeof checkOut>> | undefined
  let resigned = false

  const tryAgain = () => { if (!resigned) timer = setTimeout(() => void attempt(), retryMs).unref() }
  const attempt = async (): Promise<void> => {
    try {
      const candidate = await checkOut(pool)
      const { rows } = await candidate.client.query<{ won: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS won', [`anju:leader:${role}`])
      if (!rows[0]!.won || resigned) {
        if (rows[0]!.won) await candidate.client.query('SELECT pg_advisory_unlock(hashtext($1))', [`anju:leader:${role}`])
        candidate.release()
      } else {
        held = candidate
        candidate.client.once('error', (error) => {
          held = undefined
          candidate.release(true)
          logger.error({ err: error, role }, 'leader: lost the database connection, so the role')
          // Stands again, so that an instance whose connection dropped takes the role back when nobody holds it.
          void handlers.onLost().finally(tryAgain)
        })
        logger.info({ role }, 'leader: this instance now does the role')
        await handlers.onElected()
        return
      }
    } catch (error) {
      logger.warn({ err: error, role }, 'leader: could not try for the role')
    }
    tryAgain()
  }
  void attempt()

  return {
    resign: async () => {
      resigned = true
      clearTimeout(timer)
      if (!held) return
      await held.client.query('SELECT pg_advisory_unlock(hashtext($1))', [`anju:leader:${role}`]).catch(() => undefined)
      held.release()
      held = undefined
    },
  }
}
