import type { DutyDesk } from '../knowledge/desk-schema'
import type { Locale, Settlement } from '../knowledge/schemas'
import { chatContacts, type Recipient } from './staff'

/** A duty phone the resident is given, with whose it is. */
export interface DutyPhone {
  name: string
  phone: string
}

/**
 * Who takes urgent help before the resident's settlement is known: the county duty desk when one is configured,
 * else every settlement's duty contacts (staff marked `duty`, else its supervisors).
 */
export class DutyRoster {
  readonly #desk: DutyDesk
  readonly #settlements: readonly Settlement[]

  constructor(desk: DutyDesk, settlements: readonly Settlement[]) {
    this.#desk = desk
    this.#settlements = settlements
  }

  recipients(): Recipient[] {
    const county = this.#desk.county
    if (county) return [{ id: 'county_duty_desk', contacts: chatContacts(county) }]
    return this.#settlements.flatMap((settlement) => {
      const marked = settlement.staff.filter((member) => member.duty)
      const onDuty = marked.length ? marked : settlement.staff.filter((member) => member.role === 'supervisor')
      return onDuty.map((member) => ({ id: member.id, contacts: chatContacts(member) }))
    })
  }

  /** The phones a resident who has not said their settlement can ring now. */
  phones(locale: Locale): DutyPhone[] {
    const county = this.#desk.county
    if (county) return [{ name: county.name[locale], phone: county.phone }]
    return this.#settlements.map((s) => ({ name: s.name[locale], phone: s.serviceCentre.dutyPhone }))
  }
}
