import path from 'node:path'
import { Broadcaster, type BroadcastOptions } from './broadcast/broadcaster'
import { NoticeService } from './broadcast/notice-service'
import { configuredChannels } from './config/channels'
import type { Config } from './config/env'
import { systemClock, type Clock } from './core/clock'
import { createLogger, type Logger } from './core/logger'
import { OutboxDispatcher } from './escalation/outbox'
import { DutyRoster } from './escalation/duty'
import { EscalationScheduler } from './escalation/scheduler'
import { StaffDirectory } from './escalation/staff'
import { StaffAudit } from './escalation/staff-audit'
import { StaffChat } from './escalation/staff-chat'
import { TicketService } from './escalation/ticket-service'
import { TimeLimits } from './escalation/time-limits'
import { WorkingCalendar } from './escalation/working-calendar'
import { createTranslator, type Translate } from './i18n'
import { KnowledgeInvalidError, loadKnowledgeBase, type KnowledgeBase, type KnowledgeProblem } from './knowledge/loader'
import type { IntentMatcher } from './matcher/matcher'
import { loadMatcher, MODEL_FILE } from './matcher/model'
import { Pipeline } from './pipeline/pipeline'
import { ResidentRetention } from './store/resident-retention'
import { checkAndUpgradeDataDir } from './store/lowdb/legacy-import'
import { openStores, type StoreSet } from './store/stores'
import type { ConversationRepository, ResidentRepository, TicketRepository, WebHistoryRepository, WebIdentityRepository, WebPushListener } from './store/types'

/** The demand desk: tickets, their outbox, the staff who handle them and the scheduler of time limits. */
export interface DemandDesk {
  service: TicketService
  tickets: TicketRepository
  audit: StaffAudit
  outbox: OutboxDispatcher
  staff: StaffDirectory
  scheduler: EscalationScheduler
  /** Caseworkers' commands in their own chat. */
  staffChat: StaffChat
  clock: Clock
}

export interface Assistant {
  config: Config
  logger: Logger
  kb: KnowledgeBase
  matcher: IntentMatcher
  translate: Translate
  conversations: ConversationRepository
  residents: ResidentRepository
  /** Absent where this process must not write tickets (the terminal chat beside a running server). */
  desk?: DemandDesk
  /** Broadcast notices (with the demand desk: they need its staff, audit and channels). */
  broadcast?: NoticeService
  pipeline: Pipeline
  /** The web chat's residents (by the hash of their token) and their conversations as the page shows them. */
  web: WebChatStores
  /** The knowledge base in use, and a reload after staff edited the files. */
  knowledge: KnowledgeSource
  /** Every store, on lowdb or PostgreSQL (DATABASE_URL); closed at shutdown. */
  stores: StoreSet
  /** Removes anonymous residents silent for RESIDENT_RETENTION_DAYS (started by the server). */
  retention: ResidentRetention
}

export interface WebChatStores {
  identities: WebIdentityRepository
  history: WebHistoryRepository
  /** Several instances on one database: pushes reach pages on every instance (given this one's streams, returns the announcer). */
  relayPushes?: (deliver: WebPushListener) => WebPushListener
}

export type ReloadOutcome = { ok: true; intents: number; topics: number; loadedAt: string } | { ok: false; problems: KnowledgeProblem[] }

export interface KnowledgeSource {
  current(): KnowledgeBase
  /**
   * Reads and validates the knowledge and intent files again; when they are valid, the assistant answers with
   * them from the next message on. When not, nothing changes and the problems say what to fix.
   * Settlements, and the desk's time limits, working days and duty desk, are read at start only (the staff
   * directory and notices rest on them); the staff file is watched by the desk's scheduler.
   */
  reload(): Promise<ReloadOutcome>
}

export interface AssistantOverrides {
  logger?: Logger
  clock?: Clock
  conversations?: ConversationRepository
  residents?: ResidentRepository
  /** Name this process writes its lowdb files under (one writer per file): 'server', 'cli' ... */
  storeWriter?: string
  /** false: no demand desk in this process. */
  desk?: false
  /** Broadcast pacing, concurrency and retries (tests turn pacing off). */
  broadcast?: Partial<BroadcastOptions>
}

async function createDesk(config: Config, kb: KnowledgeBase, translate: Translate, stores: StoreSet, residents: ResidentRepository, clock: Clock, logger: Logger): Promise<DemandDesk> {
  const tickets = stores.tickets
  const audit = new StaffAudit(stores.audit, clock)
  const outbox = new OutboxDispatcher(stores.outbox, clock, logger)
  const staff = await StaffDirectory.load(config.STAFF_FILE, kb.settlements)
  const calendar = new WorkingCalendar(kb.workingDays)
  const service = new TicketService({
    tickets, residents, audit, staff, outbox, translate, clock, logger,
    limits: new TimeLimits(kb.timeLimits, calendar),
    duty: new DutyRoster(kb.dutyDesk, kb.settlements),
    supervisorAlertDelayMs: config.TICKET_SUPERVISOR_ALERT_HOURS * 3_600_000,
    names: {
      settlement: (id) => kb.settlements.find((s) => s.id === id)?.name['zh-CN'],
      category: (id) => kb.topics.get(id)?.title['zh-CN'],
    },
    maxOpenPerResident: config.TICKETS_OPEN_PER_RESIDENT,
  })
  stores.relayTicketAlerts?.(service, logger)
  const scheduler = new EscalationScheduler({ service, outbox, logger, staff, staffFile: config.STAFF_FILE, calendar, clock })
  return { service, tickets, audit, outbox, staff, clock, scheduler, staffChat: new StaffChat(service, staff, translate, audit) }
}

