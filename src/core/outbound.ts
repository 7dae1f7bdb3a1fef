import type { OutboundReply } from './context'

/**
 * A reply for a channel without buttons: its choices become a numbered list under the text,
 * and the resident answers with the number (see `resolveChoice`).
 * @example choicesAsText({ text: '请选择', choices: [{ label: '中文', value: '/lang zh-CN' }] }, '回复数字选择：')
 * // '请选择\n\n回复数字选择：\n1. 中文'
 */
export function choicesAsText(reply: OutboundReply, hint: string): string {
  if (!reply.choices?.length) return reply.text
  const list = reply.choices.map((choice, index) => `${index + 1}. ${choice.label}`).join('\n')
  return `${reply.text}\n\n${hint}\n${list}`
}

/**
 * A reply for a staff member on a channel without buttons: each choice shown with the command that does it.
 * @example choicesAsCommands({ text: '新工单', choices: [{ label: '接单', value: '/take T261123-0001' }] })
 * // '新工单\n接单：/take T261123-0001'
 */
export function choicesAsCommands(reply: OutboundReply): string {
  if (!reply.choices?.length) return reply.text
  return `${reply.text}\n${reply.choices.map((choice) => `${choice.label}：${choice.value}`).join('\n')}`
}

/**
 * Splits text into pieces of at most `limit` characters for platforms with a message size limit,
 * preferring paragraph, then line, then sentence breaks, and never cutting a character (emoji included) in two.
 */
export function splitText(text: string, limit: number): string[] {
  const pieces: string[] = []
  let rest = text
  while ([...rest].length > limit) {
    const head = [...rest].slice(0, limit).join('')
    const cut = Math.max(head.lastIndexOf('\n\n'), head.lastIndexOf('\n'), ...['。', '！', '？', '. '].map((mark) => head.lastIndexOf(mark) + mark.length - 1))
    const at = cut > head.length / 2 ? cut + 1 : head.length
    pieces.push(head.slice(0, at).trimEnd())
    rest = rest.slice(at).trimStart()
  }
  if (rest) pieces.push(rest)
  return pieces
}
