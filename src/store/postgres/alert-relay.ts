import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import type { Logger } from '../../core/logger'
import type { TicketAlert } from '../../escalation/ticket-messenger'
import type { TicketService } from '../../escalation/ticket-service'
import type { TicketRepository } from '../types'
import { LISTEN_DEFAULTS, listenForNotifications } from './notify-listener'

const CHANNEL = 'anju_ticket_alerts'

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
 * Alerts raised while that connection was down are not replayed (the console reloads its lists on reconnecting).
 */
export function relayTicketAlerts(pool: pg.Pool, service: TicketService, tickets: TicketRepository, logger: Logger, options = LISTEN_DEFAULTS): { close(): Promise<void> } {
  const instance = randomUUID()

  service.onAlert((alert: TicketAlert) => {
    if (alert.relayed) return
    const payload: RelayedAlert = { from: instance, key: alert.key, ticketId: alert.ticket.id, recipients: alert.recipients }
    pool.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(payload)])
      .catch((error: unknown) => logger.warn({ err: error, ticket: alert.ticket.id }, 'alert relay: could not publish'))
  })

  const receive = async (payload: string) => {
    const relayed = JSON.parse(payload) as RelayedAlert
    if (relayed.from === instance) return
    const ticket = await tickets.get(relayed.ticketId)
    if (ticket) service.receiveRelayed({ key: relayed.key, ticket, recipients: relayed.recipients })
  }
  return listenForNotifications(pool, CHANNEL, receive, logger, options)
}
