import type { Clock } from '../core/clock'
import { staffClockText } from '../core/china-time'
import { AnjuError } from '../core/errors'
import type { Logger } from '../core/logger'
import type { Translate } from '../i18n'
import type { Locale } from '../knowledge/schemas'
import type { ResidentRepository, TicketRepository } from '../store/types'
import type { StaffAudit } from './staff-audit'
import type { OutboxDispatcher } from './outbox'
import type { StaffDirectory, StaffMember } from './staff'
import { ticketMatches, type TicketListFilter } from './ticket-filter'
import { isOpenStatus, STATUS_TRANSITIONS, type Actor, type Ticket, type TicketStatus } from './ticket'
import { dueAt, type TimeLimits } from './time-limits'

/** What the resident's side knows when it raises a demand; the desk adds the rest. */
export type NewDemand = Pick<Ticket, 'residentKey' | 'channel' | 'channelUserId' | 'settlementId' | 'category' | 'summary' | 'priority' | 'context' | 'locale' | 'location'>

/** A staff alert as it is queued for staff chats; the console shows the same alerts live. */
export interface TicketAlert {
  /** The message key: ticket.notify_new, ticket.notify_urgent, ticket.notify_reopened, ticket.notify_undelivered ... */
  key: string
  ticket: Ticket
  recipients: string[]
  /** Raised by another instance and relayed through the database: for this instance's listeners, not to relay again. */
  relayed?: true
}

export interface TicketServiceOptions {
  tickets: TicketRepository
  residents: ResidentRepository
  audit: StaffAudit
  staff: StaffDirectory
  outbox: OutboxDispatcher
  translate: Translate
  clock: Clock
  logger: Logger
  limits: TimeLimits
  /** How long after the due time the supervisor is alerted too. */
  supervisorAlertDelayMs: number
  /** Names for staff messages (settlements, topics); ids are shown where a name is not known. */
  names?: TicketNames
  /** A resident's open tickets (TICKETS_OPEN_PER_RESIDENT); a demand beyond joins the newest of them. */
  maxOpenPerResident: number
}

/** What staff read instead of ids. */
export interface TicketNames {
  settlement(id: string): string | undefined
  category(id: string): string | undefined
}

const STAFF_LOCALE: Locale = 'zh-CN'

/**
 * The demand (诉求) desk: creates tickets, routes them to the settlement's least-loaded caseworker,
 * relays answers to the resident's own channel, runs the return visit and the overdue alerts.
 * Every staff action is checked against the staff member's settlements and written to the audit log.
 */
export class TicketService {
  readonly #o: TicketServiceOptions
  readonly #alertListeners: ((alert: TicketAlert) => void)[] = []

  constructor(options: TicketServiceOptions) {
    this.#o = options
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
    await this.#notifyStaff(updated, this.#handlers(updated), key, { reason: item.lastError ?? '' }, false)
  }

