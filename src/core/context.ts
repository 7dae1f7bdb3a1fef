import type { Locale, Source } from '../knowledge/schemas'
import type { MatchResult } from '../matcher/matcher'
import type { ResidentProfile } from '../store/types'

/** The one inbound message type every adapter builds. */
export interface InboundMessage {
  /** Which adapter it came from: 'http', 'cli', 'telegram', 'wechat' ... */
  channel: string
  /** The platform's own id for the resident; with `channel` it identifies them. */
  channelUserId: string
  text: string
  /** The locale the resident explicitly asked in (the web page's switch, the terminal's /en). */
  locale?: Locale
  /** The platform's guess at the resident's language (Telegram's language_code), weaker than a choice. */
  localeHint?: Locale
  /** The resident's name on the platform, for staff. */
  displayName?: string
  /**
   * Where the message came from on the network, where the platform tells it (the HTTP API and the web chat: the
   * client address). Anyone can invent a new resident there, so the address is what limits new tickets.
   */
  origin?: string
  /**
   * Set by an adapter when the resident pressed a button (`text` is its value too): the value, and the prompt its
   * choices were offered for. The pipeline decides whether the press is stale, and never reads language from it.
   */
  button?: { value: string; promptId?: string }
  receivedAt: Date
}

/** An answer the resident can pick; `value` is sent back as the resident's next message. */
export interface Choice {
  label: string
  value: string
}

export interface OutboundReply {
  text: string
  /** Buttons where the platform has them; a numbered list where it does not. */
  choices?: Choice[]
  /** The prompt these choices were offered for (a pre-check question: check, question and turn); buttons carry it back. */
  promptId?: string
  /**
   * A short label repeated at the head of every piece after the first when the reply is split (a notification's
   * ticket id), so that replying to any piece still names its ticket.
   */
  tag?: string
}

/** What the matcher decided, kept on the context for handlers, the record and the adapters. */
export interface MatchOutcome {
  intent: string | null
  confidence: number
  /** True when the assistant gave its honest fallback instead of an answer. */
  fallback: boolean
}

/** One context per inbound message, built by the pipeline; handlers reply through it, never through a platform. */
export class Context {
  readonly message: InboundMessage
  readonly replies: OutboundReply[] = []
  readonly sources: Source[] = []
  outcome: MatchOutcome = { intent: null, confidence: 0, fallback: false }
  /** Values of the choices offered in the resident's previous turn: "2" means the second. */
  offeredChoices?: string[]
  /** The message was refused before it was understood (the resident is over the rate limit): nothing is kept of it. */
  throttled = false
  /** What the matcher understood, once it has run. */
  match?: MatchResult
  /**
   * Whether the resident's channel can deliver later messages (a caseworker's answer, notices). The chat API
   * and the terminal cannot: there the assistant never promises to send anything.
   */
  canPush = false
  /**
   * Saves the profile now rather than at the end of the turn (the pipeline sets it): a step that stores something
   * else first (a ticket) saves the question it answers as closed before, so that a crash between never leaves it open.
   */
  saveResidentNow: () => Promise<void> = async () => {}
  /** The resident's profile; change it through `updateResident` so that it is saved. */
  readonly resident: ResidentProfile
  #residentChanged = false
  #locale: Locale

  constructor(message: InboundMessage, locale: Locale, resident: ResidentProfile) {
    this.message = message
    this.#locale = locale
    this.resident = resident
  }

  /** The language of this conversation turn. */
  get locale(): Locale {
    return this.#locale
  }

  /** Stable identity of the resident across messages on one channel. */
  get residentKey(): string {
    return this.resident.key
  }

  get residentChanged(): boolean {
    return this.#residentChanged
  }

  updateResident(patch: Partial<Omit<ResidentProfile, 'key' | 'channel' | 'channelUserId' | 'createdAt'>>): void {
    Object.assign(this.resident, patch)
    if (patch.locale) this.#locale = patch.locale
    this.#residentChanged = true
  }

  reply(text: string, choices?: Choice[]): void {
    this.replies.push(choices?.length ? { text, choices } : { text })
  }

  cite(sources: readonly Source[]): void {
    this.sources.push(...sources)
  }
}
