import { mkdir, readdir } from 'node:fs/promises'
import path from 'node:path'
import { JsonLinesFile, readJsonLines } from './json-lines-file'

/** Named defaults: an item is appended (written once), and parts of bounded size keep each file quick to read. */
export const PARTITIONED_LOG_DEFAULTS = {
  /** A part file holds at most this many items; the next item opens a new part. */
  maxItemsPerFile: 1_000,
  /**
   * Each process writes only files with its own name (the server, the terminal chat), because two processes
   * appending to one file would interleave. Readers merge every writer's files.
   */
  writer: 'server',
}

interface OpenPart<T> {
  index: number
  /** The part's items, kept while it is the one written to: a reader never sees a line half-appended. */
  items: T[]
  file: JsonLinesFile
}

const PART_FILE = /^([a-z0-9-]+)\.part-(\d{4,})\.jsonl$/

/**
 * An append-only log of JSON items kept per partition (a day, a broadcast), each partition split into parts of
 * bounded size: `<dir>/<partition>/<writer>.part-0001.jsonl`, one item a line. An append writes only its own line.
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
    // A part whose append failed may end in a cut line: later items go to a new part, so the damage stays in it.
    if (part.items.length >= this.#maxItemsPerFile || part.file.failed) part = this.#startPart(partition, part.index + 1)
    part.items.push(item)
    await part.file.append(JSON.stringify(item))
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
      if (open && name === this.#partName(open.index)) items.push(...open.items)
      else items.push(...((await readJsonLines<T>(path.join(this.#dir, partition, name))) ?? []))
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
    const file = path.join(this.#dir, partition, this.#partName(index))
    try {
      this.#openParts.set(partition, { index, items: (await readJsonLines<T>(file)) ?? [], file: new JsonLinesFile(file) })
    } catch {
      // A damaged newest part is left as it is (data:check and the next start-up name it): new items go to the next.
      this.#startPart(partition, index + 1)
    }
  }

  #startPart(partition: string, index: number): OpenPart<T> {
    const part = { index, items: [], file: new JsonLinesFile(path.join(this.#dir, partition, this.#partName(index))) }
    this.#openParts.set(partition, part)
    return part
  }

  #partName(index: number): string {
    return `${this.#writer}.part-${String(index).padStart(4, '0')}.jsonl`
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
