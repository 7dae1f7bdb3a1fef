import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Update } from 'telegraf/types'

export interface ApiCall {
  method: string
  body: Record<string, unknown>
}

type Answer = { ok: true; result: unknown } | { ok: false; error_code: number; description: string; parameters?: Record<string, unknown> }

/**
 * What the fake does to a request a fault matches, the ways Telegram (or the network to it) misbehaves:
 * - `error`: a Bot API error answer (429 with `retry_after`, 5xx, 403 ...): nothing delivered;
 * - `drop`: the connection is cut before the request is processed: nothing delivered;
 * - `lose`: the message is delivered, then the connection is cut before the answer: delivered, the bot cannot know;
 * - `slow`: delivered and answered after `ms`;
 * - `html`: a gateway's non-JSON answer with this status: nothing delivered.
 */
export type Fault =
  | { kind: 'error'; code: number; description: string; retryAfter?: number }
  | { kind: 'drop' }
  | { kind: 'lose' }
  | { kind: 'slow'; ms: number }
  | { kind: 'html'; status: number }

interface FaultRule {
  method: string
  chatId?: string
  fault: Fault
  times: number
}

/**
 * A local stand-in for the Telegram Bot API: records every call (`/bot<token>/<method>` with a JSON body), keeps
 * what it delivered per chat, serves getUpdates from `pushUpdate`, and injects faults per method and chat.
 * `refuse()` closes the port (connections refused) until `accept()`.
 */
export class FakeBotApi {
  readonly calls: ApiCall[] = []
  /** Messages the fake accepted, in order: what residents' phones show. */
  readonly delivered: { chatId: string; text: string; body: Record<string, unknown> }[] = []
  readonly #queued = new Map<string, Answer[]>()
  readonly #faults: FaultRule[] = []
  readonly #updates: Update[] = []
  readonly #sockets = new Set<Socket>()
  #server?: Server
  #port = 0
  #nextMessageId = 1000
  /** Slow answers the fake is still holding back. */
  holding = 0

  /** The next call of `method` gets `answer` (queue several for several calls). */
  answerNext(method: string, answer: Answer): void {
    this.#queued.set(method, [...(this.#queued.get(method) ?? []), answer])
  }

  /** The next `times` calls of `method` (to `chatId`, if given) meet `fault`. */
  fault(method: string, fault: Fault, options: { chatId?: number | string; times?: number } = {}): void {
    this.#faults.push({ method, fault, chatId: options.chatId === undefined ? undefined : String(options.chatId), times: options.times ?? 1 })
  }

  /** An update for the bot's next getUpdates. */
  pushUpdate(update: Update): void {
    this.#updates.push(update)
  }

  /** Forgets recorded calls, deliveries, faults and unused canned answers. */
  reset(): void {
    this.calls.length = 0
    this.delivered.length = 0
    this.#faults.length = 0
    this.#queued.clear()
  }

  sent(method = 'sendMessage'): Record<string, unknown>[] {
    return this.calls.filter((call) => call.method === method).map((call) => call.body)
  }

  /** The texts delivered to one chat, in order. */
  deliveredTo(chatId: number | string): string[] {
    return this.delivered.filter((m) => m.chatId === String(chatId)).map((m) => m.text)
  }

