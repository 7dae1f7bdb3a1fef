import { audiencePage, type AudienceQuery, type ResidentProfile, type ResidentRepository } from '../types'

export class MemoryResidentStore implements ResidentRepository {
  readonly #profiles = new Map<string, ResidentProfile>()

  async get(key: string): Promise<ResidentProfile | undefined> {
    const profile = this.#profiles.get(key)
    return profile && structuredClone(profile)
  }

  async save(profile: ResidentProfile): Promise<void> {
    this.#profiles.set(profile.key, structuredClone(profile))
  }

  async list(): Promise<ResidentProfile[]> {
    return [...this.#profiles.values()].map((profile) => structuredClone(profile))
  }

  async audience(query: AudienceQuery, after: string | undefined, limit: number): Promise<ResidentProfile[]> {
    return audiencePage(this.#profiles.values(), query, after, limit).map((profile) => structuredClone(profile))
  }

  async remove(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.#profiles.delete(key)
  }
}
