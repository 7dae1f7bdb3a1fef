import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type pg from 'pg'
import { openLowdbStores } from '../stores'
import { LowdbWebIdentityStore } from '../lowdb/web-stores'
import type { WebHistory } from '../types'
import { OUTBOX_COLUMNS, outboxRow } from './outbox-store'
import { inTransaction } from './pool'
import { RESIDENT_COLUMNS, residentRow } from './resident-store'
import { TICKET_COLUMNS, ticketRow } from './ticket-store'

/** Per kind of record: how many were moved now, and how many were there already (a second run moves none). */
export type ImportReport = Record<string, { moved: number; already: number }>

const BATCH = 500
/**
 * Keys from content for records that have none: two identical records (an audit line written twice in one
 * millisecond) are told apart by their place among the identical ones, so both are moved, and once only.
 */
function contentKeys(records: unknown[]): string[] {
  const seen = new Map<string, number>()
  return records.map((record) => {
    const hash = createHash('sha256').update(JSON.stringify(record)).digest('hex')
    const occurrence = (seen.get(hash) ?? 0) + 1
    seen.set(hash, occurrence)
    return `lowdb:${hash}:${occurrence}`
  })
}

/** Inserts rows in batches, keeping what is there; resolves with how many were new. */
async function insertMissing(client: pg.PoolClient, table: string, columns: string[], rows: unknown[][]): Promise<number> {
  let inserted = 0
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH)
    const params: unknown[] = []
    const values = batch.map((row) => `(${row.map((value) => `$${params.push(value)}`).join(', ')})`).join(', ')
    inserted += (await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values} ON CONFLICT DO NOTHING`, params)).rowCount ?? 0
  }
  return inserted
}

async function readJsonFiles<T>(dir: string): Promise<{ name: string; data: T }[]> {
  const found: { name: string; data: T }[] = []
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const entry of entries) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) found.push(...(await readJsonFiles<T>(full)))
    else if (entry.name.endsWith('.json') && !entry.name.startsWith('.')) found.push({ name: entry.name.slice(0, -'.json'.length), data: JSON.parse(await readFile(full, 'utf8')) as T })
  }
  return found
}

/**
 * Moves a settlement's lowdb data folder into PostgreSQL, all in one transaction: whatever is already there
 * (same key; for turns and audit entries, same content and place among identical ones) is kept as it is, so running it twice moves nothing twice.
 * Broadcast delivery logs stay in the folder: the deliveries of past broadcasts are not moved.
 */
export async function importLowdb(dataDir: string, pool: pg.Pool): Promise<ImportReport> {
  const lowdb = openLowdbStores(dataDir, 'migrate-store')
  const [residents, turns, tickets, outbox, audit, notices] = await Promise.all([
    lowdb.residents.list(), lowdb.conversations.listTurns(), lowdb.tickets.list(), lowdb.outbox.list(), lowdb.audit.list(), lowdb.notices.list(),
  ])
  const identities = await new LowdbWebIdentityStore(dataDir).entries()
  // The web history store has no listing of its own: its files (one a resident) are read as they are.
  const histories = await readJsonFiles<WebHistory>(path.join(dataDir, 'web', 'history'))

  return inTransaction(pool, async (client) => {
    const report: ImportReport = {}
    const note = (kind: string, total: number, moved: number) => { report[kind] = { moved, already: total - moved } }
    note('residents', residents.length, await insertMissing(client, 'residents', RESIDENT_COLUMNS, residents.map(residentRow)))
    const turnKeys = contentKeys(turns)
    note('conversation turns', turns.length, await insertMissing(client, 'conversation_turns', ['at', 'fallback', 'doc', 'import_key'],
      turns.map((turn, i) => [turn.at, turn.fallback, turn, turnKeys[i]])))
    note('tickets', tickets.length, await insertMissing(client, 'tickets', TICKET_COLUMNS, tickets.map(ticketRow)))
    // New tickets continue each day's numbering after the highest id moved.
    await client.query(
      `INSERT INTO ticket_days (day, last)
       SELECT to_date(substr(id, 2, 6), 'YYMMDD'), max(substr(id, 9)::integer) FROM tickets GROUP BY 1
       ON CONFLICT (day) DO UPDATE SET last = GREATEST(ticket_days.last, EXCLUDED.last)`,
    )
    note('outbox items', outbox.length, await insertMissing(client, 'outbox', OUTBOX_COLUMNS, outbox.map(outboxRow)))
    const auditKeys = contentKeys(audit)
    note('audit entries', audit.length, await insertMissing(client, 'audit_log', ['at', 'doc', 'import_key'], audit.map((entry, i) => [entry.at, entry, auditKeys[i]])))
    note('notices', notices.length, await insertMissing(client, 'notices', ['id', 'created_at', 'doc'], notices.map((n) => [n.id, n.createdAt, n])))
    note('web identities', identities.length, await insertMissing(client, 'web_identities', ['token_hash', 'doc'], identities))
    let entriesMoved = 0
    let historiesMoved = 0
    for (const { name: residentId, data } of histories) {
      const lastSeq = data.entries.at(-1)?.seq ?? data.readUpTo
      // A resident whose page is already in PostgreSQL keeps it: entries are moved with their history row, or not at all.
      if (!(await insertMissing(client, 'web_histories', ['resident_id', 'read_up_to', 'last_seq'], [[residentId, data.readUpTo, lastSeq]]))) continue
      historiesMoved += 1
      entriesMoved += await insertMissing(client, 'web_entries', ['resident_id', 'seq', 'push', 'doc'], data.entries.map((e) => [residentId, e.seq, e.kind === 'push', e]))
    }
    note('web histories', histories.length, historiesMoved)
    report['web history entries'] = { moved: entriesMoved, already: histories.reduce((n, h) => n + h.data.entries.length, 0) - entriesMoved }
    return report
  })
}
