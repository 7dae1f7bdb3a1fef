import type { Choice, OutboundReply } from './context'

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

/**
 * The one place a reply is cut into a platform's messages: the text split under `limit` (see `splitText`), the
 * choices with the last piece, and the reply's `tag` at the head of every later piece.
 * @example splitReply({ text: longNotification, tag: 'T261123-0001', choices }, 4000)
 * // [{ text: '【新工单】T261123-0001 …' }, { text: '[T261123-0001] …', choices }]
 */
export function splitReply(reply: OutboundReply, limit: number): { text: string; choices?: Choice[] }[] {
  const prefix = reply.tag ? `[${reply.tag}] ` : ''
  const texts = splitText(reply.text, limit - [...prefix].length)
  return texts.map((text, index) => ({
    text: index > 0 ? `${prefix}${text}` : text,
    ...(index === texts.length - 1 && reply.choices?.length ? { choices: reply.choices } : {}),
  }))
}
