import type pg from 'pg'
import type { Logger } from '../../core/logger'
import { checkOut } from './pool'

export const LISTEN_DEFAULTS = { reconnectMs: 5_000 }

/**
 * LISTENs on `channel` on a connection of its own and hands each notification's payload to `receive`. A lost
 * connection is opened again; what was notified while it was down is not replayed (the relays built on it say
 * what makes up for that).
 */
export function listenForNotifications(
  pool: pg.Pool, channel: string, receive: (payload: string) => Promise<void>, logger: Logger, options = LISTEN_DEFAULTS,
): { close(): Promise<void> } {
  let listening: Awaited<ReturnType<typeof checkOut>> | undefined
  let closed = false
  let timer: NodeJS.Timeout | undefined

  const retry = () => { if (!closed) timer = setTimeout(() => void listen(), options.reconnectMs).unref() }
  const drop = (held: Awaited<ReturnType<typeof checkOut>>) => {
    if (listening !== held) return
    listening = undefined
    held.release(true)
    retry()
  }
  const listen = async (): Promise<void> => {
    let held: Awaited<ReturnType<typeof checkOut>>
    try {
      held = await checkOut(pool)
    } catch (error) {
      logger.warn({ err: error, channel }, 'notify listener: could not listen; trying again')
      return retry()
    }
    listening = held
    held.client.on('notification', (message) => {
      if (message.channel !== channel) return
      void receive(message.payload ?? '{}').catch((error: unknown) => logger.warn({ err: error, channel }, 'notify listener: could not deliver'))
    })
    held.client.once('error', () => drop(held))
    await held.client.query(`LISTEN ${channel}`).catch((error: unknown) => {
      logger.warn({ err: error, channel }, 'notify listener: could not listen; trying again')
      drop(held)
    })
  }
  void listen()

  return {
    close: async () => {
      closed = true
      clearTimeout(timer)
      if (!listening) return
      await listening.client.query(`UNLISTEN ${channel}`).catch(() => undefined)
      listening.release()
      listening = undefined
    },
  }
}
