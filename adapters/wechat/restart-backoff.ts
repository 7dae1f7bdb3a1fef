export const WECHAT_RESTART_DEFAULTS = {
  /** A puppet that just lost its session rarely logs in again at once; retrying sooner only produces fresh QR codes. */
  firstDelayMs: 10_000,
  /** The delay doubles after each restart that did not lead to a login, up to this: a long outage is retried every few minutes. */
  maxDelayMs: 5 * 60_000,
}

export type RestartOptions = typeof WECHAT_RESTART_DEFAULTS

/** When to try a lost WeChat session again: one restart pending at most, never in a tight loop. */
export class RestartBackoff {
  readonly #options: RestartOptions
  readonly #restart: () => void
  #timer: NodeJS.Timeout | undefined
  #nextDelayMs: number

  constructor(options: Partial<RestartOptions>, restart: () => void) {
    this.#options = { ...WECHAT_RESTART_DEFAULTS, ...options }
    this.#nextDelayMs = this.#options.firstDelayMs
    this.#restart = restart
  }

  /** Schedules a restart unless one is pending; returns its delay, or undefined when one was already pending. */
  schedule(): number | undefined {
    if (this.#timer) return undefined
    const delay = this.#nextDelayMs
    this.#nextDelayMs = Math.min(delay * 2, this.#options.maxDelayMs)
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#restart()
    }, delay)
    return delay
  }

  /** After a login: the next loss is retried quickly again. */
  reset(): void {
    this.#nextDelayMs = this.#options.firstDelayMs
  }

  cancel(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
  }
}
