import type { Locale } from '../knowledge/schemas'

/** One exchange: what the resident said and what the assistant answered. */
export interface ConversationTurn {
  id: string
  /** ISO time the message was received. */
  at: string
  channel: string
  channelUserId: string
  locale: Locale
  text: string
  intent: string | null
  confidence: number
  /** True when the assistant could not answer and gave its fallback. */
  fallback: boolean
  replies: string[]
}

export interface TimeRange {
  from?: Date
  to?: Date
  limit?: number
}

/** The conversation record. Small on purpose, so lowdb can be swapped for PostgreSQL. */
export interface ConversationRepository {
  /** Stores a turn durably before resolving; fallbacks also land on the unanswered list. */
  record(turn: ConversationTurn): Promise<void>
  /** Questions that fell to the fallback, newest first. */
  listUnanswered(range?: TimeRange): Promise<ConversationTurn[]>
  /** Every turn in a range, oldest first. */
  listTurns(range?: TimeRange): Promise<ConversationTurn[]>
  close(): Promise<void>
}

/** Applies a range to turns that are already in time order. */
export function selectRange(turns: ConversationTurn[], range: TimeRange = {}, newestFirst = false): ConversationTurn[] {
  const from = range.from?.toISOString()
  const to = range.to?.toISOString()
  const inRange = turns.filter((turn) => (!from || turn.at >= from) && (!to || turn.at < to))
  if (newestFirst) inRange.reverse()
  return range.limit === undefined ? inRange : inRange.slice(0, range.limit)
}
