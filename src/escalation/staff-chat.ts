import type { OutboundReply } from '../core/context'
import { isAnjuError } from '../core/errors'
import type { Translate } from '../i18n'
import type { StaffDirectory, StaffMember } from './staff'
import type { StaffAudit } from './staff-audit'
import type { TicketService } from './ticket-service'

const STAFF_LOCALE = 'zh-CN'
const TICKET_ID = /T\d{6}-\d{4,}/
/** Open tickets `/tickets` lists in a chat message; the console shows the rest. */
const STAFF_CHAT_LIST_LIMIT = 30
const COMMAND = /^\/(take|resolve|reply|note|tickets)(?:@\w+)?(?:\s+(T\d{6}-\d{4,}))?(?:\s+([\s\S]+))?$/i

/**
 * Caseworkers at work in their own chat (Telegram, WeChat): `/take`, `/resolve`, `/reply <ticket> <text>`,
 * `/note`, `/tickets`, or a reply to a notification. The same ticket service as the staff API, so the same
 * checks of settlement and role, and the same audit log.
 */
export class StaffChat {
  readonly #service: TicketService
  readonly #staff: StaffDirectory
  readonly #t: Translate
  readonly #audit: StaffAudit

  constructor(service: TicketService, staff: StaffDirectory, translate: Translate, audit: StaffAudit) {
    this.#service = service
    this.#staff = staff
    this.#t = translate
    this.#audit = audit
  }

  /** The staff member whose chat this is, if it is a staff chat; the chat is where their commands come from. */
  memberFor(channel: string, recipient: string): StaffMember | undefined {
    const member = this.#staff.byContact(channel, recipient)
    return member && { ...member, origin: `${channel}:${recipient}` }
  }

  /**
   * Handles what a staff member wrote. `quoted` is the text of the message they replied to: replying to a
   * notification answers that ticket's resident.
   */
  async handle(member: StaffMember, text: string, quoted?: string): Promise<OutboundReply[]> {
    const trimmed = text.trim()
    const command = COMMAND.exec(trimmed)
    const quotedId = quoted ? TICKET_ID.exec(quoted)?.[0] : undefined
    try {
      if (!command) {
        if (quotedId && trimmed) return this.#done(await this.#service.reply(member, quotedId, trimmed), 'staff.done_reply')
        return [{ text: this.#t(STAFF_LOCALE, 'staff.help') }]
      }
      const [, name, id = quotedId, rest = ''] = command
      if (name!.toLowerCase() === 'tickets') return [{ text: await this.#list(member) }]
      if (!id) return [{ text: this.#t(STAFF_LOCALE, 'staff.need_ticket') }]
      switch (name!.toLowerCase()) {
        case 'take':
          return this.#done(await this.#service.assign(member, id, member.id), 'staff.done_take')
        case 'resolve':
          // The return visit quotes the resolution note, so a button press alone asks for it.
          if (!rest.trim()) return [{ text: this.#t(STAFF_LOCALE, 'staff.need_resolution', { id }) }]
          return this.#done(await this.#service.changeStatus(member, id, 'resolved', rest.trim()), 'staff.done_resolve')
        case 'reply':
          if (!rest.trim()) return [{ text: this.#t(STAFF_LOCALE, 'staff.need_text') }]
          return this.#done(await this.#service.reply(member, id, rest.trim()), 'staff.done_reply')
        default:
          if (!rest.trim()) return [{ text: this.#t(STAFF_LOCALE, 'staff.need_text') }]
          return this.#done(await this.#service.note(member, id, rest.trim()), 'staff.done_note')
      }
    } catch (error) {
      if (!isAnjuError(error) || error.statusCode >= 500) throw error
      if (error.statusCode === 403 || error.statusCode === 409) {
        await this.#audit.refused(member, { status: error.statusCode, code: error.code, request: trimmed.split(/\s/, 1)[0]!, reason: error.message }, command?.[2] ?? quotedId)
      }
      return [{ text: this.#t(STAFF_LOCALE, 'staff.refused', { reason: error.message }) }]
    }
  }

  #done(ticket: { id: string }, key: string): OutboundReply[] {
    return [{ text: this.#t(STAFF_LOCALE, key, { id: ticket.id }) }]
  }

  async #list(member: StaffMember): Promise<string> {
    const { tickets: open, total } = await this.#service.list(member, { status: 'unresolved' }, { limit: STAFF_CHAT_LIST_LIMIT })
    if (open.length === 0) return this.#t(STAFF_LOCALE, 'staff.list_none')
    const lines = open.map((t) => this.#t(STAFF_LOCALE, 'staff.list_line', {
      id: t.id,
      priority: this.#t(STAFF_LOCALE, `ticket.priority.${t.priority}`),
      status: this.#t(STAFF_LOCALE, `ticket.status.${t.status}`),
      assignee: t.assignee ?? '—',
      summary: t.summary,
    }))
    if (total > open.length) lines.push(this.#t(STAFF_LOCALE, 'staff.list_more', { count: total - open.length }))
    return lines.join('\n')
  }
}
