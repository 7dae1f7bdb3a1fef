import { mkdir, readdir } from 'node:fs/promises'
import path from 'node:path'
import { CoalescingFile } from './coalescing-file'

interface LogFile<T> {
  items: T[]
}

/** Named defaults: small files keep lowdb's whole-file rewrite cheap however much data grows. */
export const PARTITIONED_LOG_DEFAULTS = {
  /** A part file holds at most this many items; the next item opens a new part. */
  maxItemsPerFile: 250,
  /**
   * Each process writes only files with its own name (the server, the terminal chat), because
   * lowdb loses updates when two processes write one file. Readers merge every writer's files.
   */
  writer: 'server',
}

/**
 * Compact JSON for an append-only file, serialised incrementally: each item is stringified once, when it is
 * first written, so a write costs the new items plus a string copy, not a full JSON.stringify of the file.
 * (Items are never changed after they are appended.)
 */
class AppendOnlyJson<T> {
  #serialised = ''
  #count = 0

  parse = (text: string): LogFile<T> => {
    const data = JSON.parse(text) as LogFile<T>
    this.#serialised = data.items.map((item) => JSON.stringify(item)).join(',')
    this.#count = data.items.length
    return data
  }

  stringify = (data: LogFile<T>): string => {
    const { items } = data
    for (; this.#count < items.length; this.#count += 1) {
      this.#serialised += (this.#count > 0 ? ',' : '') + JSON.stringify(items[this.#count])
    }
    return `{"items":[${this.#serialised}]}`
  }
}

interface OpenPart<T> {
  index: number
  file: CoalescingFile<LogFile<T>>
}

const logFile = <T>(file: string) => new CoalescingFile<LogFile<T>>(file, { items: [] }, new AppendOnlyJson<T>())

const PART_FILE = /^([a-z0-9-]+)\.part-(\d{4,})\.json$/

/**
 * An append-only log of JSON items kept in lowdb files per partition (a day, a broadcast),
 * each partition split into parts of bounded size: `<dir>/<partition>/<writer>.part-0001.json`.
 */
export class PartitionedLog<T> {
  readonly #dir: string
  readonly #maxItemsPerFile: number
  readonly #writer: string
  /** Only the newest part of a partition is ever written; it stays open. */
  readonly #openParts = new Map<string, OpenPart<T>>()
  /** Loads of a partition's newest part under way, shared by the appends that wait for them. */
  readonly #loading = new Map<string, Promise<void>>()

  constructor(dir: string, options: Partial<typeof PARTITIONED_LOG_DEFAULTS> = {}) {
    this.#dir = dir
    this.#maxItemsPerFile = options.maxItemsPerFile ?? PARTITIONED_LOG_DEFAULTS.maxItemsPerFile
    this.#writer = options.writer ?? PARTITIONED_LOG_DEFAULTS.writer
    if (!/^[a-z0-9-]+$/.test(this.#writer)) throw new Error(`writer name "${this.#writer}" must be lower-case letters, digits and dashes`)
  }

  /** Appends an item and resolves once it is on disk. */
  async append(partition: string, item: T): Promise<void> {
    if (!this.#openParts.has(partition)) await this.#openNewestPart(partition)
    // From here to the push nothing awaits: concurrent appends see one current part and roll over once.
    let part = this.#openParts.get(partition)!
    if (part.file.db.data.items.length >= this.#maxItemsPerFile) part = this.#rollOver(partition, part.index + 1)
    part.file.db.data.items.push(item)
    await part.file.save()
  }

  /** Partition names, in sorted order. */
  async partitions(): Promise<string[]> {
    return (await this.#list(this.#dir)).sort()
  }

  /** Every item in a partition: each writer's items in the order they were appended, writers one after another. */
  async read(partition: string): Promise<T[]> {
    const open = this.#openParts.get(partition)
    const items: T[] = []
    for (const name of await this.#partFiles(partition)) {
      if (open && name === this.#partName(open.index)) {
        items.push(...open.file.db.data.items)
        continue
      }
      const file = logFile<T>(path.join(this.#dir, partition, name))
      await file.db.read()
      items.push(...file.db.data.items)
    }
    return items
  }

  /** Forgets open parts of partitions other than the ones named, so memory stays bounded. */
  release(keep: readonly string[]): void {
    for (const partition of this.#openParts.keys()) if (!keep.includes(partition)) this.#openParts.delete(partition)
  }

  #openNewestPart(partition: string): Promise<void> {
    let loading = this.#loading.get(partition)
    if (!loading) {
      loading = this.#loadNewestPart(partition).finally(() => this.#loading.delete(partition))
      this.#loading.set(partition, loading)
    }
    return loading
  }

  async #loadNewestPart(partition: string): Promise<void> {
    await mkdir(path.join(this.#dir, partition), { recursive: true })
    const own = (await this.#partFiles(partition)).map((name) => PART_FILE.exec(name)!).filter((m) => m[1] === this.#writer)
    const index = Math.max(1, ...own.map((m) => Number(m[2])))
    const file = logFile<T>(path.join(this.#dir, partition, this.#partName(index)))
    await file.db.read()
    this.#openParts.set(partition, { index, file })
  }

  #rollOver(partition: string, index: number): OpenPart<T> {
    const part = { index, file: logFile<T>(path.join(this.#dir, partition, this.#partName(index))) }
    this.#openParts.set(partition, part)
    return part
  }

  #partName(index: number): string {
    return `${this.#writer}.part-${String(index).padStart(4, '0')}.json`
  }

  /** Part files of a partition, every writer's, sorted by writer then part number. */
  async #partFiles(partition: string): Promise<string[]> {
    return (await this.#list(path.join(this.#dir, partition))).filter((name) => PART_FILE.test(name)).sort()
  }

  async #list(dir: string): Promise<string[]> {
    try {
      return await readdir(dir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }
  }
}
