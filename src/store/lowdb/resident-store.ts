import path from 'node:path'
import { audiencePage, type AudienceQuery, type ResidentProfile, type ResidentRepository } from '../types'
import { ShardedRecords } from './sharded-records'

export const RESIDENT_STORE_DEFAULTS = {
  /**
   * Profiles are spread over this many files by a hash of their key: a save appends one line to one of them,
   * and a shard is compacted on its own (64 shards: about 5 MB each at a million residents).
   */
  shards: 64,
}

/** Resident profiles in JSON-lines files `DATA_DIR/residents/shard-NN.jsonl` (see ShardedRecords). One writer process per data folder. */
export class LowdbResidentStore implements ResidentRepository {
  readonly #records: ShardedRecords<ResidentProfile>

  constructor(dataDir: string, options: Partial<typeof RESIDENT_STORE_DEFAULTS> = {}) {
    this.#records = new ShardedRecords(path.join(dataDir, 'residents'), options.shards ?? RESIDENT_STORE_DEFAULTS.shards)
  }

  get(key: string): Promise<ResidentProfile | undefined> {
    return this.#records.get(key)
  }

  save(profile: ResidentProfile): Promise<void> {
    return this.#records.set(profile.key, profile)
  }

  list(): Promise<ResidentProfile[]> {
    return this.#records.values()
  }

  /** Filtered from every profile (one process, files read once and kept): PostgreSQL answers it from indexes. */
  async audience(query: AudienceQuery, after: string | undefined, limit: number): Promise<ResidentProfile[]> {
    return audiencePage(await this.#records.live(), query, after, limit).map((profile) => structuredClone(profile))
  }

  remove(keys: readonly string[]): Promise<void> {
    return this.#records.delete(keys)
  }
}
