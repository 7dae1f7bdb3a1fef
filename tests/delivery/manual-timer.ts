import type { Timer } from '../../src/core/clock'

/** A timer that moves only when the test says so: waits of minutes pass in a call. */
export class ManualTimer implements Timer {
  #now = 0
  #wakes: { at: number; wake: () => void }[] = []

  now(): number {
    return this.#now
  }

  after(ms: number, wake: () => void): () => void {
    const entry = { at: this.#now + Math.max(0, ms), wake }
    this.#wakes.push(entry)
    return () => { this.#wakes = this.#wakes.filter((w) => w !== entry) }
  }

  /** Moves time on by `ms`, waking everything due on the way, in order. */
  advance(ms: number): void {
    const until = this.#now + ms
    for (;;) {
      const next = this.#wakes.filter((w) => w.at <= until).sort((a, b) => a.at - b.at)[0]
      if (!next) break
      this.#now = Math.max(this.#now, next.at)
      this.#wakes = this.#wakes.filter((w) => w !== next)
      next.wake()
    }
    this.#now = until
  }

  /** How many wake-ups are pending (something is waiting on time). */
  get pending(): number {
    return this.#wakes.length
  }
}
