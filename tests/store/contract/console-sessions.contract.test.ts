import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { ConsoleSessions } from '../../../adapters/http/console/sessions'
import { createLogger } from '../../../src/core/logger'
import type { StaffMember } from '../../../src/escalation/staff'
import type { ConsoleSessionOptions } from '../../../src/store/console-sessions'
import { openPostgresStores } from '../../../src/store/postgres/index'
import type { StoreSet } from '../../../src/store/stores'
import type { ConsoleSessionStore } from '../../../src/store/types'
import { TEST_DATABASE_URL, usePostgresSchema } from '../../postgres'

const MINUTE = 60_000
const IDLE = 30 * MINUTE
const schema = usePostgresSchema()
const opened: StoreSet[] = []
afterEach(async () => { await Promise.all(opened.splice(0).map((stores) => stores.close())) })

/** What the table keys a session by. */
const hash = (id: string) => createHash('sha256').update(id).digest('hex')
const member = (id: string, settlements: string[] = ['xingfu_jiayuan_sample']): StaffMember => ({ id, name: id, role: 'caseworker', settlements, contacts: [] })

/** The staff file as the stores see it: a test may change or remove a member. */
class Staff {
  readonly members = new Map<string, StaffMember>()
  get = (id: string) => this.members.get(id)
}

interface SessionBackend {
  name: string
  /** A store over the same sessions as every other `open` of this test (PostgreSQL: another instance). */
  open(options: ConsoleSessionOptions): Promise<ConsoleSessionStore>
}

const postgresStore = async (options: ConsoleSessionOptions) => {
  const stores = await openPostgresStores({ url: TEST_DATABASE_URL, schema: schema.name, max: 2, logger: createLogger('silent') })
  opened.push(stores)
  return stores.openConsoleSessions!(options)
}

const backends: SessionBackend[] = [
  { name: 'memory', open: async (options) => new ConsoleSessions(options.idleMs, options.now) },
  { name: 'postgres', open: postgresStore },
]

function setUp() {
  const clock = { now: Date.UTC(2026, 11, 1, 1) }
  const staff = new Staff()
  for (const id of ['li_xiaofang', 'chen_jianguo']) staff.members.set(id, member(id))
  const options: ConsoleSessionOptions = { idleMs: IDLE, staff, now: () => clock.now }
  return { clock, staff, options }
}

describe.each(backends)('console sessions on $name', (backend) => {
  it('gives back a session by its id with its member and CSRF token; an unknown or missing id is no session', async () => {
    const { staff, options } = setUp()
    const store = await backend.open(options)
    const li = await store.create(staff.get('li_xiaofang')!)
    const chen = await store.create(staff.get('chen_jianguo')!)
    expect(li.id).not.toBe(chen.id)
    expect(li.csrf).not.toBe(li.id)
    const found = await store.get(li.id)
    expect(found).toMatchObject({ id: li.id, csrf: li.csrf, createdAt: li.createdAt, member: { id: 'li_xiaofang' } })
    expect((await store.get(chen.id))?.member.id).toBe('chen_jianguo')
    expect(await store.get(`${li.id}x`)).toBeUndefined()
    expect(await store.get(undefined)).toBeUndefined()
  })

  it('ends a session unused for its idle time; a use starts the idle time again', async () => {
    const { clock, staff, options } = setUp()
    const store = await backend.open(options)
    const session = await store.create(staff.get('li_xiaofang')!)
    clock.now += 20 * MINUTE
    const seen = (await store.get(session.id))!
    await store.touch(seen)
    clock.now += 25 * MINUTE
    expect(await store.get(session.id)).toBeDefined()
    clock.now += 6 * MINUTE
    expect(await store.get(session.id)).toBeUndefined()
    const unused = await store.create(staff.get('li_xiaofang')!)
    clock.now += IDLE
    expect(await store.get(unused.id)).toBeDefined()
    clock.now += 1
    expect(await store.get(unused.id)).toBeUndefined()
  })

  it('a deleted session is gone; the others stay', async () => {
    const { staff, options } = setUp()
    const store = await backend.open(options)
    const first = await store.create(staff.get('li_xiaofang')!)
    const second = await store.create(staff.get('li_xiaofang')!)
    await store.delete(first.id)
    expect(await store.get(first.id)).toBeUndefined()
    expect(await store.get(second.id)).toBeDefined()
  })
})

describe('console sessions on PostgreSQL, shared by instances', () => {
  const rows = () => schema.admin.query<{ id_hash: string; member_id: string; last_seen_at: Date }>(`SELECT id_hash, member_id, last_seen_at FROM ${schema.name}.console_sessions`)

  it('a session made on one instance is used and deleted on another', async () => {
    const { clock, staff, options } = setUp()
    const [a, b] = [await postgresStore(options), await postgresStore(options)]
    const session = await a.create(staff.get('li_xiaofang')!)
    const onB = (await b.get(session.id))!
    expect(onB).toMatchObject({ id: session.id, csrf: session.csrf, member: { id: 'li_xiaofang' } })
    clock.now += 20 * MINUTE
    await b.touch(onB)
    clock.now += 20 * MINUTE
    expect(await a.get(session.id)).toBeDefined()
    await b.delete(session.id)
    expect(await a.get(session.id)).toBeUndefined()
  })

  it('stores the SHA-256 of the session id, never the id itself', async () => {
    const { staff, options } = setUp()
    const session = await (await postgresStore(options)).create(staff.get('li_xiaofang')!)
    const stored = (await rows()).rows.filter((row) => row.id_hash === hash(session.id))
    expect(stored).toHaveLength(1)
    const all = JSON.stringify((await schema.admin.query(`SELECT * FROM ${schema.name}.console_sessions`)).rows)
    expect(all).not.toContain(session.id)
  })

  it('looks the member up on every use: changed settlements count at once, a removed member is signed out', async () => {
    const { staff, options } = setUp()
    const store = await postgresStore(options)
    const session = await store.create(staff.get('li_xiaofang')!)
    staff.members.set('li_xiaofang', member('li_xiaofang', ['anle_xincun_sample']))
    expect((await store.get(session.id))?.member.settlements).toEqual(['anle_xincun_sample'])
    staff.members.delete('li_xiaofang')
    expect(await store.get(session.id)).toBeUndefined()
    staff.members.set('li_xiaofang', member('li_xiaofang'))
    expect(await store.get(session.id)).toBeUndefined()
  })

  it('records a use only when the last recorded one is a while ago, and prunes sessions past their idle time', async () => {
    const { clock, staff, options } = setUp()
    const [a, b] = [await postgresStore(options), await postgresStore(options)]
    const session = await a.create(staff.get('li_xiaofang')!)
    const lastSeen = async () => (await rows()).rows.find((row) => row.id_hash === hash(session.id))?.last_seen_at.getTime()
    clock.now += 10_000
    await a.touch((await a.get(session.id))!)
    expect(await lastSeen()).toBe(session.createdAt)
    clock.now += 2 * MINUTE
    await a.touch((await a.get(session.id))!)
    expect(await lastSeen()).toBe(clock.now)
    const stale = await b.create(staff.get('chen_jianguo')!)
    clock.now += IDLE + 1
    const fresh = await b.create(staff.get('chen_jianguo')!)
    await b.prune()
    const left = (await rows()).rows.map((row) => row.id_hash)
    expect(left).toContain(hash(fresh.id))
    expect(left).not.toContain(hash(stale.id))
    expect(left).not.toContain(hash(session.id))
  })
})
