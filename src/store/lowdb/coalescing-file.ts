import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { Low } from 'lowdb'
import { DataFile } from 'lowdb/node'

export interface JsonFormat<T> {
  parse: (text: string) => T
  stringify: (data: T) => string
}

// Compact JSON: these files are read by programs; pretty-printing would double their size and write time.
const compactJson = { parse: JSON.parse, stringify: (data: unknown) => JSON.stringify(data) }

/**
 * A lowdb file written atomically (steno: temp file + rename), coalescing concurrent saves:
 * however many callers ask while a write runs, the data is stringified and written once more after it.
 */
export class CoalescingFile<T> {
  readonly db: Low<T>
  #writing: Promise<void> | null = null
  #pending: Promise<void> | null = null

  constructor(file: string, defaultData: T, format: JsonFormat<T> = compactJson as JsonFormat<T>) {
    this.db = new Low(new DataFile<T>(file, format), defaultData)
  }

  /** The file with what is on disk loaded (the default when there is none yet), its folder created. */
  static async open<T>(file: string, defaultData: T): Promise<CoalescingFile<T>> {
    await mkdir(path.dirname(file), { recursive: true })
    const opened = new CoalescingFile<T>(file, defaultData)
    await opened.db.read()
    return opened
  }

  /** Resolves once the data as it is now (or later) is on disk. */
  save(): Promise<void> {
    if (!this.#writing) return this.#startWrite()
    this.#pending ??= this.#writing.catch(() => undefined).then(() => {
      this.#pending = null
      return this.#startWrite()
    })
    return this.#pending
  }

  #startWrite(): Promise<void> {
    const write = this.db.write().finally(() => {
      if (this.#writing === write) this.#writing = null
    })
    this.#writing = write
    return write
  }
}
