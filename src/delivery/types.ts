import type { OutboundReply } from '../core/context'

/** Who a message is for: a channel without buttons shows staff the commands, and residents a numbered list. */
export type Audience = 'resident' | 'staff'

/**
 * What the platform answered to one request, as the channel's transport classifies it. Only what proves that the
 * message did not arrive (`rate_limited`, `transient`) is safe to send again without risking a duplicate.
 */
export type AttemptOutcome =
  | { kind: 'sent' }
  /** Not delivered: wait `afterMs`. Holds the chat, or the whole channel when the platform says the limit is the account's. */
  | { kind: 'rate_limited'; afterMs: number; scope: 'chat' | 'channel'; reason: string }
  /** Not delivered, a passing failure (5xx with an answer, refused connection). `channel`: the platform cannot be reached at all. */
  | { kind: 'transient'; scope: 'chat' | 'channel'; reason: string }
  /** The request went out and nothing says whether it arrived (timeout, connection lost, unreadable answer). */
  | { kind: 'unknown'; reason: string }
  /** The recipient cannot be reached: blocked the bot, deleted the account, no longer a friend. */
  | { kind: 'unreachable'; reason: string }
  /** The platform refused this message for good (a bad request): sending it again would fail again. */
  | { kind: 'rejected'; reason: string }

/** The end of one delivery. */
export type DeliveryResult =
  | { status: 'sent' }
  /** At most once: an error after the request was sent; it may have arrived and is not sent again. */
  | { status: 'unknown'; reason: string }
  | { status: 'unreachable'; reason: string }
  /** Refused for good: logged and counted. */
  | { status: 'failed'; reason: string }
  /** Not delivered for now (attempts or waiting exhausted): a durable caller tries again later. */
  | { status: 'retry'; afterMs: number; reason: string }
  /** `signal` aborted or `beforeAttempt` said no before the message went out. */
  | { status: 'cancelled' }

export interface SendOptions {
  /**
   * at-least-once (answers, relays, notifications): an unknown outcome is sent again, a duplicate being better than
   * a lost answer. at-most-once (notices): it is not, and the delivery ends `unknown`.
   */
  mode?: 'at-least-once' | 'at-most-once'
  /**
   * The outbox item's id: a channel that can tell it delivered one before (the web chat keeps it with the entry)
   * does not deliver it twice when a crash made the outbox try again.
   */
  deliveryId?: string
  /** Bulk messages (notices) go out only when no conversation is waiting to be answered. */
  priority?: 'interactive' | 'bulk'
  /** Cancels the delivery if it has not gone out yet. */
  signal?: AbortSignal
  /** Runs right before each request (a broadcast records "sending"); false cancels the delivery. */
  beforeAttempt?: () => Promise<boolean> | boolean
  /** Runs after each request with what the platform said (a broadcast records a retry). */
  afterAttempt?: (outcome: AttemptOutcome) => Promise<void> | void
}

/**
 * The sending side of a channel: answers, relays, notifications and notices all go through it. Every adapter
 * registers one (a `SendQueue` over its transport); a channel that is pulled rather than pushed may implement it
 * directly.
 */
export interface ChannelSender {
  /**
   * The channel delivers a `deliveryId` once, however often it is sent (the web chat keeps it with the entry): a
   * broadcast delivery interrupted mid-send is sent again there rather than left sent-unknown.
   */
  readonly deliversOnce?: boolean
  send(recipient: string, reply: OutboundReply, audience: Audience, options?: SendOptions): Promise<DeliveryResult>
}

/** How a channel turns a reply into the platform's messages and sends one of them; it never throws. */
export interface ChannelTransport<Piece> {
  /** The reply as the messages the platform takes, split under its size limit (see `splitReply`). */
  pieces(recipient: string, reply: OutboundReply, audience: Audience): Piece[] | Promise<Piece[]>
  send(recipient: string, piece: Piece): Promise<AttemptOutcome>
}