  /** Every staff alert (new, urgent, assigned, reopened, overdue), whether or not the staff have a chat to get it. */
  onAlert(listener: (alert: TicketAlert) => void): void {
    this.#alertListeners.push(listener)
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
    const assignee = await this.#pickCaseworker(demand.settlementId)
    const ticket = await this.#o.tickets.create(now, (id) => ({
      id,
      ...demand,
      status: assignee ? 'assigned' : 'open',
      assignee: assignee?.id,
      dueAt: dueAt(now, demand.priority, this.#o.limits).toISOString(),
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
    const updated = await this.#change(ticket.id, (t) => {
      t.events.push({ at: this.#now(), actor: 'resident', type: 'resident_message', detail: demand.summary })
      if (!escalates) return
      t.priority = 'urgent'
      t.dueAt = dueAt(this.#o.clock.now(), 'urgent', this.#o.limits).toISOString()
      t.alerted = {}
      t.events.push({ at: this.#now(), actor: 'system', type: 'priority', detail: 'urgent' })
    })
    this.#o.logger.info({ ticket: ticket.id, escalates }, 'demand joined an open ticket: the resident has the most open tickets allowed')
    if (escalates) await this.#notifyStaff({ ...updated, summary: demand.summary }, this.#newTicketRecipients(updated), 'ticket.notify_urgent')
    return updated
  }

  /**
   * Notifications of new tickets that were stored but whose notification was never queued
   * (a crash in between): run at start.
   */
  async recoverUnnotified(): Promise<number> {
    const stranded = (await this.#o.tickets.list({ openOnly: true })).filter((t) => !t.events.some((e) => e.type === 'notification_queued'))
    for (const ticket of stranded) await this.#notifyNew(ticket)
    return stranded.length
  }

  /** A resident who had no settlement when they raised an urgent demand has now told it: route it. */
  async settle(residentKey: string, settlementId: string): Promise<void> {
    for (const ticket of await this.ofResident(residentKey)) {
      if (ticket.settlementId || !isOpenStatus(ticket.status)) continue
      const assignee = await this.#pickCaseworker(settlementId)
      const updated = await this.#change(ticket.id, (t) => {
        t.settlementId = settlementId
        if (assignee) this.#assignTo(t, assignee.id, 'system')
      })
      await this.#notifyStaff(updated, assignee ? [assignee] : [], 'ticket.notify_new')
    }
  }

  async ofResident(residentKey: string): Promise<Ticket[]> {
    return this.#o.tickets.list({ residentKey })
  }

  /** How many open tickets a resident may have; beyond, a demand joins the newest. */
  get maxOpenPerResident(): number {
    return this.#o.maxOpenPerResident
  }

  // ---- staff actions: each checked and audited ----

  async list(member: StaffMember, filter: TicketListFilter = {}): Promise<Ticket[]> {
    const now = this.#o.clock.now().toISOString()
    const visible = (await this.#o.tickets.list()).filter((t) => this.#o.staff.canSee(member, t))
    await this.#audit(member, 'ticket.list', undefined, filter)
    return visible.filter((t) => ticketMatches(t, filter, member.id, now))
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
    if (assigneeId !== member.id) await this.#notifyStaff(updated, [assignee], 'ticket.notify_assigned')
    return updated
  }

  /** A caseworker's answer: recorded on the ticket and relayed to the resident on their own channel. */
  async reply(member: StaffMember, id: string, text: string): Promise<Ticket> {
    await this.#visible(member, id, 'ticket.reply')
    const updated = await this.#change(id, (t) => {
      t.events.push({ at: this.#now(), actor: `staff:${member.id}`, type: 'reply', detail: text })
      if (t.status === 'open' || t.status === 'assigned' || t.status === 'reopened') this.#setStatus(t, 'in_progress', `staff:${member.id}`)
    })
    await this.#audit(member, 'ticket.reply', id, text)
    await this.#toResident(updated, 'ticket.reply_to_resident', { id, text })
    return updated
  }

  /** Resolving needs a resolution note: it is what the return visit tells the resident was done. */
  async changeStatus(member: StaffMember, id: string, status: TicketStatus, note?: string): Promise<Ticket> {
    await this.#visible(member, id, 'ticket.status')
    const resolution = note?.trim()
    if (status === 'resolved' && !resolution) throw new AnjuError('ANJU_ERR_BAD_REQUEST', 'resolving needs a resolution note (what was done)')
    const updated = await this.#change(id, (t) => {
      this.#setStatus(t, status, `staff:${member.id}`)
      if (status === 'resolved') {
        t.resolution = resolution
        t.events.push({ at: this.#now(), actor: `staff:${member.id}`, type: 'resolution', detail: resolution })
      }
    })
    await this.#audit(member, 'ticket.status', id, resolution ? { status, note: resolution } : status)
    if (status === 'resolved') await this.#returnVisit(updated)
    if (status === 'reopened') this.#alert(updated, [], 'ticket.notify_reopened')
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
    })
    await this.#audit(member, 'ticket.note', id, text)
    return updated
  }

  // ---- the resident's side ----

  /** More words from the resident on a ticket they raised a moment ago (a second demand merged): the caseworker hears them. */
  async addResidentMessage(id: string, text: string): Promise<Ticket> {
    const updated = await this.#change(id, (t) => {
      t.events.push({ at: this.#now(), actor: 'resident', type: 'resident_message', detail: text })
    })
    await this.#notifyStaff(updated, this.#handlers(updated), 'ticket.notify_merged', { text })
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
    if (!solved) await this.#notifyStaff(updated, this.#handlers(updated), 'ticket.notify_reopened')
    return updated
  }

  // ---- time limits ----

  /** Alerts the assignee when a ticket falls due, then the supervisor after a delay: once each, whatever restarts. */
  async alertOverdue(): Promise<void> {
    const now = this.#o.clock.now()
    for (const ticket of await this.#o.tickets.list({ openOnly: true })) {
      if (ticket.dueAt > now.toISOString()) continue
      // Checked again inside the ticket's update: of several instances passing at once, the one that records the alert sends it.
      if (!ticket.alerted.assignee) {
        const updated = await this.#recordAlert(ticket.id, 'assignee')
        if (updated) await this.#notifyStaff(updated, this.#handlers(updated), 'ticket.notify_overdue')
      } else if (!ticket.alerted.supervisor && now.getTime() >= Date.parse(ticket.dueAt) + this.#o.supervisorAlertDelayMs) {
        const updated = await this.#recordAlert(ticket.id, 'supervisor')
        if (updated) await this.#notifyStaff(updated, this.#supervisorsOf(updated), 'ticket.notify_overdue_supervisor')
      }
    }
  }

  /** Records an overdue alert unless one is recorded already; the ticket when this call recorded it. */
  async #recordAlert(id: string, whom: 'assignee' | 'supervisor'): Promise<Ticket | undefined> {
    let recorded = false
    const updated = await this.#change(id, (t) => {
      if (t.alerted[whom]) return
      recorded = true
      t.alerted[whom] = this.#now()
      t.events.push({ at: this.#now(), actor: 'system', type: 'overdue_alert', detail: whom })
    })
    return recorded ? updated : undefined
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
      t.alerted = {}
      t.dueAt = dueAt(this.#o.clock.now(), t.priority, this.#o.limits).toISOString()
    }
  }

  /** Least-loaded: the caseworker with the fewest open tickets; ties go to directory order. */
  async #pickCaseworker(settlementId: string | undefined): Promise<StaffMember | undefined> {
    const caseworkers = this.#o.staff.ofSettlement(settlementId, 'caseworker')
    if (caseworkers.length === 0) return undefined
    const open = await this.#o.tickets.list({ openOnly: true })
    const load = (id: string) => open.filter((t) => t.assignee === id).length
    return caseworkers.reduce((best, candidate) => (load(candidate.id) < load(best.id) ? candidate : best))
  }

