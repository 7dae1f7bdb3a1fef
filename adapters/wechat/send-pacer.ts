import { setTimeout as sleep } from 'node:timers/promises'

/**
 * WeChat watches for accounts that send in bursts and restricts them (first delays, then a ban), so every
 * message the assistant sends is paced. The figures are conservative, not documented limits: WeChat publishes none.
 */
export const WECHAT_PACING_DEFAULTS = {
  /** Between any two sends of the account: about three messages a second at most, whoever they go to. */
  globalIntervalMs: 300,
  /** Between two sends to one chat (a resident or a room): a long answer in pieces arrives as a person would type it. */
  perChatIntervalMs: 1_000,
}

export type PacingOptions = typeof WECHAT_PACING_DEFAULTS

interface ChatQueue {
  tail: Promise<void>
  lastSentAt: number
}

/**
 * One queue per chat, in order, and one account-wide turn: a send waits for the chat's previous message and its
 * interval, and only then for the account's turn, so a busy chat never holds the others up.
 * Both intervals are measured between the moments messages actually went out.
 */
export class SendPacer {
  readonly #options: PacingOptions
  readonly #chats = new Map<string, ChatQueue>()
  #accountTail: Promise<void> = Promise.resolve()
  #lastAccountSendAt = Number.NEGATIVE_INFINITY
  #pending = 0
  #idleWaiters: (() => void)[] = []

  constructor(options: Partial<PacingOptions> = {}) {
    this.#options = { ...WECHAT_PACING_DEFAULTS, ...options }
  }

  /** Queues `send` behind the chat's earlier messages; resolves or rejects with it. A failure does not stop the queue. */
  send(chatId: string, send: () => Promise<unknown>): Promise<void> {
    const chat = this.#chats.get(chatId) ?? { tail: Promise.resolve(), lastSentAt: Number.NEGATIVE_INFINITY }
    this.#chats.set(chatId, chat)
    this.#pending += 1
    const result = chat.tail.then(async () => {
      await waitUntil(chat.lastSentAt + this.#options.perChatIntervalMs)
      await this.#accountTurn(async () => {
        chat.lastSentAt = performance.now()
        await send()
      })
    })
    const tail = result.catch(() => undefined)
    chat.tail = tail
    void tail.then(() => {
      this.#pending -= 1
      if (this.#pending === 0) this.#idleWaiters.splice(0).forEach((resolve) => resolve())
      // Forget a quiet chat once its interval has passed, so the map does not keep every chat ever seen.
      setTimeout(() => {
        if (chat.tail === tail) this.#chats.delete(chatId)
      }, this.#options.perChatIntervalMs).unref()
    })
    return result
  }

  /** Resolves once every queued message has been sent or has failed. */
  idle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  #accountTurn(send: () => Promise<void>): Promise<void> {
    const result = this.#accountTail.then(async () => {
      await waitUntil(this.#lastAccountSendAt + this.#options.globalIntervalMs)
      this.#lastAccountSendAt = performance.now()
      await send()
    })
    this.#accountTail = result.catch(() => undefined)
    return result
  }
}

async function waitUntil(time: number): Promise<void> {
  const wait = time - performance.now()
  if (wait > 0) await sleep(Math.ceil(wait))
}
