import type pg from 'pg'
import { AnjuError } from '../../core/errors'
import { checkOut } from './pool'

/** Runs `work` while holding a lock on `key`; see `advisoryLock`. */
export type ResidentLock = <T>(key: string, work: () => Promise<T>) => Promise<T>

/**
 * Runs `work` while this instance holds the key's advisory lock, so the messages of one resident are handled one
 * after another whichever instances receive them. The lock is a transaction's (`pg_advisory_xact_lock`) on a
 * connection of a pool of its own: it is released when the work ends, or when the connection dies with the instance,
 * and the work's own queries never wait for a connection that a lock holds.
 */
export function advisoryLock(lockPool: pg.Pool): ResidentLock {
  return async (key, work) => {
    let held: Awaited<ReturnType<typeof checkOut>> | undefined
    try {
      held = await checkOut(lockPool)
      await held.client.query('BEGIN')
      await held.client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key])
    } catch (error) {
      await held?.release(true)
      throw new AnjuError('ANJU_ERR_STORE', 'the resident lock could not be taken', { cause: error })
    }
    try {
      return await work()
    } finally {
      // Nothing is written in the lock's transaction: ending it releases the lock. A connection that cannot end it is discarded.
      const broken = await held.client.query('ROLLBACK').then(() => false, () => true)
      held.release(broken)
    }
  }
}
