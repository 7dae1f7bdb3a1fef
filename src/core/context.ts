import type { Locale, Source } from '../knowledge/schemas'

/** The one inbound message type every adapter builds. */
export interface InboundMessage {
  /** Which adapter it came from: 'http', 'cli', 'telegram', 'wechat' ... */
  channel: string
  /** The platform's own id for the resident; with `channel` it identifies them. */
  channelUserId: string
  text: string
  /** The locale the resident asked in, when the channel knows it. */
  locale?: Locale
  receivedAt: Date
}

export interface OutboundReply {
  text: string
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
  readonly locale: Locale
  readonly replies: OutboundReply[] = []
  readonly sources: Source[] = []
  outcome: MatchOutcome = { intent: null, confidence: 0, fallback: false }

  constructor(message: InboundMessage, locale: Locale) {
    this.message = message
    this.locale = locale
  }

  /** Stable identity of the resident across messages on one channel. */
  get residentKey(): string {
    return `${this.message.channel}:${this.message.channelUserId}`
  }

  reply(text: string): void {
    this.replies.push({ text })
  }

  cite(sources: readonly Source[]): void {
    this.sources.push(...sources)
  }
}