  /** Who handles a ticket: its assignee, else the caseworkers of its settlement. */
  #handlers(ticket: Ticket): StaffMember[] {
    const assignee = ticket.assignee ? this.#o.staff.get(ticket.assignee) : undefined
    return assignee ? [assignee] : this.#o.staff.ofSettlement(ticket.settlementId, 'caseworker')
  }

  #supervisorsOf(ticket: Ticket): StaffMember[] {
    const supervisors = this.#o.staff.ofSettlement(ticket.settlementId, 'supervisor')
    return supervisors.length ? supervisors : this.#o.staff.admins()
  }

  #newTicketRecipients(ticket: Ticket): StaffMember[] {
    const assignee = ticket.assignee ? this.#o.staff.get(ticket.assignee) : undefined
    return [
      ...(assignee ? [assignee] : this.#o.staff.ofSettlement(ticket.settlementId, 'caseworker')),
      // Urgent: the supervisor hears of it at once; a ticket nobody can take goes to supervisors or admins.
      ...(ticket.priority === 'urgent' || !assignee ? this.#supervisorsOf(ticket) : []),
    ]
  }

  async #notifyNew(ticket: Ticket): Promise<Ticket> {
    const recipients = this.#newTicketRecipients(ticket)
    await this.#notifyStaff(ticket, recipients, ticket.priority === 'urgent' ? 'ticket.notify_urgent' : 'ticket.notify_new')
    return this.#change(ticket.id, (t) => {
      t.events.push({ at: this.#now(), actor: 'system', type: 'notification_queued', detail: recipients.map((r) => r.id).join(',') })
    })
  }

  /** An alert another instance raised (see `relayed`): its listeners here hear of it as of their own. */
  receiveRelayed(alert: Omit<TicketAlert, 'relayed'>): void {
    this.#emit({ ...alert, relayed: true })
  }

  #alert(ticket: Ticket, recipients: StaffMember[], key: string): void {
    this.#emit({ key, ticket, recipients: recipients.map((r) => r.id) })
  }

  #emit(alert: TicketAlert): void {
    const ticket = alert.ticket
    for (const listener of this.#alertListeners) {
      try {
        listener(alert)
      } catch (error) {
        this.#o.logger.error({ err: error, ticket: ticket.id }, 'ticket alert listener failed')
      }
    }
  }

  async #notifyStaff(ticket: Ticket, recipients: StaffMember[], key: string, extra: Record<string, string> = {}, withButtons = true): Promise<void> {
    this.#alert(ticket, recipients, key)
    const names = this.#o.names
    const category = names?.category(ticket.category) ?? this.#o.translate(STAFF_LOCALE, `ticket.category.${ticket.category}`, { defaultValue: ticket.category })
    const text = this.#o.translate(STAFF_LOCALE, key, {
      id: ticket.id,
      priority: this.#o.translate(STAFF_LOCALE, `ticket.priority.${ticket.priority}`),
      category,
      summary: ticket.summary,
      settlement: (ticket.settlementId && (names?.settlement(ticket.settlementId) ?? ticket.settlementId)) ?? '—',
      due: staffClockText(ticket.dueAt),
      ...extra,
    })
    // Buttons in the caseworker's chat (commands on channels without buttons): see StaffChat.
    const choices = withButtons ? [
      { label: this.#o.translate(STAFF_LOCALE, 'staff.button_take'), value: `/take ${ticket.id}` },
      { label: this.#o.translate(STAFF_LOCALE, 'staff.button_resolve'), value: `/resolve ${ticket.id}` },
    ] : undefined
    const seen = new Set<string>()
    for (const member of recipients) {
      for (const contact of member.contacts) {
        const key = `${contact.channel}:${contact.recipient}`
        if (seen.has(key)) continue
        seen.add(key)
        await this.#o.outbox.enqueue({ channel: contact.channel, recipient: contact.recipient, text, ...(choices ? { choices } : {}), ticketId: ticket.id, audience: 'staff' })
      }
    }
  }

  async #toResident(ticket: Ticket, key: string, values: Record<string, unknown>, withChoices?: { label: string; value: string }[]): Promise<void> {
    const resident = await this.#o.residents.get(ticket.residentKey)
    const locale = resident?.locale ?? ticket.locale ?? STAFF_LOCALE
    const text = this.#o.translate(locale, key, values)
    const choices = withChoices?.map((c) => ({ ...c, label: this.#o.translate(locale, c.label) }))
    await this.#o.outbox.enqueue({ channel: ticket.channel, recipient: ticket.channelUserId, text, ...(choices ? { choices } : {}), ticketId: ticket.id, audience: 'resident' })
  }

  async #returnVisit(ticket: Ticket): Promise<void> {
    await this.#toResident(ticket, 'ticket.return_visit', { id: ticket.id, answer: ticket.resolution ?? '' }, [
      { label: 'ticket.solved_yes', value: `/solved ${ticket.id} yes` },
      { label: 'ticket.solved_no', value: `/solved ${ticket.id} no` },
    ])
  }

  #audit(member: StaffMember, action: string, target?: string, detail?: unknown): Promise<void> {
    return this.#o.audit.record(member, action, target, detail)
  }

}
