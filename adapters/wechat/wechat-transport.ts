import type { Contact, Room, Wechaty } from 'wechaty'
import type { OutboundReply } from '../../src/core/context'
import { choicesAsCommands, choicesAsText, splitReply } from '../../src/core/outbound'
import type { AttemptOutcome, Audience, ChannelTransport } from '../../src/delivery/types'

/** A reply to WeChat; in a room, `mention` (a contact id) is @-mentioned on the first piece. */
export type WechatReply = OutboundReply & { mention?: string }

export interface WechatPiece {
  text: string
  mention?: string
}

/**
 * Replies as WeChat messages: no buttons, so choices become a numbered list (commands for staff), split under
 * `maxChars`. A puppet's error says nothing about whether the message arrived, so it is `unknown` (retried for
 * answers, not for notices), unless the contact is gone or no longer a friend.
 */
export class WechatTransport implements ChannelTransport<WechatPiece> {
  readonly #bot: Wechaty
  readonly #maxChars: number
  readonly #hintFor: (recipient: string) => Promise<string>

  /** `hintFor` gives the "answer with a number" line in the recipient's language. */
  constructor(bot: Wechaty, maxChars: number, hintFor: (recipient: string) => Promise<string>) {
    this.#bot = bot
    this.#maxChars = maxChars
    this.#hintFor = hintFor
  }

  async pieces(recipient: string, reply: WechatReply, audience: Audience): Promise<WechatPiece[]> {
    const text = !reply.choices?.length ? reply.text : audience === 'staff' ? choicesAsCommands(reply) : choicesAsText(reply, await this.#hintFor(recipient))
    return splitReply({ text, ...(reply.tag ? { tag: reply.tag } : {}) }, this.#maxChars)
      .map((piece, index) => (index === 0 && reply.mention ? { text: piece.text, mention: reply.mention } : { text: piece.text }))
  }

  async send(recipient: string, piece: WechatPiece): Promise<AttemptOutcome> {
    const chat: Room | Contact | undefined = recipient.endsWith('@chatroom')
      ? await this.#bot.Room.find({ id: recipient })
      : await this.#bot.Contact.find({ id: recipient })
    if (!chat) return { kind: 'unreachable', reason: `no WeChat contact or room ${recipient}` }
    try {
      const mention = piece.mention && chat instanceof this.#bot.Room ? await this.#bot.Contact.find({ id: piece.mention }) : undefined
      await (mention ? (chat as Room).say(piece.text, mention) : chat.say(piece.text))
      return { kind: 'sent' }
    } catch (error) {
      if (chat instanceof this.#bot.Contact && chat.friend() === false) return { kind: 'unreachable', reason: `not a friend any more: ${(error as Error).message}` }
      return { kind: 'unknown', reason: (error as Error).message }
    }
  }
}
