import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { Low, type Adapter } from 'lowdb'
import { WriteCoalescer } from './write-coalescer'
import { parseJsonFile, readIfExists, writeFileAtomically } from './data-file'

export interface JsonFormat<T> {
  parse: (text: string) => T
  stringify: (data: T) => string
}

// Compact JSON: these files are read by programs; pretty-printing would double their size and write time.
const compactJson = { parse: JSON.parse, stringify: (data: unknown) => JSON.stringify(data) }

export interface CoalescingFileOptions<T> {
  format?: JsonFormat<T>
  /** Flush each write to the disk before it counts as done (see writeFileAtomically). */
  durable?: boolean
}

/** lowdb's adapter for one JSON file: atomic writes, and a file that does not parse is reported by its path. */
class AtomicJsonFile<T> implements Adapter<T> {
  constructor(readonly file: string, readonly format: JsonFormat<T>, readonly durable: boolean) {}

  async read(): Promise<T | null> {
    const text = await readIfExists(this.file)
    if (text === undefined) return null
    return parseJsonFile(this.file, text, this.format.parse)
  }

  write(data: T): Promise<void> {
    return writeFileAtomically(this.file, this.format.stringify(data), this.durable)
  }
}

/**
 * A lowdb file written atomically (temp file + rename), coalescing concurrent saves:
 * however many callers ask while a write runs, the data is stringified and written once more after it.
 */
export class CoalescingFile<T> {
  readonly db: Low<T>
  readonly file: string
  readonly #writes = new WriteCoalescer(() => this.db.write())

  constructor(file: string, defaultData: T, options: CoalescingFileOptions<T> = {}) {
    this.file = file
    this.db = new Low(new AtomicJsonFile<T>(file, options.format ?? (compactJson as JsonFormat<T>), options.durable ?? false), defaultData)
  }

  /** The file with what is on disk loaded (the default when there is none yet), its folder created. */
  static async open<T>(file: string, defaultData: T, options: CoalescingFileOptions<T> = {}): Promise<CoalescingFile<T>> {
    await mkdir(path.dirname(file), { recursive: true })
    const opened = new CoalescingFile<T>(file, defaultData, options)
    await opened.db.read()
    return opened
  }

  /** Resolves once the data as it is now (or later) is on disk. */
  save(): Promise<void> {
    return this.#writes.request()
  }
}
