import path from 'node:path'
import type pg from 'pg'
import type { NoticeRepository } from '../broadcast/notice-store'
import { LowdbDeliveryStore, type DeliveryStore } from '../broadcast/delivery-store'
import { LowdbNoticeStore } from '../broadcast/notice-store'
import type { Config } from '../config/env'
import { AnjuError } from '../core/errors'
import type { Logger } from '../core/logger'
import type { TicketService } from '../escalation/ticket-service'
import { LowdbAuditStore } from './lowdb/audit-store'
import { LowdbConversationStore } from './lowdb/conversation-store'
import { LowdbOutboxStore } from './lowdb/outbox-store'
import { LowdbResidentStore } from './lowdb/resident-store'
import { LowdbTicketStore } from './lowdb/ticket-store'
import { LowdbWebHistoryStore, LowdbWebIdentityStore } from './lowdb/web-stores'
import type { ConsoleSessionOptions } from './console-sessions'
import type { ResidentLock } from './postgres/resident-lock'
import type {
  AuditRepository, ConsoleSessionStore, ConversationRepository, OfferedChoicesStore, OutboxRepository, ResidentRepository, TicketRepository, WebHistoryRepository, WebIdentityRepository, WebPushListener,
} from './types'

/** Every store the assistant writes, on one backend. */
export interface StoreSet {
  kind: 'lowdb' | 'postgres'
  conversations: ConversationRepository
  residents: ResidentRepository
  tickets: TicketRepository
  outbox: OutboxRepository
  audit: AuditRepository
  notices: NoticeRepository
  /** Broadcast deliveries: claimed batch by batch, so that instances sharing the store share a broadcast. */
  deliveries: DeliveryStore
  webIdentities: WebIdentityRepository
  webHistory: WebHistoryRepository
  /** What a number in a resident's next message refers to; in this process's memory when absent (lowdb). */
  offeredChoices?: OfferedChoicesStore
  /** Serialises one resident's messages across instances; lowdb has one process, whose own queue is enough. */
  residentLock?: ResidentLock
  /**
   * PostgreSQL: staff console sessions every instance accepts. Without it (lowdb) the console keeps its sessions
   * in memory, and a restart signs everyone out.
   */
  openConsoleSessions?: (options: ConsoleSessionOptions) => ConsoleSessionStore
  /** The PostgreSQL pool, for what queries the database directly (the Telegram leader lock). */
  pool?: pg.Pool
  /** PostgreSQL: the ticket alerts of every instance reach this one's listeners (the console's live stream). */
  relayTicketAlerts?: (service: TicketService, logger: Logger) => void
  /** PostgreSQL: web pushes of other instances reach `deliver` (this one's open pages); returns how this one announces its own. */
  relayWebPushes?: (deliver: WebPushListener, logger: Logger) => WebPushListener
  close(): Promise<void>
}

/** The lowdb files under `dataDir`: the default, one process per data folder. */
export function openLowdbStores(dataDir: string, writer?: string): StoreSet {
  const conversations = new LowdbConversationStore(dataDir, { writer })
  return {
    kind: 'lowdb',
    conversations,
    residents: new LowdbResidentStore(dataDir),
    tickets: new LowdbTicketStore(dataDir),
    outbox: new LowdbOutboxStore(dataDir),
    audit: new LowdbAuditStore(dataDir),
    notices: new LowdbNoticeStore(dataDir),
    deliveries: new LowdbDeliveryStore(dataDir),
    webIdentities: new LowdbWebIdentityStore(dataDir),
    webHistory: new LowdbWebHistoryStore(dataDir),
    close: () => conversations.close(),
  }
}

/** PostgreSQL when DATABASE_URL is set, lowdb files in DATA_DIR otherwise. */
export async function openStores(config: Config, options: { writer?: string; logger?: Logger } = {}): Promise<StoreSet> {
  if (!config.DATABASE_URL) return openLowdbStores(path.resolve(config.DATA_DIR), options.writer)
  const { openPostgresStores } = await import('./postgres/index')
  try {
    return await openPostgresStores({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, max: config.DATABASE_POOL_SIZE, logger: options.logger })
  } catch (error) {
    throw new AnjuError('ANJU_ERR_STORE', `PostgreSQL at ${redactUrl(config.DATABASE_URL)}: ${(error as Error).message}`, { cause: error })
  }
}

/** Where a command works, for what it prints: the URL without its password, and the schema when one is set. */
export const describeDatabase = (url: string, schema?: string) => `${redactUrl(url)}${schema ? ` (schema ${schema})` : ''}`

/** A connection URL without its password, for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return 'an unreadable DATABASE_URL'
  }
}
