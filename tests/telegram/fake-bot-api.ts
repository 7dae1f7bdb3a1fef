import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Update } from 'telegraf/types'

export interface ApiCall {
  method: string
  body: Record<string, unknown>
}

type Answer = { ok: true; result: unknown } | { ok: false; error_code: number; description: string; parameters?: Record<string, unknown> }

/**
 * A local stand-in for the Telegram Bot API: records every call (`/bot<token>/<method>` with a JSON body)
 * and answers from per-method queues of canned answers, else with a plausible success.
 */
export class FakeBotApi {
  readonly calls: ApiCall[] = []
  readonly #queued = new Map<string, Answer[]>()
  #server?: Server
  #nextMessageId = 1000

  /** The next call of `method` gets `answer` (queue several for several calls). */
  answerNext(method: string, answer: Answer): void {
    this.#queued.set(method, [...(this.#queued.get(method) ?? []), answer])
  }

  /** Forgets recorded calls and unused canned answers. */
  reset(): void {
    this.calls.length = 0
    this.#queued.clear()
  }

  sent(method = 'sendMessage'): Record<string, unknown>[] {
    return this.calls.filter((call) => call.method === method).map((call) => call.body)
  }

  async start(): Promise<string> {
    this.#server = createServer((request, response) => {
      let raw = ''
      request.on('data', (chunk) => { raw += chunk })
      request.on('end', () => {
        const method = (request.url ?? '').split('/').pop() ?? ''
        const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {}
        this.calls.push({ method, body })
        const answer = this.#queued.get(method)?.shift() ?? this.#defaultAnswer(method, body)
        response.writeHead(answer.ok ? 200 : answer.error_code, { 'content-type': 'application/json' })
        response.end(JSON.stringify(answer))
      })
    })
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.#server!.address() as AddressInfo).port}`
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve())
  }

  #defaultAnswer(method: string, body: Record<string, unknown>): Answer {
    if (method === 'getMe') return { ok: true, result: BOT_INFO }
    if (method === 'sendMessage') {
      return { ok: true, result: { message_id: this.#nextMessageId++, date: 1_795_000_000, chat: { id: body.chat_id, type: 'private' }, text: body.text } }
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
  const command = /^\/\w+/.exec(text)
  const entities = command ? { entities: [{ type: 'bot_command' as const, offset: 0, length: command[0].length }] } : {}
  const quoted = replyTo ? { reply_to_message: { message_id: 1, date: 1_795_000_000, chat: { id: fromId, type: 'private' as const, first_name: '张' }, text: replyTo } } : {}
  return privateMessage(fromId, { text, ...entities, ...quoted }, languageCode)
}

export function buttonUpdate(data: string, fromId = 42) {
  return {
    update_id: updateId++,
    callback_query: {
      id: `cb-${updateId}`,
      from: resident(fromId),
      chat_instance: 'ci-1',
      data,
      message: { message_id: 1, date: 1_795_000_000, chat: { id: fromId, type: 'private' as const, first_name: '张' }, text: '…' },
    },
  }
}

export function photoUpdate(fromId = 42): Update {
  return privateMessage(fromId, { photo: [{ file_id: 'f1', file_unique_id: 'u1', width: 90, height: 90 }] })
}
