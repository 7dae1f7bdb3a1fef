import { createHash, timingSafeEqual } from 'node:crypto'
import { watch, type FSWatcher } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { AnjuError } from '../core/errors'
import type { Settlement } from '../knowledge/schemas'
import type { Ticket } from './ticket'

export const STAFF_ROLES = ['caseworker', 'supervisor', 'admin'] as const
export type StaffRole = (typeof STAFF_ROLES)[number]

const staffFileSchema = z.strictObject({
  staff: z.array(z.strictObject({
    id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'ids are lower_snake_case'),
    name: z.string().trim().min(1),
    role: z.enum(STAFF_ROLES),
    /** SHA-256 of the API token, in hex: tokens are never stored in the clear. */
    tokenSha256: z.string().regex(/^[0-9a-f]{64}$/, 'the SHA-256 of the token, 64 hex digits (npm run staff:token)'),
  })),
})

/** Quiet time after the last change to the staff file before it is read again. */
const STAFF_FILE_SETTLE_MS = 300

type StaffFileEntry = z.infer<typeof staffFileSchema>['staff'][number]

async function readStaffFile(file: string): Promise<StaffFileEntry[]> {
  let raw: string
  try {
    raw = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const parsed = staffFileSchema.safeParse(parseYaml(raw))
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((issue) => `${file} at ${issue.path.join('.')}: ${issue.message}`).join('; ')
    throw new AnjuError('ANJU_ERR_CONFIG_INVALID', reasons)
  }
  return parsed.data.staff
}

export interface StaffMember {
  id: string
  name: string
  role: StaffRole
  /** Settlements this person works for (from the settlement directory); admins see all. */
  settlements: string[]
  /** How to reach them for notifications; none means the console only. */
  contacts: { channel: string; recipient: string }[]
  /** Where the request at hand comes from (a client address, a chat), set by the adapter for the audit log. */
  origin?: string
}

/** Who an alert reaches: a staff member, or a duty desk that is no staff member. */
export type Recipient = Pick<StaffMember, 'id' | 'contacts'>

/** The chats a person or desk is reached at, from their entry in the knowledge files. */
export const chatContacts = (entry: { telegramChatId?: string; wechatContact?: string }): StaffMember['contacts'] => [
  ...(entry.telegramChatId ? [{ channel: 'telegram', recipient: entry.telegramChatId }] : []),
  ...(entry.wechatContact ? [{ channel: 'wechat', recipient: entry.wechatContact }] : []),
]

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex')

/** Who the staff are, what they may see, and how to reach them. */
export class StaffDirectory {
  readonly #byHash = new Map<string, StaffMember>()
  readonly #byId = new Map<string, StaffMember>()

  readonly #settlements: readonly Settlement[]

  constructor(members: StaffFileEntry[], settlements: readonly Settlement[]) {
    this.#settlements = settlements
    this.#fill(members)
  }

  /** Every part of the desk holds this one directory: a changed staff file is read into it in place. */
  #fill(members: StaffFileEntry[]): void {
    const settlements = this.#settlements
    this.#byHash.clear()
    this.#byId.clear()
    for (const member of members) {
      const listed = settlements.flatMap((s) => s.staff.filter((st) => st.id === member.id).map((st) => ({ settlement: s, contact: st })))
      const contacts = listed.flatMap(({ contact }) => chatContacts(contact))
      const staff: StaffMember = {
        id: member.id,
        name: member.name,
        role: member.role,
        settlements: member.role === 'admin' ? settlements.map((s) => s.id) : [...new Set(listed.map(({ settlement }) => settlement.id))],
        contacts: contacts.filter((c, i) => contacts.findIndex((d) => d.channel === c.channel && d.recipient === c.recipient) === i),
      }
      this.#byHash.set(member.tokenSha256, staff)
      this.#byId.set(member.id, staff)
    }
  }

  /** Reads the staff file; a missing file means no staff API access (every call gets 401). */
  static async load(file: string, settlements: readonly Settlement[]): Promise<StaffDirectory> {
    return new StaffDirectory(await readStaffFile(file), settlements)
  }

  /**
   * Reads the staff file again whenever it changes (editors replace it, so its folder is watched), then calls
   * `changed`. A file that does not validate leaves the directory as it was, and `failed` hears why.
   */
  watch(file: string, changed: () => void, failed: (error: unknown) => void): FSWatcher {
    const name = path.basename(file)
    let reading = Promise.resolve()
    let settle: NodeJS.Timeout | undefined
    const read = () => {
      reading = reading.then(async () => {
        this.#fill(await readStaffFile(file))
        changed()
      }).catch(failed)
    }
    const watcher = watch(path.dirname(file), (_event, changedName) => {
      if (changedName !== null && changedName !== name) return
      // Read once the writing is over: a half-written file could drop staff and send their tickets elsewhere.
      clearTimeout(settle)
      settle = setTimeout(read, STAFF_FILE_SETTLE_MS)
      settle.unref()
    })
    // The folder itself going away (or inotify running out) is reported, never thrown at the process.
    watcher.on('error', failed)
    watcher.unref()
    return watcher
  }

  /** The staff member a bearer token belongs to; compared in constant time. */
  authenticate(token: string | undefined): StaffMember | undefined {
    if (!token) return undefined
    const hash = hashToken(token)
    for (const [known, member] of this.#byHash) {
      if (timingSafeEqual(Buffer.from(known, 'hex'), Buffer.from(hash, 'hex'))) return member
    }
    return undefined
  }

  /** The staff member who is reached at this chat (a Telegram chat id, a WeChat contact or room). */
  byContact(channel: string, recipient: string): StaffMember | undefined {
    return [...this.#byId.values()].find((m) => m.contacts.some((c) => c.channel === channel && c.recipient === recipient))
  }

  get(id: string): StaffMember | undefined {
    return this.#byId.get(id)
  }

  /** The caseworkers (or supervisors) of a settlement, in directory order. */
  ofSettlement(settlementId: string | undefined, role: 'caseworker' | 'supervisor'): StaffMember[] {
    return [...this.#byId.values()].filter((m) => m.role === role && settlementId !== undefined && m.settlements.includes(settlementId))
  }

  admins(): StaffMember[] {
    return [...this.#byId.values()].filter((m) => m.role === 'admin')
  }

  /** Caseworkers and supervisors see their settlements' tickets; admins see every ticket. */
  canSee(member: StaffMember, ticket: Pick<Ticket, 'settlementId'>): boolean {
    if (member.role === 'admin') return true
    return ticket.settlementId !== undefined && member.settlements.includes(ticket.settlementId)
  }
}
