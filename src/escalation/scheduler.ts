import type { Logger } from '../core/logger'
import type { OutboxDispatcher } from './outbox'
import type { TicketService } from './ticket-service'

export const SCHEDULER_DEFAULTS = {
  /** How often time limits are checked. Alerts are recorded on the tickets, so a restart neither repeats nor loses one. */
  intervalMs: 60_000,
}

/** Runs the periodic work of the demand desk: overdue alerts, and retries of the outbox. */
export class EscalationScheduler {
  readonly #service: TicketService
  readonly #outbox: OutboxDispatcher
  readonly #logger: Logger
  readonly #intervalMs: number
  #timer?: NodeJS.Timeout

  constructor(service: TicketService, outbox: OutboxDispatcher, logger: Logger, intervalMs = SCHEDULER_DEFAULTS.intervalMs) {
    this.#service = service
    this.#outbox = outbox
    this.#logger = logger
    this.#intervalMs = intervalMs
  }

  /** One round: tests call it with a controlled clock. */
  async tick(): Promise<void> {
    await this.#service.alertOverdue()
    await this.#outbox.drain()
  }

  /** Recovers notifications and replies a crash left unqueued, then ticks on an interval. */
  async start(): Promise<void> {
    const recovered = await this.#service.recoverUnnotified()
    if (recovered > 0) this.#logger.warn({ recovered }, 'escalation: queued notifications a previous run had not')
    const relayed = await this.#service.recoverUnrelayed()
    if (relayed > 0) this.#logger.warn({ relayed }, 'escalation: queued replies to residents a previous run had saved but not queued')
    this.#outbox.start()
    this.#timer = setInterval(() => {
      this.tick().catch((error: unknown) => this.#logger.error({ err: error }, 'escalation: scheduled round failed'))
    }, this.#intervalMs)
    this.#timer.unref()
    await this.tick()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#outbox.stop()
  }
}
