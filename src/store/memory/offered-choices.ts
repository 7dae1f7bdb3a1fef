import { RecentMap } from '../../core/recent-map'
import type { OfferedChoicesStore } from '../types'

/** Residents whose last offered choices are remembered; the oldest are forgotten first. */
export const OFFERED_CHOICES_KEPT = 50_000

/** Offered choices in this process's memory: one process per data folder (lowdb). */
export class MemoryOfferedChoices implements OfferedChoicesStore {
  readonly #offered = new RecentMap<string, string[]>(OFFERED_CHOICES_KEPT)

  async get(residentKey: string): Promise<string[] | undefined> {
    return this.#offered.get(residentKey)
  }

  async set(residentKey: string, values: string[] | undefined): Promise<void> {
    if (values) this.#offered.set(residentKey, values)
    else this.#offered.delete(residentKey)
  }
}
