import { createHash } from 'node:crypto'
import path from 'node:path'
import { KeyedMutex } from '../../core/keyed-mutex'
import { RecentMap } from '../../core/recent-map'
import type { NewWebEntry, WebEntry, WebHistory, WebHistoryRepository, WebIdentity, WebIdentityRepository } from '../types'
import { CoalescingFile } from './coalescing-file'
import { ShardedRecords } from './sharded-records'

export const WEB_STORE_DEFAULTS = {
  /** Identity files: a token hash and a resident id are ~120 bytes, so 64 shards hold millions. */
  identityShards: 64,
  /**
   * Entries kept per resident: older ones drop off (unread pushed ones never). The full record of every turn
   * stays in `conversations/` for staff; this is what the page shows.
   */
  maxEntries: 500,
  /** Residents whose history file stays open in memory; the least recently used are closed first. */
  openFiles: 5_000,
}

/** `DATA_DIR/web/identities/shard-NN.jsonl`: token hash → resident id. */
export class LowdbWebIdentityStore implements WebIdentityRepository {
  readonly #records: ShardedRecords<WebIdentity>

  constructor(dataDir: string, shards = WEB_STORE_DEFAULTS.identityShards) {
    this.#records = new ShardedRecords(path.join(dataDir, 'web', 'identities'), shards)
  }

  add(tokenHash: string, identity: WebIdentity): Promise<void> {
    return this.#records.set(tokenHash, identity)
  }

  get(tokenHash: string): Promise<WebIdentity | undefined> {
    return this.#records.get(tokenHash)
  }

  /** Every token hash with its resident: `npm run migrate-store` moves them to PostgreSQL. */
  entries(): Promise<[string, WebIdentity][]> {
    return this.#records.entries()
  }
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/

/**
 * One small lowdb file per resident, `DATA_DIR/web/history/<hh>/<residentId>.json` (`hh` from a hash, so no folder
 * holds millions of files): a write rewrites only that resident's few hundred lines.
 */
export class LowdbWebHistoryStore implements WebHistoryRepository {
  readonly #dir: string
  readonly #options: typeof WEB_STORE_DEFAULTS
  readonly #open: RecentMap<string, Promise<CoalescingFile<WebHistory>>>
  // Every operation on one resident's file runs after the previous one has saved, so a file closed from the
  // cache and opened again is never read while an older copy still has a write on its way.
  readonly #oneAtATime = new KeyedMutex()

  constructor(dataDir: string, options: Partial<typeof WEB_STORE_DEFAULTS> = {}) {
    this.#dir = path.join(dataDir, 'web', 'history')
    this.#options = { ...WEB_STORE_DEFAULTS, ...options }
    this.#open = new RecentMap(this.#options.openFiles)
  }

  append(residentId: string, entries: NewWebEntry[], at: Date): Promise<WebEntry[]> {
    return this.#oneAtATime.run(residentId, async () => {
      const file = await this.#file(residentId)
      const history = file.db.data
      let seq = history.entries.at(-1)?.seq ?? history.readUpTo
      const added = entries.map((entry) => ({ ...entry, seq: (seq += 1), at: at.toISOString() }))
      history.entries.push(...added)
      this.#trim(history)
      await file.save()
      return structuredClone(added)
    })
  }

  read(residentId: string): Promise<WebHistory> {
    return this.#oneAtATime.run(residentId, async () => structuredClone((await this.#file(residentId)).db.data))
  }

  hasDelivery(residentId: string, deliveryId: string): Promise<boolean> {
    return this.#oneAtATime.run(residentId, async () => (await this.#file(residentId)).db.data.entries.some((entry) => entry.deliveryId === deliveryId))
  }

  markRead(residentId: string, seq: number): Promise<number> {
    return this.#oneAtATime.run(residentId, async () => {
      const file = await this.#file(residentId)
      const history = file.db.data
      const upTo = Math.min(seq, history.entries.at(-1)?.seq ?? 0)
      if (upTo > history.readUpTo) {
        history.readUpTo = upTo
        await file.save()
      }
      return history.readUpTo
    })
  }

  #trim(history: WebHistory): void {
    let excess = history.entries.length - this.#options.maxEntries
    if (excess <= 0) return
    history.entries = history.entries.filter((entry) => {
      if (excess <= 0 || (entry.kind === 'push' && entry.seq > history.readUpTo)) return true
      excess -= 1
      return false
    })
  }

  #file(residentId: string): Promise<CoalescingFile<WebHistory>> {
    if (!SAFE_ID.test(residentId)) return Promise.reject(new Error(`not a web resident id: ${JSON.stringify(residentId)}`))
    let file = this.#open.get(residentId)
    if (!file) {
      const bucket = createHash('sha1').update(residentId).digest('hex').slice(0, 2)
      file = CoalescingFile.open<WebHistory>(path.join(this.#dir, bucket, `${residentId}.json`), { entries: [], readUpTo: 0 })
      this.#open.set(residentId, file)
      file.catch(() => this.#open.delete(residentId))
    }
    return file
  }
}
