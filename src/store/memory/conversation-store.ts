import { selectRange, type ConversationRepository, type ConversationTurn, type TimeRange } from '../types'

/** Keeps the record in memory: for tests, benchmarks and the terminal chat's --memory mode. */
export class MemoryConversationStore implements ConversationRepository {
  readonly #turns: ConversationTurn[] = []

  async record(turn: ConversationTurn): Promise<void> {
    this.#turns.push(structuredClone(turn))
  }

  async listUnanswered(range?: TimeRange): Promise<ConversationTurn[]> {
    return selectRange(this.#turns.filter((turn) => turn.fallback), range, true)
  }

  async listTurns(range?: TimeRange): Promise<ConversationTurn[]> {
    return selectRange(this.#turns, range)
  }

  async close(): Promise<void> {}
}
