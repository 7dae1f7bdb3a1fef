import type { ServerResponse } from 'node:http'
import type { StaffDirectory } from '../../../src/escalation/staff'
import type { Ticket } from '../../../src/escalation/ticket'
import { isOverdue } from '../../../src/escalation/ticket-filter'
import type { TicketAlert } from '../../../src/escalation/ticket-messenger'
import { SECURITY_HEADERS } from '../security-headers'
import type { ConsoleSession, ConsoleSessionStore } from './sessions'

export const LIVE_DEFAULTS = {
  /** A comment line this often keeps proxies from closing a quiet stream. */
  heartbeatMs: 25_000,
}

/** Alerts every colleague of the settlement sees; the others only reach the people they are addressed to. */
const FOR_EVERYONE = new Set(['ticket.notify_new', 'ticket.notify_urgent', 'ticket.notify_reopened'])

export const alertKind = (key: string) => key.replace(/^ticket\.notify_/, '')

/** What the inbox shows of a ticket. */
export function ticketSummary(ticket: Ticket, nowIso: string) {
  return {
    id: ticket.id,
    status: ticket.status,
    priority: ticket.priority,
    topic: ticket.category,
    settlementId: ticket.settlementId,
    channel: ticket.channel,
    summary: ticket.summary.length > 160 ? `${ticket.summary.slice(0, 160)}…` : ticket.summary,
    assignee: ticket.assignee,
    dueAt: ticket.dueAt,
    createdAt: ticket.createdAt,
    updatedAt: ticket.updatedAt,
    overdue: isOverdue(ticket, nowIso),
    // When it last asked for attention (created, assigned, reopened, the resident added to it): what "unread" compares with.
    attentionAt: [...ticket.events].reverse().find((e) => e.type === 'created' || e.type === 'assigned' || e.type === 'resident_message' || (e.type === 'status' && e.detail === 'reopened'))?.at ?? ticket.createdAt,
    /** Messages the resident added (a merged demand) that no staff member has acted on yet. */
    newResidentMessages: ticket.unseenResidentMessages ?? 0,
  }
}

interface Listener {
  session: ConsoleSession
  response: ServerResponse
  /** The writes waiting on the session check before them: a stream gets its events in order. */
  sending: Promise<void>
}

/**
 * The console's live stream (server-sent events): every staff alert goes to the signed-in staff who may see the
 * ticket, so that staff with no chat contact are alerted too. A stream whose session ended is closed.
 */
export class LiveAlerts {
  readonly #listeners = new Set<Listener>()
  readonly #staff: StaffDirectory
  readonly #sessions: ConsoleSessionStore
  readonly #now: () => Date
  #timer?: NodeJS.Timeout

  constructor(staff: StaffDirectory, sessions: ConsoleSessionStore, now: () => Date) {
    this.#staff = staff
    this.#sessions = sessions
    this.#now = now
  }

  /** Takes over the response: the stream stays open until the client leaves or the session ends. */
  open(session: ConsoleSession, response: ServerResponse): void {
    // Written on the raw response, so the app's onSend hook does not add the security headers: they are added here.
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    })
    response.write('retry: 5000\n\n')
    const listener: Listener = { session, response, sending: Promise.resolve() }
    this.#listeners.add(listener)
    response.on('close', () => this.#listeners.delete(listener))
    this.#timer ??= setInterval(() => this.#heartbeat(), LIVE_DEFAULTS.heartbeatMs).unref()
  }

  publish(alert: TicketAlert): void {
    const data = JSON.stringify({ kind: alertKind(alert.key), ticket: ticketSummary(alert.ticket, this.#now().toISOString()) })
    for (const listener of this.#listeners) {
      const { member } = listener.session
      if (!this.#staff.canSee(member, alert.ticket)) continue
      if (!FOR_EVERYONE.has(alert.key) && !alert.recipients.includes(member.id) && member.role === 'caseworker') continue
      this.#send(listener, `event: alert\ndata: ${data}\n\n`)
    }
  }

  close(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
    for (const listener of this.#listeners) listener.response.end()
    this.#listeners.clear()
  }

  #heartbeat(): void {
    for (const listener of this.#listeners) this.#send(listener, ': keep-alive\n\n')
  }

  /** Writes when the session is still live (signed out on another instance counts); ends the stream otherwise. */
  #send(listener: Listener, text: string): void {
    listener.sending = listener.sending.then(async () => {
      if (!this.#listeners.has(listener)) return
      if (await this.#sessions.get(listener.session.id)) {
        listener.response.write(text)
        return
      }
      listener.response.end('event: signed_out\ndata: {}\n\n')
      this.#listeners.delete(listener)
    }).catch(() => {
      // The store did not answer: the page reconnects and its session is checked again then.
      listener.response.end()
      this.#listeners.delete(listener)
    })
  }
}
