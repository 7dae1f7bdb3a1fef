import { mkdir, readdir } from 'node:fs/promises'
import path from 'node:path'
import { AnjuError } from '../../core/errors'
import { isOpenStatus, needsTimeCheck, type Ticket } from '../../escalation/ticket'
import { countTickets, queryTickets } from '../../escalation/ticket-filter'
import type { TicketCounts, TicketFilter, TicketQuery, TicketRepository, TicketScope } from '../types'
import { CoalescingFile } from './coalescing-file'

const DAY_DIR = /^\d{4}-\d{2}-\d{2}$/
const TICKET_FILE = /^(T\d{6}-(\d+))\.json$/

/** "T261123-0007" was created on 2026-11-23. */
const dayOfId = (id: string) => {
  const match = /^T(\d{2})(\d{2})(\d{2})-\d+$/.exec(id)
  return match ? `20${match[1]}-${match[2]}-${match[3]}` : undefined
}

const byCreation = (a: Ticket, b: Ticket) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1)

/** The tickets of one day, loaded once; the next sequence number comes from the highest id on disk. */
interface Day {
  files: Map<string, CoalescingFile<Ticket>>
  /** Files that could not be read: only these tickets are unavailable (their id is still taken). */
  damaged: Map<string, unknown>
  sequence: number
}

/**
 * Tickets in one small lowdb file each, `DATA_DIR/tickets/<UTC day>/<id>.json`: a change rewrites only that
 * ticket's file however many tickets a province raises, and the id says where the file is. Each write is flushed
 * to the disk: a ticket is a promise to a resident. Indexes by resident and of open tickets (kept in memory, built
 * when every day is first read) answer a demand's questions without scanning every ticket.
 */
export class LowdbTicketStore implements TicketRepository {
  readonly #dir: string
  readonly #days = new Map<string, Promise<Day>>()
  /** Days that have a folder, read once and kept up to date as tickets are created. */
  #knownDays?: Promise<Set<string>>
  #allLoaded?: Promise<void>
  readonly #byResident = new Map<string, Set<string>>()
  readonly #open = new Map<string, CoalescingFile<Ticket>>()

  readonly #durable: boolean

  /** `durable: false` only where nothing depends on surviving a power cut (seeding a benchmark). */
  constructor(dataDir: string, options: { durable?: boolean } = {}) {
    this.#dir = path.join(dataDir, 'tickets')
    this.#durable = options.durable ?? true
  }

