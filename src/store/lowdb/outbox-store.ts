import path from 'node:path'
import type { OutboxItem, OutboxRepository } from '../types'
import { CoalescingFile } from './coalescing-file'
import { PartitionedLog } from './partitioned-log'

interface OutboxFile {
  items: Record<string, OutboxItem>
}

/**
 * The outbox in `DATA_DIR/outbox/pending.json` (pending and held items); items leave it once delivered (or given up) and are kept
 * in per-day logs `outbox/done/<day>/`, so the pending file stays small however much is sent.
 */
export class LowdbOutboxStore implements OutboxRepository {
  readonly #dir: string
  readonly #done: PartitionedLog<OutboxItem>
  #file?: Promise<CoalescingFile<OutboxFile>>

  constructor(dataDir: string) {
    this.#dir = path.join(dataDir, 'outbox')
    this.#done = new PartitionedLog(path.join(this.#dir, 'done'))
  }

  /** An id still pending or held keeps the item stored first (finished ones are the dispatcher's `storedIds` to check). */
  async add(item: OutboxItem): Promise<void> {
    const file = await this.#open()
    if (file.db.data.items[item.id]) return
    file.db.data.items[item.id] = structuredClone(item)
    await file.save()
  }

  async due(now: Date): Promise<OutboxItem[]> {
    const iso = now.toISOString()
    return Object.values((await this.#open()).db.data.items)
      .filter((item) => item.status === 'pending' && item.nextAttemptAt <= iso)
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1))
      .map((item) => structuredClone(item))
  }

  /** One process writes a data folder, and its dispatcher never starts an item twice: nothing to claim against, so no lease. */
  async claimDue(now: Date, channels: readonly string[]): Promise<OutboxItem[]> {
    return (await this.due(now)).filter((item) => channels.includes(item.channel))
  }

  async update(id: string, patch: Partial<OutboxItem>): Promise<void> {
    const file = await this.#open()
    const item = file.db.data.items[id]
    if (!item) return
    const updated = { ...item, ...patch }
    // Pending and held items stay in the pending file; only delivered and given-up ones move to the day logs.
    if (updated.status === 'pending' || updated.status === 'held') {
      file.db.data.items[id] = updated
      await file.save()
      return
    }
    // Marked final in the pending file first, then logged, then removed: a crash anywhere leaves the item known as
    // finished (never delivered again), and `#open` completes the move.
    file.db.data.items[id] = updated
    await file.save()
    await this.#finish(file, updated, false)
  }

  /** Moves a finished item to its day log; `mayBeLogged`: after a crash, it may be there already. */
  async #finish(file: CoalescingFile<OutboxFile>, item: OutboxItem, mayBeLogged: boolean): Promise<void> {
    const day = (item.sentAt ?? item.createdAt).slice(0, 10)
    const logged = mayBeLogged && (await this.#done.read(day)).some((entry) => entry.id === item.id)
    if (!logged) await this.#done.append(day, item)
    delete file.db.data.items[item.id]
    await file.save()
  }

  async held(channel: string, recipient: string): Promise<OutboxItem[]> {
    return Object.values((await this.#open()).db.data.items)
      .filter((item) => item.status === 'held' && item.channel === channel && item.recipient === recipient)
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1))
      .map((item) => structuredClone(item))
  }

  async list(): Promise<OutboxItem[]> {
    const pending = Object.values((await this.#open()).db.data.items)
    const done: OutboxItem[] = []
    for (const day of await this.#done.partitions()) done.push(...(await this.#done.read(day)))
    return [...done, ...pending].map((item) => structuredClone(item))
  }

  #open(): Promise<CoalescingFile<OutboxFile>> {
    this.#file ??= (async () => {
      const file = await CoalescingFile.open<OutboxFile>(path.join(this.#dir, 'pending.json'), { items: {} }, { durable: true })
      // Items a crash left marked finished but not yet moved to the day logs.
      for (const item of Object.values(file.db.data.items)) if (item.status === 'sent' || item.status === 'failed') await this.#finish(file, item, true)
      return file
    })()
    return this.#file
  }
}