  async start(): Promise<string> {
    this.#server = createServer((request, response) => {
      let raw = ''
      request.on('data', (chunk) => { raw += chunk })
      request.on('end', () => void this.#handle(request.url ?? '', raw, response))
    })
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket)
      socket.on('close', () => this.#sockets.delete(socket))
    })
    await new Promise<void>((resolve) => this.#server!.listen(this.#port, '127.0.0.1', resolve))
    this.#port = (this.#server.address() as AddressInfo).port
    return `http://127.0.0.1:${this.#port}`
  }

  /** The port closes: every connection is refused until `accept()`. */
  async refuse(): Promise<void> {
    await this.stop()
  }

  /** Listens again on the same port. */
  async accept(): Promise<void> {
    await this.start()
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy()
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve())
    this.#server = undefined
  }

  async #handle(url: string, raw: string, response: import('node:http').ServerResponse): Promise<void> {
    const method = url.split('/').pop() ?? ''
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {}
    this.calls.push({ method, body })
    const fault = this.#takeFault(method, body)
    if (fault?.kind === 'drop') return void response.socket?.destroy()
    if (fault?.kind === 'html') {
      response.writeHead(fault.status, { 'content-type': 'text/html' })
      return void response.end('<html><body>Bad Gateway</body></html>')
    }
    if (fault?.kind === 'error') {
      const parameters = fault.retryAfter !== undefined ? { parameters: { retry_after: fault.retryAfter } } : {}
      return this.#answer(response, { ok: false, error_code: fault.code, description: fault.description, ...parameters })
    }
    const answer = this.#queued.get(method)?.shift() ?? (await this.#defaultAnswer(method, body))
    if (answer.ok && method === 'sendMessage') this.delivered.push({ chatId: String(body.chat_id), text: String(body.text), body })
    if (fault?.kind === 'lose') return void response.socket?.destroy()
    if (fault?.kind === 'slow') {
      this.holding += 1
      await new Promise((resolve) => setTimeout(resolve, fault.ms).unref())
      this.holding -= 1
    }
    if (!response.destroyed) this.#answer(response, answer)
  }

  #takeFault(method: string, body: Record<string, unknown>): Fault | undefined {
    const rule = this.#faults.find((r) => r.method === method && (r.chatId === undefined || r.chatId === String(body.chat_id)) && r.times > 0)
    if (!rule) return undefined
    rule.times -= 1
    return rule.fault
  }

  #answer(response: import('node:http').ServerResponse, answer: Answer): void {
    response.writeHead(answer.ok ? 200 : answer.error_code, { 'content-type': 'application/json' })
    response.end(JSON.stringify(answer))
  }

  async #defaultAnswer(method: string, body: Record<string, unknown>): Promise<Answer> {
    if (method === 'getMe') return { ok: true, result: BOT_INFO }
    if (method === 'sendMessage') {
      return { ok: true, result: { message_id: this.#nextMessageId++, date: 1_795_000_000, chat: { id: body.chat_id, type: 'private' }, text: body.text } }
    }
    if (method === 'getUpdates') {
      const offset = Number(body.offset ?? 0)
      // A short long poll: enough for the bot to come back, never long enough to slow a test.
      if (!this.#updates.some((u) => u.update_id >= offset)) await new Promise((resolve) => setTimeout(resolve, 20))
      return { ok: true, result: this.#updates.filter((u) => u.update_id >= offset) }
    }
    return { ok: true, result: true }
  }
}

export const BOT_INFO = {
  id: 7000001,
  is_bot: true,
  first_name: 'Anju',
  username: 'anju_test_bot',
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
}

let updateId = 1
const resident = (id: number, languageCode = 'zh-hans') => ({ id, is_bot: false, first_name: '张', last_name: '阿姨', language_code: languageCode })

/** A message update in a resident's private chat, with the given content. */
function privateMessage(fromId: number, content: object, languageCode?: string): Update {
  return {
    update_id: updateId++,
    message: { message_id: updateId, date: 1_795_000_000, chat: { id: fromId, type: 'private' as const, first_name: '张' }, from: resident(fromId, languageCode), ...content },
  } as Update
}

/** A private text message update, with a bot_command entity when it starts with "/". */
export function textUpdate(text: string, fromId = 42, languageCode?: string, replyTo?: string): Update {
  const command = /^\/\w+(@\w+)?/.exec(text)
  const entities = command ? { entities: [{ type: 'bot_command' as const, offset: 0, length: command[0].length }] } : {}
  const quoted = replyTo ? { reply_to_message: { message_id: 1, date: 1_795_000_000, chat: { id: fromId, type: 'private' as const, first_name: '张' }, text: replyTo } } : {}
  return privateMessage(fromId, { text, ...entities, ...quoted }, languageCode)
}

/** A text message in a group chat. */
export function groupTextUpdate(text: string, groupId = -100123, fromId = 42): Update {
  const command = /^\/\w+(@\w+)?/.exec(text)
  const entities = command ? { entities: [{ type: 'bot_command' as const, offset: 0, length: command[0].length }] } : {}
  return {
    update_id: updateId++,
    message: { message_id: updateId, date: 1_795_000_000, chat: { id: groupId, type: 'group' as const, title: '邻里群' }, from: resident(fromId), text, ...entities },
  } as Update
}

/** A button press; `keyboard` is the inline keyboard of the message it was under. */
export function buttonUpdate(data: string, fromId = 42, keyboard?: { text: string; callback_data: string }[][]) {
  return {
    update_id: updateId++,
    callback_query: {
      id: `cb-${updateId}`,
      from: resident(fromId),
      chat_instance: 'ci-1',
      data,
      message: {
        message_id: 1, date: 1_795_000_000, chat: { id: fromId, type: 'private' as const, first_name: '张' }, text: '…',
        ...(keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {}),
      },
    },
  }
}

/** The resident blocked the bot (`kicked`) or unblocked it (`member`). */
export function chatMemberUpdate(fromId: number, status: 'kicked' | 'member'): Update {
  const member = (s: string) => ({ user: { ...BOT_INFO }, status: s })
  return {
    update_id: updateId++,
    my_chat_member: {
      chat: { id: fromId, type: 'private' as const, first_name: '张' }, from: resident(fromId), date: 1_795_000_000,
      old_chat_member: member(status === 'kicked' ? 'member' : 'kicked'), new_chat_member: member(status),
    },
  } as unknown as Update
}

export function photoUpdate(fromId = 42): Update {
  return privateMessage(fromId, { photo: [{ file_id: 'f1', file_unique_id: 'u1', width: 90, height: 90 }] })
}
