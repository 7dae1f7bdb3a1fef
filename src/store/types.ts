import type { Choice } from '../core/context'
import type { StaffMember } from '../escalation/staff'
import type { Ticket, TicketLocation, TicketStatus } from '../escalation/ticket'
import type { TicketListFilter } from '../escalation/ticket-filter'
import type { Locale } from '../knowledge/schemas'

/** One exchange: what the resident said and what the assistant answered. */
export interface ConversationTurn {
  id: string
  /** ISO time the message was received. */
  at: string
  channel: string
  channelUserId: string
  /** The resident's settlement when they asked, if known: staff see their own settlements' questions. */
  settlementId?: string
  locale: Locale
  text: string
  intent: string | null
  confidence: number
  /** True when the assistant could not answer and gave its fallback. */
  fallback: boolean
  replies: string[]
}

export interface TimeRange {
  from?: Date
  to?: Date
  limit?: number
}

/** The conversation record. Small on purpose, so lowdb can be swapped for PostgreSQL. */
export interface ConversationRepository {
  /** Stores a turn durably before resolving; fallbacks also land on the unanswered list. */
  record(turn: ConversationTurn): Promise<void>
  /** Questions that fell to the fallback, newest first. */
  listUnanswered(range?: TimeRange): Promise<ConversationTurn[]>
  /** Every turn in a range, oldest first. */
  listTurns(range?: TimeRange): Promise<ConversationTurn[]>
  close(): Promise<void>
}

/** Applies a range to turns that are already in time order. */
export function selectRange(turns: ConversationTurn[], range: TimeRange = {}, newestFirst = false): ConversationTurn[] {
  const from = range.from?.toISOString()
  const to = range.to?.toISOString()
  const inRange = turns.filter((turn) => (!from || turn.at >= from) && (!to || turn.at < to))
  if (newestFirst) inRange.reverse()
  return range.limit === undefined ? inRange : inRange.slice(0, range.limit)
}

/**
 * A resident: one person on one channel, identified by the channel and the platform's user id.
 * Every part of the system (answers, escalation, broadcast, dialogues) reads the same profile.
 */
export interface ResidentProfile {
  /** `${channel}:${channelUserId}`; see `residentKey`. */
  key: string
  channel: string
  channelUserId: string
  displayName?: string
  /** The language the resident chose; absent until they choose (the channel's hint is used meanwhile). */
  locale?: Locale
  settlementId?: string
  /** Whether the resident receives notices (on by default once they tell their settlement). */
  notices: boolean
  /** Interests for notices: job-seekers, parents, elderly ... */
  tags: string[]
  /** The platform refused delivery (blocked the bot): stop sending until they write again. */
  blocked: boolean
  /** What the assistant asked and is waiting for, if anything. */
  awaiting?: 'settlement' | 'demand_description' | 'demand_location' | 'caseworker_offer'
  /** A demand being put together for a caseworker (waiting for the settlement, a description or where). */
  demandDraft?: {
    category: string; summary?: string; priority: 'urgent' | 'normal'; location?: TicketLocation; locationAsked?: boolean
    /** When the description or the building and room was asked: an answer long after (a crash, a day away) is not taken as one. */
    askedAt?: string
  }
  /** The building and room, as the resident gave them for a repair: asked once, then used for the next one. */
  home?: TicketLocation
  /** An eligibility pre-check in progress or just finished; stored so that it survives a restart. */
  dialogue?: DialogueState
  /** When two channels are linked, the key of the profile that speaks for both. */
  linkedTo?: string
  createdAt: string
  /** The last change, or the resident's last message when that is later by a day or more (retention reads it). */
  updatedAt: string
}

/** Where a resident is in a pre-check (`knowledge/eligibility/<check>.yaml`). */
export interface DialogueState {
  check: string
  /** Answers by slot id. */
  answers: Record<string, number | boolean | string>
  /** Slots in the order they were answered, so that "上一步" takes back the last one. */
  asked: string[]
  /** asking: waiting for an answer; paused: the resident asked something else; done: the result was shown (kept for /apply). */
  status: 'asking' | 'paused' | 'done'
  /** ISO time of the last turn in it; idle state expires. */
  lastAt: string
  /** Counts the answers given: part of each question's prompt id, so a button pressed for an earlier one is known. */
  turn?: number
}

export const residentKey = (channel: string, channelUserId: string) => `${channel}:${channelUserId}`

/** Who a notice is addressed to; subscription and reachability are the broadcaster's to tell (each a skip reason). */
export interface AudienceQuery {
  /** Settlement ids, or every settlement: a resident who has not told theirs is in no audience. */
  settlements: 'all' | readonly string[]
  /** Residents with any of these tags; everyone in the settlements when empty. */
  tags: readonly string[]
}

