import type { TicketRepository } from '../store/types'
import type { DutyRoster } from './duty'
import type { Recipient, StaffDirectory, StaffMember } from './staff'
import type { Ticket } from './ticket'

/** Who takes a ticket, who handles it, and who is told of it: the desk's routing over the staff directory. */
export class TicketRouting {
  readonly #staff: StaffDirectory
  readonly #duty: DutyRoster
  readonly #tickets: TicketRepository

  constructor(staff: StaffDirectory, duty: DutyRoster, tickets: TicketRepository) {
    this.#staff = staff
    this.#duty = duty
    this.#tickets = tickets
  }

  /** Least-loaded: the caseworker with the fewest open tickets; ties go to directory order. */
  async pickCaseworker(settlementId: string | undefined): Promise<StaffMember | undefined> {
    const caseworkers = this.#staff.ofSettlement(settlementId, 'caseworker')
    if (caseworkers.length === 0) return undefined
    const open = await this.#tickets.openCountByAssignee()
    const load = (id: string) => open.get(id) ?? 0
    return caseworkers.reduce((best, candidate) => (load(candidate.id) < load(best.id) ? candidate : best))
  }

  /** Who handles a ticket: its assignee, else the caseworkers of its settlement. */
  handlers(ticket: Ticket): StaffMember[] {
    const assignee = ticket.assignee ? this.#staff.get(ticket.assignee) : undefined
    return assignee ? [assignee] : this.#staff.ofSettlement(ticket.settlementId, 'caseworker')
  }

  /** A settlement's supervisors (admins where it has none); before the settlement is known, the duty roster too. */
  supervisorsOf(ticket: Ticket): Recipient[] {
    if (!ticket.settlementId) return [...this.#duty.recipients(), ...this.#staff.admins()]
    const supervisors = this.#staff.ofSettlement(ticket.settlementId, 'supervisor')
    return supervisors.length ? supervisors : this.#staff.admins()
  }

  newTicketRecipients(ticket: Ticket): Recipient[] {
    const assignee = ticket.assignee ? this.#staff.get(ticket.assignee) : undefined
    return [
      ...this.handlers(ticket),
      // Urgent: the supervisor hears of it at once; a ticket nobody can take goes to supervisors or admins.
      ...(ticket.priority === 'urgent' || !assignee ? this.supervisorsOf(ticket) : []),
    ]
  }
}
