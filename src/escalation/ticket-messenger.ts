import { staffClockText } from '../core/china-time'
import type { Logger } from '../core/logger'
import type { Translate } from '../i18n'
import type { Locale } from '../knowledge/schemas'
import type { ResidentRepository } from '../store/types'
import type { OutboxDispatcher } from './outbox'
import type { Recipient } from './staff'
import type { Ticket } from './ticket'

/** A staff alert as it is queued for staff chats; the console shows the same alerts live. */
export interface TicketAlert {
  /** The message key: ticket.notify_new, ticket.notify_urgent, ticket.notify_reopened, ticket.notify_undelivered ... */
  key: string
  ticket: Ticket
  recipients: string[]
  /** Raised by another instance and relayed through the database: for this instance's listeners, not to relay again. */
  relayed?: true
}

/** What staff read instead of ids. */
export interface TicketNames {
  settlement(id: string): string | undefined
  category(id: string): string | undefined
}

export interface MessengerOptions {
  outbox: OutboxDispatcher
  residents: ResidentRepository
  translate: Translate
  logger: Logger
  names?: TicketNames
}

export const STAFF_LOCALE: Locale = 'zh-CN'

/** Words about tickets on their way: alerts to staff chats and the console, messages to the resident's own channel. */
export class TicketMessenger {
  readonly #o: MessengerOptions
  readonly #listeners: ((alert: TicketAlert) => void)[] = []

  constructor(options: MessengerOptions) {
    this.#o = options
  }

  onAlert(listener: (alert: TicketAlert) => void): void {
    this.#listeners.push(listener)
  }

  alert(ticket: Ticket, recipients: Recipient[], key: string): void {
    this.#emit({ key, ticket, recipients: recipients.map((r) => r.id) })
  }

  /** An alert another instance raised (see `relayed`): the listeners here hear of it as of their own. */
  receiveRelayed(alert: Omit<TicketAlert, 'relayed'>): void {
    this.#emit({ ...alert, relayed: true })
  }

  #emit(alert: TicketAlert): void {
    for (const listener of this.#listeners) {
      try {
        listener(alert)
      } catch (error) {
        this.#o.logger.error({ err: error, ticket: alert.ticket.id }, 'ticket alert listener failed')
      }
    }
  }

  /** Queues a staff message for each recipient's contacts, then tells the console (live alerts). */
  async notifyStaff(ticket: Ticket, recipients: Recipient[], key: string, extra: Record<string, string> = {}, withButtons = true): Promise<void> {
    await this.queueStaffMessages(ticket, recipients, key, extra, withButtons)
    this.alert(ticket, recipients, key)
  }

  /**
   * A staff message for each recipient's contacts, each contact once. `ids`: outbox ids made from a prefix and the
   * contact (a new ticket's notification, so that a recovery after a crash never queues it twice), skipping those
   * already `stored`.
   */
  async queueStaffMessages(ticket: Ticket, recipients: Recipient[], key: string, extra: Record<string, string>, withButtons: boolean, ids?: { prefix: string; stored: Set<string> }): Promise<void> {
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
        const contactKey = `${contact.channel}:${contact.recipient}`
        if (seen.has(contactKey)) continue
        seen.add(contactKey)
        const id = ids && `${ids.prefix}:${contactKey}`
        if (id && ids.stored.has(id)) continue
        await this.#o.outbox.enqueue({ channel: contact.channel, recipient: contact.recipient, text, ...(choices ? { choices } : {}), ticketId: ticket.id, audience: 'staff' }, id)
      }
    }
  }

  /** `outboxId`: the id the message is queued under, where the caller saved it first (a reply, for recovery). */
  async toResident(ticket: Ticket, key: string, values: Record<string, unknown>, withChoices?: { label: string; value: string }[], outboxId?: string): Promise<void> {
    const resident = await this.#o.residents.get(ticket.residentKey)
    const locale = resident?.locale ?? ticket.locale ?? STAFF_LOCALE
    const text = this.#o.translate(locale, key, values)
    const choices = withChoices?.map((c) => ({ ...c, label: this.#o.translate(locale, c.label) }))
    await this.#o.outbox.enqueue({ channel: ticket.channel, recipient: ticket.channelUserId, text, ...(choices ? { choices } : {}), ticketId: ticket.id, audience: 'resident' }, outboxId)
  }
}