export function inAudience(query: AudienceQuery, resident: Pick<ResidentProfile, 'settlementId' | 'tags'>): boolean {
  if (!resident.settlementId) return false
  if (query.settlements !== 'all' && !query.settlements.includes(resident.settlementId)) return false
  return query.tags.length === 0 || query.tags.some((tag) => resident.tags.includes(tag))
}

/** One page of an audience from profiles in any order: those after `after` in key order, `limit` at most. */
export function audiencePage(profiles: Iterable<ResidentProfile>, query: AudienceQuery, after: string | undefined, limit: number): ResidentProfile[] {
  const found: ResidentProfile[] = []
  for (const profile of profiles) if ((after === undefined || profile.key > after) && inAudience(query, profile)) found.push(profile)
  return found.sort((a, b) => (a.key < b.key ? -1 : 1)).slice(0, limit)
}

export interface ResidentRepository {
  get(key: string): Promise<ResidentProfile | undefined>
  save(profile: ResidentProfile): Promise<void>
  /** Every profile (data moves, retention); a broadcast reads its audience with `audience`. */
  list(): Promise<ResidentProfile[]>
  /**
   * A page of a notice's audience in key order: the residents after the key `after` (from the start without it),
   * `limit` at most. Reading page after page with the last key as the cursor goes through the audience once.
   */
  audience(query: AudienceQuery, after: string | undefined, limit: number): Promise<ResidentProfile[]>
  /** Removes these profiles (retention: see ResidentRetention); resolves once that is stored. Unknown keys are ignored. */
  remove(keys: readonly string[]): Promise<void>
}

export interface TicketFilter {
  from?: Date
  to?: Date
  /** Only this resident's tickets. */
  residentKey?: string
  /** Only tickets not yet resolved or closed. */
  openOnly?: boolean
  /** Only tickets of these settlements (what a caseworker or supervisor may see); every one when undefined. */
  settlements?: readonly string[]
}

/** Tickets. `update` applies a change atomically and stores it before resolving. */
export interface TicketRepository {
  /** Allocates the next quotable id for the day of `at` and stores the ticket built with it. */
  create(at: Date, build: (id: string) => Ticket): Promise<Ticket>
  get(id: string): Promise<Ticket | undefined>
  update(id: string, change: (ticket: Ticket) => void): Promise<Ticket>
  /**
   * Tickets created in the range (every ticket without one), oldest first. A filter by `residentKey` or `openOnly`
   * runs on every demand: implementations answer it from an index, not by reading every ticket.
   */
  list(filter?: TicketFilter): Promise<Ticket[]>
  /**
   * The tickets the scheduler's time check looks at, each minute: open ones past their due time, and resolved ones
   * whose return visit is due, not answered and not alerted yet (see `needsTimeCheck`), oldest first. From indexes
   * where the store has them: the check never reads every ticket.
   */
  dueForCheck(now: Date): Promise<Ticket[]>
  /** How many open tickets each caseworker has (only those with any): least-loaded routing, from an index. */
  openCountByAssignee(): Promise<Map<string, number>>
  /** A page of staff's tickets, filtered and ordered (`byUrgencyThenDue`) by the store, with how many match in all. */
  query(query: TicketQuery): Promise<{ tickets: Ticket[]; total: number }>
  /** The inbox's counts over the tickets a member may see. */
  counts(scope: TicketScope): Promise<TicketCounts>
}

/** Whose tickets: a member's settlements (every settlement when undefined: admins), at a time. */
export interface TicketScope {
  settlements?: readonly string[]
  /** Whose tickets `assignee: 'me'` and `mine` mean. */
  staffId: string
  /** What overdue is measured against (ISO). */
  now: string
}

export interface TicketQuery extends TicketScope, TicketListFilter {
  limit: number
  offset?: number
}

export interface TicketCounts {
  unresolved: number
  overdue: number
  urgent: number
  mine: number
  unassigned: number
  byStatus: Record<TicketStatus, number>
}

/** A message waiting to be delivered on a channel: a caseworker's notification, a reply relayed to a resident. */
export interface OutboxItem {
  id: string
  channel: string
  /** The platform's id of the recipient (a chat id, a contact or room id). */
  recipient: string
  text: string
  choices?: Choice[]
  ticketId?: string
  /** Resident deliveries count towards "first answer"; staff ones do not. */
  audience: 'resident' | 'staff'
  /** held: the recipient cannot be reached now (blocked the bot); kept, and delivered when they come back. */
  status: 'pending' | 'held' | 'sent' | 'failed'
  attempts: number
  nextAttemptAt: string
  lastError?: string
  createdAt: string
  sentAt?: string
}

