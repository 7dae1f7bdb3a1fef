import type { DemandKind, TimeLimitsFile } from '../knowledge/desk-schema'
import { normalise } from '../matcher/normalise'
import type { Ticket } from './ticket'
import type { WorkingCalendar } from './working-calendar'

const HOUR_MS = 3_600_000
const KIND_PRECEDENCE: readonly DemandKind[] = ['repair', 'complaint', 'consultation']

/** The limit a ticket is held to, as staff, the resident and the reports read it. */
export interface AppliedLimit {
  kind: DemandKind
  /** Working days to resolution. */
  workingDays: number
  /** Urgent only: hours to the first contact. */
  firstContactHours?: number
}

/**
 * The desk's time limits (`knowledge/time-limits.yaml`) on China's working calendar: which kind a demand is,
 * how long it may take, when the return visit must have its answer.
 */
export class TimeLimits {
  readonly #file: TimeLimitsFile
  readonly calendar: WorkingCalendar

  constructor(file: TimeLimitsFile, calendar: WorkingCalendar) {
    this.#file = file
    this.calendar = calendar
  }

  /**
   * A repair if repair words are in the demand, else a complaint if complaint words are, else the topic's default
   * kind, else a consultation. Repairs come first: residents say 投诉 of a broken light as often as of an official.
   */
  kindOf(category: string, text: string): DemandKind {
    const plain = normalise(text)
    const byWords = KIND_PRECEDENCE.find((kind) => this.#file.kinds[kind].words?.some((word) => plain.includes(word)))
    return byWords ?? this.#topic(category)?.defaultKind ?? 'consultation'
  }

  limitFor(ticket: Pick<Ticket, 'category' | 'priority'> & { kind: DemandKind }): AppliedLimit {
    const workingDays = this.#topic(ticket.category)?.workingDays?.[ticket.kind] ?? this.#file.kinds[ticket.kind].workingDays
    return { kind: ticket.kind, workingDays, ...(ticket.priority === 'urgent' ? { firstContactHours: this.#file.urgentFirstContactHours } : {}) }
  }

  /** When a demand raised at `created` must be resolved. */
  resolutionDue(created: Date, limit: AppliedLimit): Date {
    return this.calendar.addWorkingDays(created, limit.workingDays)
  }

  /** When an urgent demand raised at `created` must have had a caseworker's first contact. */
  firstContactDue(created: Date): Date {
    return new Date(created.getTime() + this.#file.urgentFirstContactHours * HOUR_MS)
  }

  /** When the return visit of a ticket resolved at `resolved` must have its answer. */
  returnVisitDue(resolved: Date): Date {
    return this.calendar.addWorkingDays(resolved, this.#file.returnVisitWorkingDays)
  }

  #topic(category: string) {
    return this.#file.topics[category as keyof TimeLimitsFile['topics']]
  }
}
