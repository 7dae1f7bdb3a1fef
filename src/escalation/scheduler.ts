import type { FSWatcher } from 'node:fs'
import { chinaDay } from '../core/china-time'
import type { Clock } from '../core/clock'
import type { Logger } from '../core/logger'
import type { OutboxDispatcher } from './outbox'
import type { StaffDirectory } from './staff'
import type { TicketService } from './ticket-service'
import type { WorkingCalendar } from './working-calendar'

export const SCHEDULER_DEFAULTS = {
  /** How often time limits are checked. Alerts are recorded on the tickets, so a restart neither repeats nor loses one. */
  intervalMs: 60_000,
}

export interface SchedulerOptions {
  service: TicketService
  outbox: OutboxDispatcher
  logger: Logger
  staff: StaffDirectory
  /** Watched: when it changes, the directory is read again and tickets nobody holds are routed. */
  staffFile: string
  calendar: WorkingCalendar
  clock: Clock
  intervalMs?: number
}

/** Runs the periodic work of the demand desk: overdue alerts, retries of the outbox, routing of orphaned tickets. */
export class EscalationScheduler {
  readonly #o: SchedulerOptions
  #timer?: NodeJS.Timeout
  #watcher?: FSWatcher
  /** Settles when the staff file's latest change has been read and its orphans routed (tests wait on it). */
  staffReloaded: Promise<void> = Promise.resolve()

  constructor(options: SchedulerOptions) {
    this.#o = options
  }

  /** One round: tests call it with a controlled clock. */
  async tick(): Promise<void> {
    await this.#o.service.alertOverdue()
    await this.#o.outbox.drain()
  }

  /** Recovers notifications and replies a crash left unqueued, routes tickets nobody holds, then ticks on an interval. */
  async start(): Promise<void> {
    const { service, logger } = this.#o
    this.#warnOfUnknownYears()
    const recovered = await service.recoverUnnotified()
    if (recovered > 0) logger.warn({ recovered }, 'escalation: queued notifications a previous run had not')
    const relayed = await service.recoverUnrelayed()
    if (relayed > 0) logger.warn({ relayed }, 'escalation: queued replies to residents a previous run had saved but not queued')
    await this.#routeOrphans('start')
    this.#watcher = this.#o.staff.watch(this.#o.staffFile, () => {
      logger.info({ file: this.#o.staffFile }, 'staff file changed: staff directory read again')
      this.staffReloaded = this.#routeOrphans('staff file changed')
    }, (error) => logger.error({ err: error }, 'staff file changed but could not be read: the staff directory is unchanged'))
    this.#o.outbox.start()
    this.#timer = setInterval(() => {
      this.tick().catch((error: unknown) => logger.error({ err: error }, 'escalation: scheduled round failed'))
    }, this.#o.intervalMs ?? SCHEDULER_DEFAULTS.intervalMs)
    this.#timer.unref()
    await this.tick()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#watcher?.close()
    this.#o.outbox.stop()
  }

  async #routeOrphans(why: string): Promise<void> {
    try {
      const routed = await this.#o.service.routeOrphans()
      if (routed > 0) this.#o.logger.warn({ routed, why }, 'escalation: routed open tickets nobody held')
    } catch (error) {
      this.#o.logger.error({ err: error, why }, 'escalation: routing tickets nobody held failed')
    }
  }

  /** Due times in a year whose holidays are not known count weekdays only: say so while there is time to add them. */
  #warnOfUnknownYears(): void {
    const year = Number(chinaDay(this.#o.clock.now()).slice(0, 4))
    const unknown = [year, year + 1].filter((y) => !this.#o.calendar.knowsYear(y) && !this.#o.calendar.listsYear(y))
    if (unknown.length) {
      this.#o.logger.warn({ years: unknown }, 'working calendar: no public holidays known for these years (update chinese-days, or list them in knowledge/working-days.yaml); Monday to Friday counted')
    }
  }
}