  async create(at: Date, build: (id: string) => Ticket): Promise<Ticket> {
    const dayName = at.toISOString().slice(0, 10)
    const day = await this.#day(dayName)
    ;(await this.#daysOnDisk()).add(dayName)
    // No await between taking the sequence number and registering the file: concurrent creations get distinct ids.
    day.sequence += 1
    const ticket = build(`T${dayName.slice(2).replaceAll('-', '')}-${String(day.sequence).padStart(4, '0')}`)
    const file = this.#ticketFile(dayName, ticket.id)
    file.db.data = ticket
    day.files.set(ticket.id, file)
    this.#index(file)
    await mkdir(path.join(this.#dir, dayName), { recursive: true })
    await file.save()
    return structuredClone(ticket)
  }

  async get(id: string): Promise<Ticket | undefined> {
    const ticket = (await this.#fileOf(id))?.db.data
    return ticket && structuredClone(ticket)
  }

  async update(id: string, change: (ticket: Ticket) => void): Promise<Ticket> {
    const file = await this.#fileOf(id)
    if (!file) throw new AnjuError('ANJU_ERR_NOT_FOUND', `ticket ${id} does not exist`)
    // Change a copy and swap it in, so a change that throws leaves the stored ticket as it was.
    const changed = structuredClone(file.db.data)
    change(changed)
    file.db.data = changed
    this.#index(file)
    await file.save()
    return structuredClone(changed)
  }

  async list(filter: TicketFilter = {}): Promise<Ticket[]> {
    const from = filter.from?.toISOString()
    const to = filter.to?.toISOString()
    const wanted = (t: Ticket) => (!from || t.createdAt >= from) && (!to || t.createdAt < to) &&
      (!filter.residentKey || t.residentKey === filter.residentKey) && (!filter.openOnly || isOpenStatus(t.status)) &&
      (!filter.settlements || (t.settlementId !== undefined && filter.settlements.includes(t.settlementId)))
    const tickets: Ticket[] = []
    // Filter the stored tickets first and copy only what is returned: lists run on every demand.
    for (const file of await this.#candidates(filter, from, to)) if (wanted(file.db.data)) tickets.push(structuredClone(file.db.data))
    return tickets.sort(byCreation)
  }

  /** Filtered from every ticket: lowdb serves one settlement, whose tickets its process keeps loaded. */
  async dueForCheck(now: Date): Promise<Ticket[]> {
    const nowIso = now.toISOString()
    return (await this.#live()).filter((ticket) => needsTimeCheck(ticket, nowIso)).sort(byCreation).map((ticket) => structuredClone(ticket))
  }

  async openCountByAssignee(): Promise<Map<string, number>> {
    await this.#loadAll()
    const counts = new Map<string, number>()
    for (const file of this.#open.values()) {
      const assignee = file.db.data.assignee
      if (assignee) counts.set(assignee, (counts.get(assignee) ?? 0) + 1)
    }
    return counts
  }

  // Every ticket is in memory once read, so a query filters them there (PostgreSQL does it in SQL); only the page is copied.
  async query(query: TicketQuery): Promise<{ tickets: Ticket[]; total: number }> {
    const page = queryTickets(await this.#live(), query)
    return { ...page, tickets: page.tickets.map((ticket) => structuredClone(ticket)) }
  }

  async counts(scope: TicketScope): Promise<TicketCounts> {
    return countTickets(await this.#live(), scope)
  }

  /** Every stored ticket as it is held, not copied: for filtering and counting, never to hand out. */
  async #live(): Promise<Ticket[]> {
    return [...(await this.#candidates({}))].map((file) => file.db.data)
  }

  /** The files a filter can match: through an index where it names a resident or open tickets, else the days in range. */
  async #candidates(filter: TicketFilter, from?: string, to?: string): Promise<Iterable<CoalescingFile<Ticket>>> {
    if (filter.residentKey || filter.openOnly) {
      await this.#loadAll()
      if (!filter.residentKey) return this.#open.values()
      const ids = [...(this.#byResident.get(filter.residentKey) ?? [])]
      return (await Promise.all(ids.map((id) => this.#fileOf(id)))).filter((file) => file !== undefined)
    }
    const files: CoalescingFile<Ticket>[] = []
    for (const dayName of [...(await this.#daysOnDisk())].sort()) {
      if ((from && dayName < from.slice(0, 10)) || (to && dayName > to.slice(0, 10))) continue
      files.push(...(await this.#day(dayName)).files.values())
    }
    return files
  }

  #index(file: CoalescingFile<Ticket>): void {
    const ticket = file.db.data
    let ids = this.#byResident.get(ticket.residentKey)
    if (!ids) this.#byResident.set(ticket.residentKey, (ids = new Set()))
    ids.add(ticket.id)
    if (isOpenStatus(ticket.status)) this.#open.set(ticket.id, file)
    else this.#open.delete(ticket.id)
  }

  #loadAll(): Promise<void> {
    this.#allLoaded ??= (async () => {
      for (const dayName of await this.#daysOnDisk()) await this.#day(dayName)
    })()
    this.#allLoaded.catch(() => { this.#allLoaded = undefined })
    return this.#allLoaded
  }

  async #fileOf(id: string): Promise<CoalescingFile<Ticket> | undefined> {
    const dayName = dayOfId(id)
    if (!dayName) return undefined
    const day = await this.#day(dayName)
    // A damaged ticket answers with the error that names its file; every other ticket is served as usual.
    if (day.damaged.has(id)) throw day.damaged.get(id)
    return day.files.get(id)
  }

  #ticketFile(dayName: string, id: string): CoalescingFile<Ticket> {
    return new CoalescingFile<Ticket>(path.join(this.#dir, dayName, `${id}.json`), {} as Ticket, { durable: this.#durable })
  }

  #daysOnDisk(): Promise<Set<string>> {
    this.#knownDays ??= readdir(this.#dir).then(
      (names) => new Set(names.filter((name) => DAY_DIR.test(name))),
      () => new Set<string>(),
    )
    return this.#knownDays
  }

  #day(dayName: string): Promise<Day> {
    let day = this.#days.get(dayName)
    if (!day) {
      day = this.#loadDay(dayName)
      this.#days.set(dayName, day)
      day.catch(() => this.#days.delete(dayName))
    }
    return day
  }

  async #loadDay(dayName: string): Promise<Day> {
    const loaded: Day = { files: new Map(), damaged: new Map(), sequence: 0 }
    // Reading a day that has no folder (a mistyped id) must not create one.
    const names = await readdir(path.join(this.#dir, dayName)).catch(() => [] as string[])
    for (const name of names) {
      const match = TICKET_FILE.exec(name)
      if (!match) continue
      const file = this.#ticketFile(dayName, match[1]!)
      loaded.sequence = Math.max(loaded.sequence, Number(match[2]))
      try {
        await file.db.read()
      } catch (error) {
        loaded.damaged.set(match[1]!, error)
        continue
      }
      loaded.files.set(match[1]!, file)
      this.#index(file)
    }
    return loaded
  }
}
