import type { Clock } from '../core/clock'
import { maskPersonalData } from '../core/mask'
import type { AuditEntry, AuditRepository, TimeRange } from '../store/types'
import type { StaffMember } from './staff'

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
  record(member: StaffMember, action: string, target?: string, detail?: unknown): Promise<void> {
    const text = detail === undefined ? undefined : typeof detail === 'string' ? detail : JSON.stringify(detail)
    return this.#log.record({
      at: this.#clock.now().toISOString(),
      staffId: member.id,
      action,
      ...(target ? { target } : {}),
      ...(text !== undefined ? { detail: maskPersonalData(text) } : {}),
    })
  }

  list(range?: TimeRange): Promise<AuditEntry[]> {
    return this.#log.list(range)
  }
}
