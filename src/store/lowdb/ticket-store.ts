import { mkdir, readdir } from 'node:fs/promises'
import path from 'node:path'
import { AnjuError } from '../../core/errors'
import type { Ticket } from '../../escalation/ticket'
import type { TicketFilter, TicketRepository } from '../types'
import { CoalescingFile } from './coalescing-file'

interface MonthFile {
  tickets: Record<string, Ticket>
  /** Last sequence number used per UTC day (yymmdd), so ids stay unique across restarts. */
  sequences: Record<string, number>
}

const MONTH_FILE = /^(\d{4}-\d{2})\.json$/

/** "T261123-0007" was created in 2026-11. */
const monthOfId = (id: string) => {
  const match = /^T(\d{2})(\d{2})\d{2}-\d+$/.exec(id)
  return match ? `20${match[1]}-${match[2]}` : undefined
}

/**
 * Tickets in lowdb files per month of creation, `DATA_DIR/tickets/YYYY-MM.json`: a month of a settlement's
 * demands is a small file, and the id says which file holds a ticket.
 */
export class LowdbTicketStore implements TicketRepository {
  readonly #dir: string
  readonly #months = new Map<string, Promise<CoalescingFile<MonthFile>>>()

  constructor(dataDir: string) {
    this.#dir = path.join(dataDir, 'tickets')
  }

  async create(at: Date, build: (id: string) => Ticket): Promise<Ticket> {
    const iso = at.toISOString()
    const file = await this.#month(iso.slice(0, 7))
    const day = iso.slice(2, 10).replaceAll('-', '')
    // No await between reading and taking the sequence number: concurrent creations get distinct ids.
    const sequence = (file.db.data.sequences[day] ?? 0) + 1
    file.db.data.sequences[day] = sequence
    const ticket = build(`T${day}-${String(sequence).padStart(4, '0')}`)
    file.db.data.tickets[ticket.id] = ticket
    await file.save()
    return structuredClone(ticket)
  }

  async get(id: string): Promise<Ticket | undefined> {
    const month = monthOfId(id)
    if (!month) return undefined
    const ticket = (await this.#month(month)).db.data.tickets[id]
    return ticket && structuredClone(ticket)
  }

  async update(id: string, change: (ticket: Ticket) => void): Promise<Ticket> {
    const month = monthOfId(id)
    const file = month && (await this.#month(month))
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
    const tickets: Ticket[] = []
    for (const month of await this.#monthsOnDisk()) {
      if (from && month < from.slice(0, 7)) continue
      if (to && month > to.slice(0, 7)) continue
      for (const ticket of Object.values((await this.#month(month)).db.data.tickets)) {
        if ((!from || ticket.createdAt >= from) && (!to || ticket.createdAt < to)) tickets.push(structuredClone(ticket))
      }
    }
    return tickets.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
  }

  async #monthsOnDisk(): Promise<string[]> {
    try {
      return (await readdir(this.#dir)).map((name) => MONTH_FILE.exec(name)?.[1]).filter((m): m is string => m !== undefined).sort()
    } catch {
      return []
    }
  }

  #month(month: string): Promise<CoalescingFile<MonthFile>> {
    let file = this.#months.get(month)
    if (!file) {
      file = (async () => {
        await mkdir(this.#dir, { recursive: true })
        const opened = new CoalescingFile<MonthFile>(path.join(this.#dir, `${month}.json`), { tickets: {}, sequences: {} })
        await opened.db.read()
        return opened
      })()
      this.#months.set(month, file)
      file.catch(() => this.#months.delete(month))
    }
    return file
  }
}
