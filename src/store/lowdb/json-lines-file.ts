import { appendFile, open } from 'node:fs/promises'
import { damagedFile, readIfExists, storeWrites, writeFileAtomically } from './data-file'
import { WriteCoalescer } from './write-coalescer'

/**
 * The items of a JSON-lines file (one JSON value a line, each line ended by a newline), or undefined when there is
 * no file. A line that does not parse, or a last line cut short, is damage: the error names the file and the line.
 */
export async function readJsonLines<T>(file: string): Promise<T[] | undefined> {
  const text = await readIfExists(file)
  return text === undefined ? undefined : parseJsonLines<T>(file, text)
}

export function parseJsonLines<T>(file: string, text: string): T[] {
  const lines = text.split('\n')
  if (lines.pop() !== '') throw damagedFile(file, `line ${lines.length + 1} is cut short (a write was interrupted)`)
  return lines.map((line, i) => {
    try {
      return JSON.parse(line) as T
    } catch (error) {
      throw damagedFile(file, `line ${i + 1} is not valid JSON (${(error as Error).message})`, error)
    }
  })
}

/**
 * A JSON-lines file that grows by appends: a change writes its own line, not the file, and appends that arrive
 * while a write runs go out together in the next one. `compact` replaces the whole file atomically with a snapshot
 * (what the appends add up to), queued behind the writes under way.
 */
export class JsonLinesFile {
  readonly file: string
  readonly #durable: boolean
  readonly #writes = new WriteCoalescer(() => this.#writeQueued())
  #queued: string[] = []
  #snapshot?: () => string[]
  /** An append failed part-way: the file may end in a cut line, so nothing more is appended to it. */
  #failed = false

  constructor(file: string, durable = false) {
    this.file = file
    this.#durable = durable
  }

  get failed(): boolean {
    return this.#failed
  }

  /** Resolves once the line (a JSON text without newlines) is in the file. */
  append(line: string): Promise<void> {
    this.#queued.push(line)
    return this.#writes.request()
  }

  /** Resolves once the file holds exactly the snapshot's lines (taken when the write starts). */
  compact(snapshot: () => string[]): Promise<void> {
    this.#snapshot = snapshot
    return this.#writes.request()
  }

  async #writeQueued(): Promise<void> {
    const snapshot = this.#snapshot
    const queued = this.#queued
    this.#snapshot = undefined
    this.#queued = []
    if (snapshot) {
      // The snapshot already holds what the queued lines say.
      await writeFileAtomically(this.file, snapshot().map((line) => `${line}\n`).join(''), this.#durable)
      this.#failed = false
      return
    }
    if (queued.length === 0) return
    const text = `${queued.join('\n')}\n`
    storeWrites.bytes += Buffer.byteLength(text)
    try {
      if (!this.#durable) return await appendFile(this.file, text)
      const handle = await open(this.file, 'a')
      try {
        await handle.writeFile(text)
        await handle.sync()
      } finally {
        await handle.close()
      }
    } catch (error) {
      this.#failed = true
      throw error
    }
  }
}
