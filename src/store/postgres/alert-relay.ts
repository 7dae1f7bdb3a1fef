import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import type { Logger } from '../../core/logger'
import type { TicketAlert } from '../../escalation/ticket-messenger'
import type { TicketService } from '../../escalation/ticket-service'
import type { TicketRepository } from '../types'
import { checkOut } from './pool'

const CHANNEL = 'anju_ticket_alerts'
export const ALERT_RELAY_DEFAULTS = { reconnectMs: 5_000 }

/** What goes through NOTIFY (8,000 bytes at most): the ticket's id, read again by the receiving instance. */
interface RelayedAlert {
  from: string
  key: string
  ticketId: string
  recipients: string[]
}

/**
 * Ticket alerts raised on any instance reach the console streams of every instance: each alert is published with
 * `pg_notify`, and every instance LISTENs on a connection of its own and hands the others' alerts to its listeners.
 * A lost connection is opened again; alerts raised while it was down are not replayed (the console reloads its
 * lists on reconnecting).
 */
export function relayTicketAlerts(pool: pg.Pool, service: TicketService, tickets: TicketRepository, logger: Logger, options = ALERT_RELAY_DEFAULTS): { close(): Promise<void> } {
  const instance = randomUUID()
  let listening: Awaited<ReturnType<typeof checkOut>> | undefined
  let closed = false
  let timer: NodeJS.Timeout | undefined

  service.onAlert((alert: TicketAlert) => {
    if (alert.relayed) return
    const payload: RelayedAlert = { from: instance, key: alert.key, ticketId: alert.ticket.id, recipients: alert.recipients }
    pool.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(payload)])
      .catch((error: unknown) => logger.warn({ err: error, ticket: alert.ticket.id }, 'alert relay: could not publish'))
  })

  const receive = async (message: pg.Notification) => {
    const relayed = JSON.parse(message.payload ?? '{}') as RelayedAlert
    if (relayed.from === instance) return
    const ticket = await tickets.get(relayed.ticketId)
    if (ticket) service.receiveRelayed({ key: relayed.key, ticket, recipients: relayed.recipients })
  }

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
      logger.warn({ err: error }, 'alert relay: could not listen; trying again')
      return retry()
    }
    listening = held
    held.client.on('notification', (message) => void receive(message).catch((error: unknown) => logger.warn({ err: error }, 'alert relay: could not deliver')))
    held.client.once('error', () => drop(held))
    await held.client.query(`LISTEN ${CHANNEL}`).catch((error: unknown) => {
      logger.warn({ err: error }, 'alert relay: could not listen; trying again')
      drop(held)
    })
  }
  void listen()

  return {
    close: async () => {
      closed = true
      clearTimeout(timer)
      if (!listening) return
      await listening.client.query(`UNLISTEN ${CHANNEL}`).catch(() => undefined)
      listening.release()
      listening = undefined
    },
  }
}
