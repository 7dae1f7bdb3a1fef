import { userInfo } from 'node:os'
import { createInterface } from 'node:readline/promises'
import { choicesAsText } from '../../src/core/outbound'
import type { Translate } from '../../src/i18n'
import type { Locale } from '../../src/knowledge/schemas'
import type { Pipeline } from '../../src/pipeline/pipeline'

export interface TerminalChatOptions {
  pipeline: Pipeline
  translate: Translate
  input: NodeJS.ReadableStream
  output: NodeJS.WritableStream
  locale: Locale
  /** Who is typing; the conversation record keeps it as the channel user id. */
  userId?: string
}

const COMMAND_LOCALES: Record<string, Locale> = { '/zh': 'zh-CN', '/en': 'en' }

/** A chat in the terminal over the same pipeline as every channel: for staff, demos and tests. */
export async function runTerminalChat(options: TerminalChatOptions): Promise<void> {
  const { pipeline, translate, output } = options
  let locale = options.locale
  const userId = options.userId ?? safeUserName()
  const lines = createInterface({ input: options.input, output, terminal: false })
  const say = (text: string) => output.write(`${text}\n`)

  say(translate(locale, 'cli.welcome'))
  for await (const line of lines) {
    const text = line.trim()
    if (!text) continue
    if (text === '/quit') break
    const switched = COMMAND_LOCALES[text]
    if (switched) {
      locale = switched
      say(translate(locale, 'cli.welcome'))
      continue
    }
    try {
      const ctx = await pipeline.handle({ channel: 'cli', channelUserId: userId, text, locale, receivedAt: new Date() })
      const hint = translate(ctx.locale, 'choices.hint')
      for (const reply of ctx.replies) say(`${translate(ctx.locale, 'cli.prompt')}${choicesAsText(reply, hint)}\n`)
    } catch {
      say(translate(locale, 'error.internal'))
    }
  }
  say(translate(locale, 'cli.bye'))
  lines.close()
}

function safeUserName(): string {
  try {
    return userInfo().username
  } catch {
    return 'staff'
  }
}
