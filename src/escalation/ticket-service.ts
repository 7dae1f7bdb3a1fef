import { randomUUID } from 'node:crypto'
import type { Clock } from '../core/clock'
import { AnjuError } from '../core/errors'
import type { Logger } from '../core/logger'
import type { Translate } from '../i18n'
import type { DemandKind } from '../knowledge/desk-schema'
import type { Locale } from '../knowledge/schemas'
import type { ResidentRepository, TicketCounts, TicketRepository, TicketScope } from '../store/types'
import type { StaffAudit } from './staff-audit'
import { TicketMessenger, type TicketAlert, type TicketNames } from './ticket-messenger'
import { TicketRouting } from './ticket-routing'
import type { OutboxDispatcher } from './outbox'
import type { DutyPhone, DutyRoster } from './duty'
import type { Recipient, StaffDirectory, StaffMember } from './staff'
import type { TicketListFilter } from './ticket-filter'
import { isOpenStatus, needsTimeCheck, STATUS_TRANSITIONS, type Actor, type Ticket, type TicketStatus } from './ticket'
import type { AppliedLimit, TimeLimits } from './time-limits'

export const TICKET_PAGE_DEFAULTS = {
  /** Tickets in a staff list page when the caller names no limit. */
  limit: 100,
  /** The most a page may hold. */
  maxLimit: 500,
}

/** What the resident's side knows when it raises a demand; the desk adds the rest. */
export type NewDemand = Pick<Ticket, 'residentKey' | 'channel' | 'channelUserId' | 'settlementId' | 'category' | 'summary' | 'priority' | 'context' | 'locale' | 'location'>

export interface TicketServiceOptions {
  tickets: TicketRepository
  residents: ResidentRepository
  audit: StaffAudit
  staff: StaffDirectory
  outbox: OutboxDispatcher
  translate: Translate
  clock: Clock
  logger: Logger
  /** Time limits per kind and topic, on China's working calendar. */
  limits: TimeLimits
  /** Who takes urgent help whose settlement is not known yet. */
  duty: DutyRoster
  /** How long after the due time the supervisor is alerted too. */
  supervisorAlertDelayMs: number
  /** Names for staff messages (settlements, topics); ids are shown where a name is not known. */
  names?: TicketNames
  /** A resident's open tickets (TICKETS_OPEN_PER_RESIDENT); a demand beyond joins the newest of them. */
  maxOpenPerResident: number
}

/**
 * The demand (诉求) desk: creates tickets, routes them to the settlement's least-loaded caseworker,
 * relays answers to the resident's own channel, runs the return visit and the overdue alerts.
 * Every staff action is checked against the staff member's settlements and written to the audit log.
 */
export class TicketService {
  readonly #o: TicketServiceOptions
  readonly #routing: TicketRouting
  readonly #messenger: TicketMessenger

