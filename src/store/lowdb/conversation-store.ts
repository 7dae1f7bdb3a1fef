import path from 'node:path'
import { selectRange, type ConversationRepository, type ConversationTurn, type TimeRange } from '../types'
import { PartitionedLog, type PARTITIONED_LOG_DEFAULTS } from './partitioned-log'

const dayOf = (iso: string) => iso.slice(0, 10)
const previousDay = (day: string) => dayOf(new Date(Date.parse(day) - 86_400_000).toISOString())

/**
 * The conversation record in lowdb files under DATA_DIR: `conversations/<UTC day>/<writer>.part-N.json`,
 * and the fallbacks again under `unanswered/` so staff read a short list.
 */
export class LowdbConversationStore implements ConversationRepository {
  readonly #turns: PartitionedLog<ConversationTurn>
  readonly #unanswered: PartitionedLog<ConversationTurn>

  constructor(dataDir: string, options: Partial<typeof PARTITIONED_LOG_DEFAULTS> = {}) {
    this.#turns = new PartitionedLog(path.join(dataDir, 'conversations'), options)
    this.#unanswered = new PartitionedLog(path.join(dataDir, 'unanswered'), options)
  }

  async record(turn: ConversationTurn): Promise<void> {
    const day = dayOf(turn.at)
    await Promise.all([
      this.#turns.append(day, turn),
      turn.fallback ? this.#unanswered.append(day, turn) : undefined,
    ])
    // Older days are complete: stop holding them in memory. The previous day stays open for turns
    // that were received just before midnight and are still being written.
    const keep = [day, previousDay(day)]
    this.#turns.release(keep)
    this.#unanswered.release(keep)
  }

  async listUnanswered(range?: TimeRange): Promise<ConversationTurn[]> {
    return selectRange(await this.#readDays(this.#unanswered, range), range, true)
  }

  async listTurns(range?: TimeRange): Promise<ConversationTurn[]> {
    return selectRange(await this.#readDays(this.#turns, range), range)
  }

  async close(): Promise<void> {}

  async #readDays(log: PartitionedLog<ConversationTurn>, range: TimeRange = {}): Promise<ConversationTurn[]> {
    const from = range.from && dayOf(range.from.toISOString())
    const to = range.to && dayOf(range.to.toISOString())
    const days = (await log.partitions()).filter((day) => (!from || day >= from) && (!to || day <= to))
    const turns: ConversationTurn[] = []
    for (const day of days) turns.push(...(await log.read(day)))
    // Writers' files are read one after another; time order is what readers expect.
    return turns.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
  }
}
