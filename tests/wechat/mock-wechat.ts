import { randomUUID } from 'node:crypto'
import { PassThrough } from 'node:stream'
import { WechatyBuilder, types, type payloads } from 'wechaty'
import { PuppetMock, mock } from 'wechaty-puppet-mock'
import { WechatAdapter, type WechatAdapterOptions, type WechatyInterface } from '../../adapters/wechat/wechat-adapter'
import type { Assistant } from '../../src/assistant'
import { createLogger } from '../../src/core/logger'

/** A chat as the resident's phone shows it: what the assistant sent there. */
export interface Chat {
  inbox: string[]
}

/** Polls until `condition` holds, instead of sleeping a fixed time; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/**
 * The WeChat adapter over the real assistant, on wechaty-puppet-mock: no network. Pacing, retries and the friend
 * request delay are a few milliseconds and restarts are quick, so that tests run fast; options override anything.
 */
export async function startMockWechat(assistant: Assistant, options: Partial<WechatAdapterOptions> = {}) {
  const mocker = new mock.Mocker()
  const puppet = new PuppetMock({ mocker })
  const wechaty: WechatyInterface = WechatyBuilder.build({ puppet })
  const logs: Record<string, any>[] = []
  const logger = createLogger('debug', { write: (line: string) => void logs.push(JSON.parse(line)) })
  const qrOutput = new PassThrough()
  let qrDrawing = ''
  qrOutput.on('data', (chunk) => { qrDrawing += String(chunk) })
  const adapter = new WechatAdapter({
    wechaty,
    pipeline: assistant.pipeline,
    translate: assistant.translate,
    residents: assistant.residents,
    logger,
    queue: { minGapMs: 1, perChatGapMs: 2, jitterMs: 0, backoffBaseMs: 5 },
    friendDelay: { minMs: 20, maxMs: 30 },
    restart: { firstDelayMs: 20, maxDelayMs: 100 },
    qrOutput,
    ...options,
  })
  await adapter.start()
  const botUser = mocker.createContact({ name: '安居助手' })

  const listen = (target: mock.ContactMock | mock.RoomMock): Chat => {
    const chat: Chat = { inbox: [] }
    target.on('message', (message: mock.MessageMock) => {
      if (message.payload.talkerId === botUser.id) chat.inbox.push(message.payload.text ?? '')
    })
    return chat
  }

  return {
    mocker,
    puppet,
    wechaty,
    adapter,
    botUser,
    logs,
    qrDrawing: () => qrDrawing,
    login: () => mocker.login(botUser),
    /** A resident who is a friend of the assistant, with their private chat. */
    resident(name: string, payload: Partial<payloads.Contact> = {}) {
      const contact = mocker.createContact({ name, ...payload })
      const chat = listen(contact)
      return { contact, chat, say: (text: string) => contact.say(text).to(botUser) }
    },
    /** A room with the assistant and these residents in it. */
    room(members: mock.ContactMock[]) {
      const room = mocker.createRoom({ topic: '安乐新居邻里群', memberIdList: [botUser.id, ...members.map((m) => m.id)] })
      const chat = listen(room)
      const say = (from: mock.ContactMock, text: string, mentionBot = false) => {
        from.say(mentionBot ? `@${botUser.payload.name}\u2005${text}` : text, mentionBot ? [botUser] : []).to(room)
      }
      return { room, chat, say }
    },
    /** A picture, voice message, sticker ... which the mock's `say` cannot produce for every kind. */
    sendMedia(from: mock.ContactMock, type: types.Message) {
      const message = mocker.MessageMock.create({ id: randomUUID(), talkerId: from.id, listenerId: botUser.id, timestamp: Date.now(), type })
      puppet.emit('message', { messageId: message.id })
    },
    /** A friend request, as a real puppet reports it: the mock has no helper for this (puppet-mock issue #49). */
    async friendRequest(from: mock.ContactMock) {
      const id = randomUUID()
      await puppet.friendshipPayload(id, { id, contactId: from.id, hello: '你好', ticket: 't', timestamp: Date.now(), type: types.Friendship.Receive })
      puppet.emit('friendship', { friendshipId: id })
    },
    stop: () => adapter.stop(),
  }
}

export type MockWechat = Awaited<ReturnType<typeof startMockWechat>>