  constructor(options: TicketServiceOptions) {
    this.#o = options
    this.#routing = new TicketRouting(options.staff, options.duty, options.tickets)
    this.#messenger = new TicketMessenger(options)
    // A resident's first delivered answer is what "time to first answer" measures; every outcome is on the ticket.
    options.outbox.onDelivered(async (item) => {
      if (item.audience !== 'resident' || !item.ticketId) return
      await this.#change(item.ticketId, (t) => {
        t.firstAnswerAt ??= this.#now()
        t.events.push({ at: this.#now(), actor: 'system', type: 'delivery', detail: 'delivered' })
      })
    })
    options.outbox.onHeld((item) => this.#undelivered(item, 'held', 'ticket.notify_undelivered'))
    options.outbox.onFailed((item) => this.#undelivered(item, 'failed', 'ticket.notify_delivery_failed'))
  }

  /** A message to the resident did not arrive: recorded on the ticket, and the caseworker is told (never "sent"). */
  async #undelivered(item: { audience: string; ticketId?: string; lastError?: string }, state: 'held' | 'failed', key: string): Promise<void> {
    if (item.audience !== 'resident' || !item.ticketId) return
    const updated = await this.#change(item.ticketId, (t) => {
      t.events.push({ at: this.#now(), actor: 'system', type: 'delivery', detail: `${state}: ${item.lastError ?? ''}` })
    })
    await this.#messenger.notifyStaff(updated, this.#routing.handlers(updated), key, { reason: item.lastError ?? '' }, false)
  }

  /** Every staff alert (new, urgent, assigned, reopened, overdue), whether or not the staff have a chat to get it. */
  onAlert(listener: (alert: TicketAlert) => void): void {
    this.#messenger.onAlert(listener)
  }

  /** An alert another instance raised (PostgreSQL's relay): this instance's listeners hear of it as of their own. */
  receiveRelayed(alert: Omit<TicketAlert, 'relayed'>): void {
    this.#messenger.receiveRelayed(alert)
  }

  /**
   * A new demand becomes a ticket, unless its resident already has `maxOpenPerResident` open ones: then it joins
   * the newest of them (`joined`), so that one resident cannot bury the caseworkers in tickets.
   */
  async create(demand: NewDemand): Promise<Ticket & { joined?: true }> {
    const open = await this.#o.tickets.list({ residentKey: demand.residentKey, openOnly: true })
    if (open.length >= this.#o.maxOpenPerResident) return { ...(await this.#join(open.at(-1)!, demand)), joined: true }
    const now = this.#o.clock.now()
    const at = now.toISOString()
    const assignee = await this.#routing.pickCaseworker(demand.settlementId)
    const kind = this.#o.limits.kindOf(demand.category, demand.summary)
    const resolutionDue = this.#o.limits.resolutionDue(now, this.#o.limits.limitFor({ ...demand, kind })).toISOString()
    const firstContactDue = demand.priority === 'urgent' ? this.#o.limits.firstContactDue(now).toISOString() : undefined
    const ticket = await this.#o.tickets.create(now, (id) => ({
      id,
      ...demand,
      kind,
      status: assignee ? 'assigned' : 'open',
      assignee: assignee?.id,
      dueAt: firstContactDue ?? resolutionDue,
      ...(firstContactDue ? { firstContactDueAt: firstContactDue } : {}),
      createdAt: at,
      updatedAt: at,
      alerted: {},
      events: [
        { at, actor: 'resident', type: 'created', detail: demand.summary },
        ...(assignee ? [{ at, actor: 'system' as const, type: 'assigned' as const, detail: assignee.id }] : []),
      ],
    }))
    this.#o.logger.info({ ticket: ticket.id, settlement: ticket.settlementId, priority: ticket.priority, assignee: ticket.assignee }, 'ticket created')
    return this.#notifyNew(ticket)
  }

  /** A demand added to an open ticket; an urgent one makes the ticket urgent, and its staff hear of it at once. */
  async #join(ticket: Ticket, demand: NewDemand): Promise<Ticket> {
    const escalates = demand.priority === 'urgent' && ticket.priority !== 'urgent'
    this.#o.logger.info({ ticket: ticket.id, escalates }, 'demand joined an open ticket: the resident has the most open tickets allowed')
    if (!escalates) return this.addResidentMessage(ticket.id, demand.summary)
    const updated = await this.#change(ticket.id, (t) => {
      this.#addResidentWords(t, demand.summary)
      t.priority = 'urgent'
      t.dueAt = t.firstContactDueAt = this.#o.limits.firstContactDue(this.#o.clock.now()).toISOString()
      t.firstContactAt = undefined
      t.alerted = {}
      t.events.push({ at: this.#now(), actor: 'system', type: 'priority', detail: 'urgent' })
    })
    await this.#messenger.notifyStaff({ ...updated, summary: demand.summary }, this.#routing.newTicketRecipients(updated), 'ticket.notify_urgent')
    return updated
  }

  /**
   * Notifications of new tickets that were stored but whose notification was never queued
   * (a crash in between): run at start.
   */
  async recoverUnnotified(): Promise<number> {
    const stranded = (await this.#o.tickets.list({ openOnly: true })).filter((t) => !t.events.some((e) => e.type === 'notification_queued'))
    if (stranded.length === 0) return 0
    // Notifications of a new ticket have ids made from it: those a crash let through are not queued twice.
    const stored = await this.#o.outbox.storedIds()
    for (const ticket of stranded) await this.#notifyNew(ticket, stored)
    return stranded.length
  }

  /**
   * A resident who had no settlement when they raised an urgent demand has now told it: route it, and its
   * caseworker and supervisor hear of it as urgent (the duty contacts were alerted when it came in).
   */
  async settle(residentKey: string, settlementId: string): Promise<void> {
    for (const ticket of await this.ofResident(residentKey)) {
      if (ticket.settlementId || !isOpenStatus(ticket.status)) continue
      const assignee = await this.#routing.pickCaseworker(settlementId)
      const updated = await this.#change(ticket.id, (t) => {
        t.settlementId = settlementId
        if (assignee) this.#assignTo(t, assignee.id, 'system')
      })
      await this.#messenger.notifyStaff(updated, this.#routing.newTicketRecipients(updated), updated.priority === 'urgent' ? 'ticket.notify_urgent' : 'ticket.notify_new')
    }
  }

  /**
   * Open tickets nobody holds (raised before staff were configured, or whose caseworker left the staff file) go
   * to their settlement's least-loaded caseworker: run at start and whenever the staff file changes.
   */
  async routeOrphans(): Promise<number> {
    let routed = 0
    const orphaned = (t: Ticket) => t.settlementId !== undefined && !(t.assignee && this.#o.staff.get(t.assignee))
    for (const ticket of await this.#o.tickets.list({ openOnly: true })) {
      if (!orphaned(ticket)) continue
      const assignee = await this.#routing.pickCaseworker(ticket.settlementId)
      if (!assignee) continue
      // Checked again inside the update: of several instances starting at once, one routes each orphan.
      let assigned = false
      const updated = await this.#change(ticket.id, (t) => {
        if (!isOpenStatus(t.status) || !orphaned(t)) return
        this.#assignTo(t, assignee.id, 'system')
        assigned = true
      })
      if (!assigned) continue
      await this.#messenger.notifyStaff(updated, [assignee], 'ticket.notify_assigned')
      routed += 1
    }
    return routed
  }

  async ofResident(residentKey: string): Promise<Ticket[]> {
    return this.#o.tickets.list({ residentKey })
  }

  /** The time limit a ticket is held to (tickets from before kinds were known get theirs from their words). */
  limitOf(ticket: Ticket): AppliedLimit {
    return this.#o.limits.limitFor({ ...ticket, kind: ticket.kind ?? this.#o.limits.kindOf(ticket.category, ticket.summary) })
  }

  /** consultation, repair or complaint, by the demand's words and topic. */
  kindOf(category: string, summary: string): DemandKind {
    return this.#o.limits.kindOf(category, summary)
  }

  /** Duty phones for a resident whose settlement is not known. */
  dutyPhones(locale: Locale): DutyPhone[] {
    return this.#o.duty.phones(locale)
  }

  /** How many open tickets a resident may have; beyond, a demand joins the newest. */
  get maxOpenPerResident(): number {
    return this.#o.maxOpenPerResident
  }

  // ---- staff actions: each checked and audited ----

  /** A page of the tickets a member may see, most pressing first, filtered and paged by the store. */
  async list(member: StaffMember, filter: TicketListFilter = {}, page: { limit: number; offset?: number } = { limit: TICKET_PAGE_DEFAULTS.limit }): Promise<{ tickets: Ticket[]; total: number }> {
    await this.#audit(member, 'ticket.list', undefined, { ...filter, ...page })
    return this.#o.tickets.query({ ...this.#scopeOf(member), ...filter, ...page })
  }

  /** The inbox's counts over the tickets a member may see. */
  counts(member: StaffMember): Promise<TicketCounts> {
    return this.#o.tickets.counts(this.#scopeOf(member))
  }

  #scopeOf(member: StaffMember): TicketScope {
    return { ...this.visibleTo(member), staffId: member.id, now: this.#now() }
  }

  /** The store filter for what a member may see: their settlements, or everything for an admin. */
  visibleTo(member: StaffMember): { settlements?: readonly string[] } {
    return member.role === 'admin' ? {} : { settlements: member.settlements }
  }

  async get(member: StaffMember, id: string): Promise<Ticket> {
    const ticket = await this.#visible(member, id, 'ticket.get')
    await this.#audit(member, 'ticket.get', id)
    return ticket
  }

  async assign(member: StaffMember, id: string, assigneeId: string): Promise<Ticket> {
    const ticket = await this.#visible(member, id, 'ticket.assign')
    const assignee = this.#o.staff.get(assigneeId)
    if (!assignee || assignee.role !== 'caseworker' || !this.#o.staff.canSee(assignee, ticket)) {
      throw new AnjuError('ANJU_ERR_BAD_REQUEST', `${assigneeId} is not a caseworker of this ticket's settlement`)
    }
    // Caseworkers may take a ticket themselves; handing it to someone else is a supervisor's call.
    if (member.role === 'caseworker' && assigneeId !== member.id) throw new AnjuError('ANJU_ERR_FORBIDDEN', 'only a supervisor can assign a ticket to someone else')
    const updated = await this.#change(id, (t) => this.#assignTo(t, assigneeId, `staff:${member.id}`))
    await this.#audit(member, 'ticket.assign', id, assigneeId)
    if (assigneeId !== member.id) await this.#messenger.notifyStaff(updated, [assignee], 'ticket.notify_assigned')
    return updated
  }

  /**
   * A caseworker's answer: recorded on the ticket and relayed to the resident on their own channel. The relay's
   * outbox id is saved with the reply, so that a crash before it is queued is repaired at start (`recoverUnrelayed`).
   */
  async reply(member: StaffMember, id: string, text: string): Promise<Ticket> {
    await this.#visible(member, id, 'ticket.reply')
    const outboxId = randomUUID()
    const updated = await this.#change(id, (t) => {
      t.events.push({ at: this.#now(), actor: `staff:${member.id}`, type: 'reply', detail: text, outboxId })
      this.#firstContact(t)
      t.unseenResidentMessages = undefined
      if (t.status === 'open' || t.status === 'assigned' || t.status === 'reopened') this.#setStatus(t, 'in_progress', `staff:${member.id}`)
    })
    await this.#audit(member, 'ticket.reply', id, text)
    return this.#relay(updated, outboxId, text)
  }

  /** Queues a saved reply's message to the resident under its outbox id, then marks it queued on the ticket. */
  async #relay(ticket: Ticket, outboxId: string, text: string): Promise<Ticket> {
    await this.#messenger.toResident(ticket, 'ticket.reply_to_resident', { id: ticket.id, text }, undefined, outboxId)
    return this.#change(ticket.id, (t) => {
      t.events.push({ at: this.#now(), actor: 'system', type: 'relay_queued', detail: outboxId })
    })
  }

  /**
   * Replies saved on a ticket whose relay was not marked queued (a crash in between): each is queued now, unless the
   * outbox has it already, so that every saved reply reaches the resident exactly once. Run at start.
   */
  async recoverUnrelayed(): Promise<number> {
    const stranded = (await this.#o.tickets.list()).flatMap((ticket) => {
      const queued = new Set(ticket.events.filter((e) => e.type === 'relay_queued').map((e) => e.detail))
      return ticket.events.filter((e) => e.type === 'reply' && e.outboxId && !queued.has(e.outboxId)).map((reply) => ({ ticket, reply }))
    })
    if (stranded.length === 0) return 0
    const stored = await this.#o.outbox.storedIds()
    for (const { ticket, reply } of stranded) {
      if (stored.has(reply.outboxId!)) {
        await this.#change(ticket.id, (t) => { t.events.push({ at: this.#now(), actor: 'system', type: 'relay_queued', detail: reply.outboxId }) })
      } else {
        await this.#relay(ticket, reply.outboxId!, reply.detail ?? '')
      }
    }
    return stranded.length
  }

  /** Resolving needs a resolution note: it is what the return visit tells the resident was done. */
  async changeStatus(member: StaffMember, id: string, status: TicketStatus, note?: string): Promise<Ticket> {
    await this.#visible(member, id, 'ticket.status')
    const resolution = note?.trim()
    if (status === 'resolved' && !resolution) throw new AnjuError('ANJU_ERR_BAD_REQUEST', 'resolving needs a resolution note (what was done)')
    const updated = await this.#change(id, (t) => {
      this.#setStatus(t, status, `staff:${member.id}`)
      t.unseenResidentMessages = undefined
      if (status === 'resolved') {
        // Resolving tells the resident what was done: it is contact, if none came before.
        this.#firstContact(t)
        t.resolution = resolution
        t.returnVisitDueAt = this.#o.limits.returnVisitDue(this.#o.clock.now()).toISOString()
        t.events.push({ at: this.#now(), actor: `staff:${member.id}`, type: 'resolution', detail: resolution })
      }
    })
    await this.#audit(member, 'ticket.status', id, resolution ? { status, note: resolution } : status)
    if (status === 'resolved') await this.#returnVisit(updated)
    if (status === 'reopened') this.#messenger.alert(updated, [], 'ticket.notify_reopened')
    return updated
  }

  /**
   * A duplicate is closed into the ticket that carries on: the duplicate's words are added to it,
   * and the resident's later questions about the duplicate name the ticket it went into.
   */
  async merge(member: StaffMember, duplicateId: string, intoId: string): Promise<Ticket> {
    if (duplicateId === intoId) throw new AnjuError('ANJU_ERR_BAD_REQUEST', 'a ticket cannot be merged into itself')
    const duplicate = await this.#visible(member, duplicateId, 'ticket.merge')
    const target = await this.#visible(member, intoId, 'ticket.merge')
    if (!isOpenStatus(target.status)) throw new AnjuError('ANJU_ERR_CONFLICT', `ticket ${intoId} is ${target.status}: merge into an open ticket`)
    if (duplicate.mergedInto) throw new AnjuError('ANJU_ERR_CONFLICT', `ticket ${duplicateId} is already merged into ${duplicate.mergedInto}`)
    await this.#change(duplicateId, (t) => {
      this.#setStatus(t, 'closed', `staff:${member.id}`)
      t.mergedInto = intoId
      t.events.push({ at: this.#now(), actor: `staff:${member.id}`, type: 'merged_into', detail: intoId })
    })
    const updated = await this.#change(intoId, (t) => {
      t.events.push({ at: this.#now(), actor: `staff:${member.id}`, type: 'merged_from', detail: `${duplicateId}: ${duplicate.summary}` })
    })
    await this.#audit(member, 'ticket.merge', duplicateId, intoId)
    return updated
  }

  async note(member: StaffMember, id: string, text: string): Promise<Ticket> {
    await this.#visible(member, id, 'ticket.note')
    const updated = await this.#change(id, (t) => {
      t.events.push({ at: this.#now(), actor: `staff:${member.id}`, type: 'note', detail: text })
      t.unseenResidentMessages = undefined
    })
    await this.#audit(member, 'ticket.note', id, text)
    return updated
  }

  // ---- the resident's side ----

  /** More words from the resident on a ticket they raised a moment ago (a second demand merged): the caseworker hears them. */
  async addResidentMessage(id: string, text: string): Promise<Ticket> {
    const updated = await this.#change(id, (t) => this.#addResidentWords(t, text))
    await this.#messenger.notifyStaff(updated, this.#routing.handlers(updated), 'ticket.notify_merged', { text })
    return updated
  }

  /** The return visit's answer: solved closes the ticket, not solved reopens it and tells the caseworker. */
  async returnVisitAnswer(residentKey: string, id: string, solved: boolean): Promise<Ticket | undefined> {
    const ticket = await this.#o.tickets.get(id)
    if (!ticket || ticket.residentKey !== residentKey || ticket.status !== 'resolved') return undefined
    const updated = await this.#change(id, (t) => {
      t.satisfaction = { solved, at: this.#now() }
      t.events.push({ at: this.#now(), actor: 'resident', type: 'return_visit', detail: solved ? 'solved' : 'not solved' })
      this.#setStatus(t, solved ? 'closed' : 'reopened', 'resident')
    })
    if (!solved) await this.#messenger.notifyStaff(updated, this.#routing.handlers(updated), 'ticket.notify_reopened')
    return updated
  }

  // ---- time limits ----

  /**
   * Once each, whatever restarts: an urgent ticket without first contact alerts its caseworker and supervisor;
   * a ticket past its due time alerts the assignee, then the supervisor after a delay; a return visit left
   * unanswered past its limit asks the caseworker to call the resident.
   */
  async alertOverdue(): Promise<void> {
    const now = this.#o.clock.now()
    const nowIso = now.toISOString()
    for (const ticket of await this.#o.tickets.dueForCheck(now)) {
      if (!isOpenStatus(ticket.status) && needsTimeCheck(ticket, nowIso)) {
        await this.#overdue(ticket, 'returnVisit', (t) => this.#routing.handlers(t), 'ticket.notify_return_visit_due')
      }
      if (!isOpenStatus(ticket.status) || ticket.dueAt > nowIso) continue
      if (ticket.firstContactDueAt && !ticket.firstContactAt) {
        if (!ticket.alerted.firstContact) await this.#overdue(ticket, 'firstContact', (t) => [...this.#routing.handlers(t), ...this.#routing.supervisorsOf(t)], 'ticket.notify_first_contact_overdue')
      } else if (!ticket.alerted.assignee) {
        await this.#overdue(ticket, 'assignee', (t) => this.#routing.handlers(t), 'ticket.notify_overdue')
      } else if (!ticket.alerted.supervisor && now.getTime() >= Date.parse(ticket.dueAt) + this.#o.supervisorAlertDelayMs) {
        await this.#overdue(ticket, 'supervisor', (t) => this.#routing.supervisorsOf(t), 'ticket.notify_overdue_supervisor')
      }
    }
  }

  /**
   * Records an alert unless one is recorded already, then sends it. Checked again inside the ticket's update: of
   * several instances passing at once (PostgreSQL), the one that records the alert sends it.
   */
  async #overdue(ticket: Ticket, which: keyof Ticket['alerted'], recipients: (t: Ticket) => Recipient[], key: string): Promise<void> {
    let recorded = false
    const updated = await this.#change(ticket.id, (t) => {
      if (t.alerted[which]) return
      recorded = true
      t.alerted[which] = this.#now()
      t.events.push({ at: this.#now(), actor: 'system', type: 'overdue_alert', detail: which })
    })
    if (recorded) await this.#messenger.notifyStaff(updated, recipients(updated), key)
  }

  // ---- internals ----

  #now(): string {
    return this.#o.clock.now().toISOString()
  }

  /**
   * The ticket, if the member may see it. One outside their settlements answers exactly like one that does not
   * exist, so that nobody learns of other settlements' tickets by trying ids; the attempt is audited.
   */
  async #visible(member: StaffMember, id: string, action: string): Promise<Ticket> {
    const ticket = await this.#o.tickets.get(id)
    if (ticket && this.#o.staff.canSee(member, ticket)) return ticket
    if (ticket) await this.#audit(member, 'ticket.denied', id, action)
    throw new AnjuError('ANJU_ERR_NOT_FOUND', `ticket ${id} does not exist`)
  }

  #change(id: string, change: (t: Ticket) => void): Promise<Ticket> {
    return this.#o.tickets.update(id, (t) => {
      change(t)
      t.updatedAt = this.#now()
    })
  }

  /** The resident's words on an open ticket: the caseworker sees them as new until they act on the ticket. */
  #addResidentWords(t: Ticket, text: string): void {
    t.events.push({ at: this.#now(), actor: 'resident', type: 'resident_message', detail: text })
    t.unseenResidentMessages = (t.unseenResidentMessages ?? 0) + 1
  }

  /** A caseworker's first reply: an urgent ticket's first contact is made, and its deadline becomes resolution. */
  #firstContact(t: Ticket): void {
    if (t.firstContactAt) return
    t.firstContactAt = this.#now()
    if (t.firstContactDueAt && t.dueAt === t.firstContactDueAt) {
      t.dueAt = this.#o.limits.resolutionDue(new Date(t.createdAt), this.limitOf(t)).toISOString()
      this.#freshAlerts(t)
    }
  }

  /** A new deadline: its alerts may fire again; a first-contact alert already sent stays sent. */
  #freshAlerts(t: Ticket): void {
    t.alerted = { ...(t.alerted.firstContact ? { firstContact: t.alerted.firstContact } : {}) }
  }

  #assignTo(t: Ticket, assigneeId: string, actor: Actor): void {
    t.assignee = assigneeId
    t.events.push({ at: this.#now(), actor, type: 'assigned', detail: assigneeId })
    if (t.status === 'open' || t.status === 'reopened') t.status = 'assigned'
  }

  #setStatus(t: Ticket, status: TicketStatus, actor: Actor): void {
    if (!STATUS_TRANSITIONS[t.status].includes(status)) {
      throw new AnjuError('ANJU_ERR_CONFLICT', `a ${t.status} ticket cannot become ${status}`)
    }
    t.status = status
    t.events.push({ at: this.#now(), actor, type: 'status', detail: status })
    if (status === 'resolved') t.resolvedAt = this.#now()
    if (status === 'closed') t.closedAt = this.#now()
    if (status === 'reopened') {
      // A reopened ticket gets a fresh time limit and fresh alerts.
      t.resolvedAt = undefined
      t.resolution = undefined
      this.#freshAlerts(t)
      t.returnVisitDueAt = undefined
      t.dueAt = this.#o.limits.resolutionDue(this.#o.clock.now(), this.limitOf(t)).toISOString()
    }
  }

  /** Notifies a new ticket's staff (under outbox ids made from the ticket, skipping those `stored`), then marks it notified. */
  async #notifyNew(ticket: Ticket, stored = new Set<string>()): Promise<Ticket> {
    const recipients = this.#routing.newTicketRecipients(ticket)
    const key = ticket.priority === 'urgent' ? 'ticket.notify_urgent' : 'ticket.notify_new'
    await this.#messenger.queueStaffMessages(ticket, recipients, key, {}, true, { prefix: `${ticket.id}:new`, stored })
    const marked = await this.#change(ticket.id, (t) => {
      t.events.push({ at: this.#now(), actor: 'system', type: 'notification_queued', detail: recipients.map((r) => r.id).join(',') })
    })
    // The console hears of the ticket once it is saved with everything it needs.
    this.#messenger.alert(marked, recipients, key)
    return marked
  }

  async #returnVisit(ticket: Ticket): Promise<void> {
    await this.#messenger.toResident(ticket, 'ticket.return_visit', { id: ticket.id, answer: ticket.resolution ?? '' }, [
      { label: 'ticket.solved_yes', value: `/solved ${ticket.id} yes` },
      { label: 'ticket.solved_no', value: `/solved ${ticket.id} no` },
    ])
  }

  #audit(member: StaffMember, action: string, target?: string, detail?: unknown): Promise<void> {
    return this.#o.audit.record(member, action, target, detail)
  }

}