/** Builds everything but the adapters: knowledge → matcher → stores → demand desk → pipeline. Throws on bad knowledge. */
export async function createAssistant(config: Config, overrides: AssistantOverrides = {}): Promise<Assistant> {
  const logger = overrides.logger ?? createLogger(config.LOG_LEVEL)
  const clock = overrides.clock ?? systemClock
  // Every store file is read before anything is served or written: a damaged one stops start-up, named.
  // Files in an earlier format are then imported into the current one, before any store opens them.
  await checkAndUpgradeDataDir(path.resolve(config.DATA_DIR), logger, clock.now())
  const kb = await loadKnowledgeBase({ knowledgeDir: config.KNOWLEDGE_DIR, intentsDir: config.INTENTS_DIR })
  const modelFile = path.join(config.KNOWLEDGE_DIR, MODEL_FILE)
  const matcher = await loadMatcher(kb, modelFile, logger)
  const translate = await createTranslator(kb.messages)
  const stores = await openStores(config, { writer: overrides.storeWriter, logger })
  const conversations = overrides.conversations ?? stores.conversations
  const residents = overrides.residents ?? stores.residents
  const desk = overrides.desk === false ? undefined : await createDesk(config, kb, translate, stores, residents, clock, logger)
  const channels = configuredChannels(config)
  const broadcast = desk && new NoticeService({
    notices: stores.notices,
    broadcaster: new Broadcaster({
      deliveries: stores.deliveries, residents, translate, clock, logger,
      senderFor: (channel) => desk.outbox.senderFor(channel),
      // A channel whose sender runs here is the deployment's too, whatever the configuration says (a test's fake one).
      channelConfigured: (channel) => channels.has(channel) || desk.outbox.senderFor(channel) !== undefined,
      options: { leaseMs: config.BROADCAST_LEASE_SECONDS * 1_000, ...overrides.broadcast },
    }),
    staff: desk.staff,
    audit: desk.audit,
    settlementIds: kb.settlements.map((s) => s.id),
    tagIds: Object.keys(kb.notices.tags),
    clock,
    logger,
    intervalMs: config.NOTICE_INTERVAL_SECONDS * 1_000,
  })
  const pipeline = new Pipeline({
    kb, matcher, translate, conversations, residents, tickets: desk?.service, notices: broadcast, logger, clock,
    defaultLocale: config.DEFAULT_LOCALE,
    dialogueIdleMinutes: config.DIALOGUE_IDLE_MINUTES,
    rateLimit: { burst: config.CHAT_RATE_BURST, perMinute: config.CHAT_RATE_PER_MINUTE },
    ticketsPerAddressPerHour: config.TICKETS_PER_ADDRESS_PER_HOUR,
    onResidentReturned: desk && ((channel, channelUserId) => desk.outbox.release(channel, channelUserId)),
    canPush: (channel) => desk?.outbox.senderFor(channel) !== undefined,
    residentLock: stores.residentLock,
    offeredChoices: stores.offeredChoices,
  })
  const relayWebPushes = stores.relayWebPushes
  const web: WebChatStores = {
    identities: stores.webIdentities,
    history: stores.webHistory,
    ...(relayWebPushes ? { relayPushes: (deliver: WebPushListener) => relayWebPushes(deliver, logger) } : {}),
  }
  let current = { kb, matcher, translate }
  const knowledge: KnowledgeSource = {
    current: () => current.kb,
    reload: async () => {
      let fresh: KnowledgeBase
      try {
        fresh = await loadKnowledgeBase({ knowledgeDir: config.KNOWLEDGE_DIR, intentsDir: config.INTENTS_DIR })
      } catch (error) {
        if (error instanceof KnowledgeInvalidError) return { ok: false, problems: error.problems }
        throw error
      }
      // Settlements stay as loaded at start: a changed list would disagree with the staff directory and notices.
      const next = { kb: { ...fresh, settlements: current.kb.settlements }, matcher: await loadMatcher(fresh, modelFile, logger), translate: await createTranslator(fresh.messages) }
      pipeline.replaceKnowledge(next)
      current = next
      logger.info({ intents: fresh.intents.length }, 'knowledge base reloaded')
      return { ok: true, intents: fresh.intents.length, topics: fresh.topics.size, loadedAt: new Date().toISOString() }
    },
  }
  const retention = new ResidentRetention({ residents, tickets: desk?.tickets, days: config.RESIDENT_RETENTION_DAYS, clock, logger })
  return {
    config, logger, conversations, residents, desk, broadcast, pipeline, web, knowledge, stores, retention,
    get kb() { return current.kb },
    get matcher() { return current.matcher },
    get translate() { return current.translate },
  }
}
