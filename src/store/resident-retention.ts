import type { Clock } from '../core/clock'
import type { Logger } from '../core/logger'
import type { ResidentProfile, ResidentRepository, TicketRepository } from './types'

export const RETENTION_DEFAULTS = {
  /** How often the pruning runs (and once at start). */
  intervalMs: 6 * 3_600_000,
}

export interface ResidentRetentionOptions {
  residents: ResidentRepository
  /** Residents with an open ticket are kept whatever their silence: a caseworker may still answer them. */
  tickets?: TicketRepository
  /** RESIDENT_RETENTION_DAYS; 0 keeps everyone. */
  days: number
  clock: Clock
  logger: Logger
}

/**
 * Anonymous residents are not kept forever: a profile that never told a settlement and has been silent for
 * `days` is removed. Kept: residents of a settlement, anyone with an open ticket, and profiles others are linked to.
 */
export class ResidentRetention {
  readonly #o: ResidentRetentionOptions
  #timer?: NodeJS.Timeout

  constructor(options: ResidentRetentionOptions) {
    this.#o = options
  }

  /** Removes the residents past retention now; resolves with how many. */
  async prune(): Promise<number> {
    if (this.#o.days === 0) return 0
    const silentSince = new Date(this.#o.clock.now().getTime() - this.#o.days * 86_400_000).toISOString()
    const profiles = await this.#o.residents.list()
    const linkedTargets = new Set(profiles.map((p) => p.linkedTo).filter((key) => key !== undefined))
    const withOpenTickets = new Set((await this.#o.tickets?.list({ openOnly: true }))?.map((t) => t.residentKey))
    const expired = (p: ResidentProfile) => !p.settlementId && p.updatedAt < silentSince && !linkedTargets.has(p.key) && !withOpenTickets.has(p.key)
    const keys = profiles.filter(expired).map((p) => p.key)
    if (keys.length === 0) return 0
    await this.#o.residents.remove(keys)
    this.#o.logger.info({ removed: keys.length, days: this.#o.days }, 'retention: removed residents who never told a settlement and were silent')
    return keys.length
  }

  start(intervalMs = RETENTION_DEFAULTS.intervalMs): void {
    if (this.#o.days === 0 || this.#timer) return
    const run = () => void this.prune().catch((error: unknown) => this.#o.logger.error({ err: error }, 'retention: pruning failed'))
    this.#timer = setInterval(run, intervalMs)
    this.#timer.unref()
    run()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }
}