/** The durable outbox: what is in it is delivered, whatever crashes in between. */
export interface OutboxRepository {
  add(item: OutboxItem): Promise<void>
  /** Pending items due by `now`, oldest first. */
  due(now: Date): Promise<OutboxItem[]>
  /**
   * The due items of these channels for this instance to deliver, oldest first. Where several instances share the
   * store (PostgreSQL), each item goes to one: its next attempt moves `leaseMs` on, so no other instance takes it
   * meanwhile, and one whose instance died mid-delivery is due again when the lease ends.
   */
  claimDue(now: Date, channels: readonly string[], leaseMs: number): Promise<OutboxItem[]>
  update(id: string, patch: Partial<OutboxItem>): Promise<void>
  /** Held items of one recipient, oldest first. */
  held(channel: string, recipient: string): Promise<OutboxItem[]>
  list(): Promise<OutboxItem[]>
}

/** One staff action, kept forever: who, what, on what, when. */
export interface AuditEntry {
  at: string
  staffId: string
  action: string
  target?: string
  detail?: string
  /** Where it came from: the client address of an API call, the chat of a command. */
  from?: string
}

export interface AuditRepository {
  record(entry: AuditEntry): Promise<void>
  list(range?: TimeRange): Promise<AuditEntry[]>
}

/** A web chat resident, as found from the hash of the secret token their browser keeps. */
export interface WebIdentity {
  /** The resident's id on the `web` channel (their `channelUserId`); not a secret, and never enough to act. */
  residentId: string
  createdAt: string
}

/** Web residents' identities by the SHA-256 of their token; the token itself is never stored. */
export interface WebIdentityRepository {
  add(tokenHash: string, identity: WebIdentity): Promise<void>
  get(tokenHash: string): Promise<WebIdentity | undefined>
}

/** One line of a web resident's conversation, as the page shows it. */
export interface WebEntry {
  /** Increasing per resident: the page's place in the conversation, and the event id of pushed entries. */
  seq: number
  at: string
  from: 'resident' | 'assistant'
  /** message / reply: a turn of the conversation; push: delivered later (a caseworker's answer, a notice). */
  kind: 'message' | 'reply' | 'push'
  text: string
  choices?: Choice[]
  promptId?: string
  /** Sources as residents read them: 《…方案》第25项任务. */
  sources?: string[]
  /** On a push: the outbox item it delivered, so that a delivery tried again after a crash is not shown twice. */
  deliveryId?: string
}

export type NewWebEntry = Omit<WebEntry, 'seq' | 'at'>

/** Hands a resident's newly stored entries to open pages (this instance's, or every instance's). */
export type WebPushListener = (residentId: string, entries: readonly WebEntry[]) => void

export interface WebHistory {
  entries: WebEntry[]
  /** The highest seq the page has shown the resident; pushed entries above it are unread. */
  readUpTo: number
}

/** Each web resident's conversation, kept on the server so that a reload (or another day) shows it again. */
export interface WebHistoryRepository {
  /** Appends entries in order and resolves, once they are stored, with their seq numbers. */
  append(residentId: string, entries: NewWebEntry[], at: Date): Promise<WebEntry[]>
  read(residentId: string): Promise<WebHistory>
  /** Whether a delivery (an outbox item, a broadcast recipient) is in the history already: without reading it all. */
  hasDelivery(residentId: string, deliveryId: string): Promise<boolean>
  /** Marks everything up to `seq` as shown; never moves back. Resolves with the new mark. */
  markRead(residentId: string, seq: number): Promise<number>
}

/** A signed-in staff console session: the cookie carries `id`, the page sends `csrf` back on every state change. */
export interface ConsoleSession {
  id: string
  member: StaffMember
  /** Sent back by the page in `X-CSRF-Token` on every state change; a cross-site form cannot know it. */
  csrf: string
  createdAt: number
  lastSeenAt: number
}

/**
 * The console's signed-in sessions. A session unused for `idleMs` is gone to `get`. In memory the answers are
 * immediate, on PostgreSQL they are promises: callers await either.
 */
export interface ConsoleSessionStore {
  readonly idleMs: number
  create(member: StaffMember): ConsoleSession | Promise<ConsoleSession>
  /** The live session with this id, its member as the staff directory has them now. */
  get(id: string | undefined): ConsoleSession | undefined | Promise<ConsoleSession | undefined>
  /** Counts a request as use (a store may skip writing when the last use was only a moment ago). */
  touch(session: ConsoleSession): void | Promise<void>
  delete(id: string): void | Promise<void>
  /** Forgets sessions past their idle time. */
  prune(): void | Promise<void>
}

/**
 * The choices last offered to each resident: what a number in their next message ("2") refers to. In memory by
 * default (a restart forgets them, which costs a resident one retyped answer); shared by instances on PostgreSQL,
 * so that the next message may reach any of them.
 */
export interface OfferedChoicesStore {
  get(residentKey: string): Promise<string[] | undefined>
  /** `undefined` forgets them. */
  set(residentKey: string, values: string[] | undefined): Promise<void>
}
