/**
 * Runs tasks one at a time per key (a resident), any number of keys in parallel:
 * two messages from one resident at the same moment are handled in order, not interleaved.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<unknown>>()

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve()
    const result = previous.catch(() => undefined).then(task)
    const tail = result.catch(() => undefined)
    this.#tails.set(key, tail)
    // Forget the key once its queue is empty, so the map does not grow with every resident ever seen.
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    })
    return result
  }
}
