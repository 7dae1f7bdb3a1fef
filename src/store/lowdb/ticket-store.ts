import { mkdir, readdir } from 'node:fs/promises'
import path from 'node:path'
import { AnjuError } from '../../core/errors'
import { isOpenStatus, type Ticket } from '../../escalation/ticket'
import type { TicketFilter, TicketRepository } from '../types'
import { CoalescingFile } from './coalescing-file'

interface DayFile {
  tickets: Record<string, Ticket>
  /** Last sequence number used that day, so ids stay unique across restarts. */
  sequence: number
}

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.json$/

/** "T261123-0007" was created on 2026-11-23. */
const dayOfId = (id: string) => {
  const match = /^T(\d{2})(\d{2})(\d{2})-\d+$/.exec(id)
  return match ? `20${match[1]}-${match[2]}-${match[3]}` : undefined
}

/**
 * Tickets in lowdb files per UTC day of creation, `DATA_DIR/tickets/YYYY-MM-DD.json`: a change rewrites one
 * day's file, which stays small however many tickets a province raises, and the id says which file holds it.
 */
export class LowdbTicketStore implements TicketRepository {
  readonly #dir: string
  readonly #days = new Map<string, Promise<CoalescingFile<DayFile>>>()
  /** Days that have a file, read from the folder once and kept up to date as tickets are created. */
  #knownDays?: Promise<Set<string>>

  constructor(dataDir: string) {
    this.#dir = path.join(dataDir, 'tickets')
  }

  async create(at: Date, build: (id: string) => Ticket): Promise<Ticket> {
    const day = at.toISOString().slice(0, 10)
    const file = await this.#day(day)
    ;(await this.#daysOnDisk()).add(day)
    // No await between reading and taking the sequence number: concurrent creations get distinct ids.
    const sequence = (file.db.data.sequence += 1)
    const ticket = build(`T${day.slice(2).replaceAll('-', '')}-${String(sequence).padStart(4, '0')}`)
    file.db.data.tickets[ticket.id] = ticket
    await file.save()
    return structuredClone(ticket)
  }

  async get(id: string): Promise<Ticket | undefined> {
    const day = dayOfId(id)
    if (!day) return undefined
    const ticket = (await this.#day(day)).db.data.tickets[id]
    return ticket && structuredClone(ticket)
  }

  async update(id: string, change: (ticket: Ticket) => void): Promise<Ticket> {
    const day = dayOfId(id)
    const file = day && (await this.#day(day))
    const ticket = file && file.db.data.tickets[id]
    if (!file || !ticket) throw new AnjuError('ANJU_ERR_NOT_FOUND', `ticket ${id} does not exist`)
    // Change a copy and swap it in, so a change that throws leaves the stored ticket as it was.
    const changed = structuredClone(ticket)
    change(changed)
    file.db.data.tickets[id] = changed
    await file.save()
    return structuredClone(changed)
  }

  async list(filter: TicketFilter = {}): Promise<Ticket[]> {
    const from = filter.from?.toISOString()
    const to = filter.to?.toISOString()
    const wanted = (t: Ticket) => (!from || t.createdAt >= from) && (!to || t.createdAt < to) &&
      (!filter.residentKey || t.residentKey === filter.residentKey) && (!filter.openOnly || isOpenStatus(t.status))
    const tickets: Ticket[] = []
    for (const day of [...(await this.#daysOnDisk())].sort()) {
      if (from && day < from.slice(0, 10)) continue
      if (to && day > to.slice(0, 10)) continue
      // Filter the stored tickets first and copy only what is returned: lists run on every demand.
      for (const ticket of Object.values((await this.#day(day)).db.data.tickets)) {
        if (wanted(ticket)) tickets.push(structuredClone(ticket))
      }
    }
    return tickets.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
  }

  #daysOnDisk(): Promise<Set<string>> {
    this.#knownDays ??= readdir(this.#dir).then(
      (names) => new Set(names.map((name) => DAY_FILE.exec(name)?.[1]).filter((d): d is string => d !== undefined)),
      () => new Set<string>(),
    )
    return this.#knownDays
  }

  #day(day: string): Promise<CoalescingFile<DayFile>> {
    let file = this.#days.get(day)
    if (!file) {
      file = (async () => {
        await mkdir(this.#dir, { recursive: true })
        const opened = new CoalescingFile<DayFile>(path.join(this.#dir, `${day}.json`), { tickets: {}, sequence: 0 })
        await opened.db.read()
        return opened
      })()
      this.#days.set(day, file)
      file.catch(() => this.#days.delete(day))
    }
    return file
  }
}
