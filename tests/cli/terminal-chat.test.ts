import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { runTerminalChat } from '../../adapters/cli/terminal-chat'
import { useTestAssistant } from '../helpers'

describe('terminal chat', () => {
  const workspace = useTestAssistant()

  it('answers typed questions over the pipeline, switches language and quits', async () => {
    const { assistant } = workspace
    const input = new PassThrough()
    const output = new PassThrough()
    let printed = ''
    output.on('data', (chunk) => { printed += String(chunk) })
    const done = runTerminalChat({ pipeline: assistant.pipeline, translate: assistant.translate, input, output, locale: 'zh-CN', userId: 'staff-1' })
    input.end(['培训补贴怎么领', '   ', '/en', 'I want to talk to a caseworker', '/quit', '这句不会被处理'].join('\n'))
    await done

    expect(printed).toContain('安居助手（终端版）')
    expect(printed).toContain('安居> ')
    expect(printed).toContain('人社')
    expect(printed).toContain('Anju (terminal)')
    expect(printed).toContain('Anju> ')
    expect(printed).toContain('Goodbye!')
    const turns = (await assistant.conversations.listTurns()).filter((turn) => turn.channel === 'cli')
    expect(turns.map((turn) => [turn.channelUserId, turn.text, turn.intent, turn.locale])).toEqual([
      ['staff-1', '培训补贴怎么领', 'training_subsidy', 'zh-CN'],
      ['staff-1', 'I want to talk to a caseworker', 'escalation', 'en'],
    ])
  })
})
