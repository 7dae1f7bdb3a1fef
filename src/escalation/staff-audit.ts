import type { Clock } from '../core/clock'
import { maskPersonalData } from '../core/mask'
import type { AuditEntry, AuditRepository, TimeRange } from '../store/types'
import type { StaffMember } from './staff'

/** Whom an entry is about: a staff member, or `{ id: 'anonymous', origin }` for a caller without credentials. */
export type AuditedStaff = Pick<StaffMember, 'id' | 'origin'>

export interface Refusal {
  status: number
  code: string
  /** What was asked: `POST /api/tickets/:id/reply`, a chat command. */
  request: string
  reason: string
}

/** The audit log as staff-facing services write it: who did what to which target, at the clock's time. */
export class StaffAudit {
  readonly #log: AuditRepository
  readonly #clock: Clock

  constructor(log: AuditRepository, clock: Clock) {
    this.#log = log
    this.#clock = clock
  }

  /**
   * `detail` that is not text is stored as JSON. Personal numbers in it (a reply quoting a phone number) are
   * masked: the audit log says what was done, the ticket keeps what was written.
   */
  record(member: AuditedStaff, action: string, target?: string, detail?: unknown): Promise<void> {
    const text = detail === undefined ? undefined : typeof detail === 'string' ? detail : JSON.stringify(detail)
    return this.#log.record({
      at: this.#clock.now().toISOString(),
      staffId: member.id,
      action,
      ...(target ? { target } : {}),
      ...(text !== undefined ? { detail: maskPersonalData(text) } : {}),
      ...(member.origin ? { from: member.origin } : {}),
    })
  }

  /**
   * A refusal: who (a staff member, or `anonymous` without valid credentials), what they asked and why it was
   * refused, and from where. `action: refused`, the status and reason in the detail.
   */
  refused(member: AuditedStaff, refusal: Refusal, target?: string): Promise<void> {
    return this.record(member, 'refused', target, refusal)
  }

  list(range?: TimeRange): Promise<AuditEntry[]> {
    return this.#log.list(range)
  }
}
