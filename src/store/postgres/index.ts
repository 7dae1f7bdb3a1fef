import type { Logger } from '../../core/logger'
import type { StoreSet } from '../stores'
import { PostgresAuditStore } from './audit-store'
import { PostgresConsoleSessionStore } from './console-session-store'
import { PostgresConversationStore } from './conversation-store'
import { PostgresDeliveryStore } from './delivery-store'
import { migrate } from './migrate'
import { PostgresNoticeStore } from './notice-store'
import { PostgresOutboxStore } from './outbox-store'
import { createPool, type PostgresOptions } from './pool'
import { advisoryLock } from './resident-lock'
import { relayTicketAlerts } from './alert-relay'
import { relayWebPushes } from './push-relay'
import { PostgresResidentStore } from './resident-store'
import { PostgresTicketStore } from './ticket-store'
import { PostgresOfferedChoices } from './offered-choices'
import { PostgresWebHistoryStore, PostgresWebIdentityStore } from './web-stores'

/** Every store on one PostgreSQL database, its migrations applied first. */
export async function openPostgresStores(options: PostgresOptions & { logger?: Logger }): Promise<StoreSet> {
  const pool = createPool(options)
  // Locks hold their connection for a whole message: a pool of their own, so queries never wait behind them.
  const lockPool = createPool({ ...options, max: options.max ?? 10 })
  try {
    const applied = await migrate(pool, options.schema)
    if (applied.length > 0) options.logger?.info({ applied }, 'postgres: migrations applied')
  } catch (error) {
    await Promise.all([pool.end(), lockPool.end()])
    throw error
  }
  const relays: { close(): Promise<void> }[] = []
  const tickets = new PostgresTicketStore(pool)
  const webHistory = new PostgresWebHistoryStore(pool)
  return {
    kind: 'postgres',
    conversations: new PostgresConversationStore(pool),
    residents: new PostgresResidentStore(pool),
    tickets,
    outbox: new PostgresOutboxStore(pool),
    audit: new PostgresAuditStore(pool),
    notices: new PostgresNoticeStore(pool),
    deliveries: new PostgresDeliveryStore(pool),
    webIdentities: new PostgresWebIdentityStore(pool),
    webHistory,
    residentLock: advisoryLock(lockPool),
    offeredChoices: new PostgresOfferedChoices(pool),
    openConsoleSessions: (sessionOptions) => new PostgresConsoleSessionStore(pool, sessionOptions),
    pool,
    relayTicketAlerts: (service, logger) => { relays.push(relayTicketAlerts(pool, service, tickets, logger)) },
    relayWebPushes: (deliver, logger) => {
      const relay = relayWebPushes(pool, options.schema ?? '', webHistory, deliver, logger)
      relays.push(relay)
      return relay.announce
    },
    close: async () => {
      // A listening connection is checked out: given back first, or ending the pool would wait for it.
      await Promise.all(relays.splice(0).map((relay) => relay.close()))
      await Promise.all([pool.end(), lockPool.end()])
    },
  }
}
