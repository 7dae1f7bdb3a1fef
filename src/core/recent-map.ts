/**
 * A map that keeps at most `capacity` entries, forgetting the least recently set or touched first:
 * per-resident memory (recent lines, offered choices) stays bounded however many residents write.
 */
export class RecentMap<K, V> {
  readonly #entries = new Map<K, V>()
  readonly #capacity: number

  constructor(capacity: number) {
    this.#capacity = capacity
  }

  /** The value, now counted as the most recent. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key)
    // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
    if (value !== undefined) this.set(key, value)
    return value
  }

  set(key: K, value: V): void {
    this.#entries.delete(key)
    this.#entries.set(key, value)
    if (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value!)
  }

  delete(key: K): void {
    this.#entries.delete(key)
  }
}
