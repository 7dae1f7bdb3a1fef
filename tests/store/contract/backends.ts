import { afterEach, beforeEach } from 'vitest'
import { createLogger } from '../../../src/core/logger'
import { MemoryConversationStore } from '../../../src/store/memory/conversation-store'
import { MemoryResidentStore } from '../../../src/store/memory/resident-store'
import { openPostgresStores } from '../../../src/store/postgres/index'
import { openLowdbStores, type StoreSet } from '../../../src/store/stores'
import { makeTempDir, removeDir } from '../../helpers'
import { TEST_DATABASE_URL, usePostgresSchema } from '../../postgres'

export type StoreName = Exclude<keyof StoreSet, 'kind' | 'residentLock' | 'pool' | 'close'>

export interface Backend {
  name: string
  /** The stores this backend has (memory has residents and conversations only). */
  has: readonly StoreName[]
  /** Stores over the same data as every other `open()` of this test: a restart, or (`shared`) a second instance. */
  open(): Promise<Partial<StoreSet>>
  /** Several instances may write at once (lowdb: one writer process per data folder). */
  shared: boolean
}

const ALL: readonly StoreName[] = ['conversations', 'residents', 'tickets', 'outbox', 'audit', 'notices', 'deliveries', 'webIdentities', 'webHistory']

/**
 * Registers the hooks and returns the backends a contract test runs against: lowdb in a fresh temporary folder
 * per test, memory (one store each, kept for the test), and PostgreSQL in this file's schema, emptied before each test.
 */
export function useBackends(): Backend[] {
  const schema = usePostgresSchema()
  const opened: StoreSet[] = []
  let dir = ''
  let memory: Partial<StoreSet> = {}
  beforeEach(async () => {
    dir = await makeTempDir()
    memory = { residents: new MemoryResidentStore(), conversations: new MemoryConversationStore() }
    const tables = ['residents', 'conversation_turns', 'ticket_days', 'tickets', 'outbox', 'audit_log', 'notices', 'web_identities', 'web_entries', 'web_histories', 'broadcast_deliveries']
    const exists = await schema.admin.query(`SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'residents'`, [schema.name])
    if (exists.rowCount) await schema.admin.query(`TRUNCATE ${tables.map((t) => `${schema.name}.${t}`).join(', ')} RESTART IDENTITY`)
  })
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((stores) => stores.close()))
    await removeDir(dir)
  })
  const keep = (stores: StoreSet) => (opened.push(stores), stores)
  return [
    { name: 'lowdb', has: ALL, shared: false, open: async () => keep(openLowdbStores(dir)) },
    { name: 'memory', has: ['residents', 'conversations'], shared: false, open: async () => memory },
    {
      name: 'postgres',
      has: ALL,
      shared: true,
      open: async () => keep(await openPostgresStores({ url: TEST_DATABASE_URL, schema: schema.name, max: 4, logger: createLogger('silent') })),
    },
  ]
}

/** A second instance where the backend allows one, else the same stores. */
export const secondInstance = async (backend: Backend, first: Partial<StoreSet>) => (backend.shared ? backend.open() : first)

/** The backends that have `store`, for `describe.each`. */
export const having = (backends: Backend[], store: StoreName) => backends.filter((backend) => backend.has.includes(store))
