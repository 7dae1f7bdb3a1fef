/**
 * Runs a write once for however many callers ask: a request while a write runs is served by one more write after
 * it, which takes whatever changed in the meantime. Each caller's promise resolves once a write that started after
 * its request has finished.
 */
export class WriteCoalescer {
  readonly #write: () => Promise<void>
  #writing: Promise<void> | null = null
  #pending: Promise<void> | null = null

  constructor(write: () => Promise<void>) {
    this.#write = write
  }

  request(): Promise<void> {
    if (!this.#writing) return this.#start()
    this.#pending ??= this.#writing.catch(() => undefined).then(() => {
      this.#pending = null
      return this.#start()
    })
    return this.#pending
  }

  #start(): Promise<void> {
    const write = this.#write().finally(() => {
      if (this.#writing === write) this.#writing = null
    })
    this.#writing = write
    return write
  }
}
