/**
 * Store files in the formats written before the JSON-lines stores (commit e56a243 and earlier): recognised by the
 * data check and imported once at start-up (see legacy-import.ts). Nothing else reads them.
 */

/** Where imported files are moved: `DATA_DIR/legacy/<time>/<their path>`; never read by the stores. */
export const LEGACY_DIR = 'legacy'

const DAY = String.raw`\d{4}-\d{2}-\d{2}`
const PART = String.raw`[a-z0-9-]+\.part-\d{4,}\.json`
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * keyed: a lowdb shard `{ [field]: { key: record } }` (now `shard-NN.jsonl`, one line a record);
 * log: a lowdb part of an append-only log `{ items: [...] }` (now the same name ending `.jsonl`, one line an item).
 */
export type LegacyLayout = { layout: 'keyed'; field: 'residents' | 'identities' } | { layout: 'log' }

export type LegacyFile = LegacyLayout & {
  /** Relative to the data folder. */
  file: string
  /** The store it belongs to, as the start-up log names it. */
  store: string
  records: number
}

const KINDS: { store: string; pattern: RegExp; layout: LegacyLayout }[] = [
  { store: 'residents', pattern: /^residents\/shard-\d+\.json$/, layout: { layout: 'keyed', field: 'residents' } },
  { store: 'web identities', pattern: /^web\/identities\/shard-\d+\.json$/, layout: { layout: 'keyed', field: 'identities' } },
  { store: 'conversation turns', pattern: new RegExp(`^conversations/${DAY}/${PART}$`), layout: { layout: 'log' } },
  { store: 'unanswered questions', pattern: new RegExp(`^unanswered/${DAY}/${PART}$`), layout: { layout: 'log' } },
  { store: 'audit entries', pattern: new RegExp(`^audit/${DAY}/${PART}$`), layout: { layout: 'log' } },
  { store: 'finished outbox items', pattern: new RegExp(`^outbox/done/${DAY}/${PART}$`), layout: { layout: 'log' } },
  { store: 'broadcast deliveries', pattern: new RegExp(`^broadcasts/[^/]+/(recipients|deliveries)/${PART}$`), layout: { layout: 'log' } },
]

export const legacyLayoutOf = (file: string) => KINDS.find((kind) => kind.pattern.test(file))

/** The records of a parsed earlier-format file, keyed (a shard) or in order (a log part); undefined: not its shape. */
export function legacyRecords(layout: LegacyLayout, data: unknown): [string, unknown][] | unknown[] | undefined {
  if (!isObject(data)) return undefined
  if (layout.layout === 'log') return Array.isArray(data.items) ? data.items : undefined
  const records = data[layout.field]
  return isObject(records) ? Object.entries(records) : undefined
}
