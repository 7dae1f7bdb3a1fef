// What `npm run broadcast` says to community staff, in their language: plain sentences, no raw HTTP.
import type { Locale } from '../knowledge/schemas'

const zh = {
  usage: '用法：npm run broadcast -- 通知文件.yaml [--preview] [--url http://127.0.0.1:3000] [--lang zh-CN|en]（先把 ANJU_TOKEN 设为您的工作人员令牌）',
  needToken: '请先设置 ANJU_TOKEN 为您的工作人员令牌（管理员用 npm run staff:token -- <工号> 生成）。',
  cannotRead: '读不了通知文件 {file}：{reason}',
  problem: '通知文件 {file} 里“{path}”有问题：{reason}',
  unreachable: '连不上 Anju 服务器 {url}。请确认服务器已经启动（npm start），或用 --url 写上正确的地址。',
  unauthorized: '服务器不认这个令牌。请检查 ANJU_TOKEN 是不是您的工作人员令牌。',
  forbidden: '没有权限这样做：{reason}',
  rejected: '服务器没有接受这条通知：{reason}',
  serverError: '服务器出错了（{status}）：{reason}。请稍后再试，或联系管理员。',
  audience: '会发给 {recipients} 人（{channels}）；不会收到：{skipped}',
  none: '没有',
  created: '通知 {id} 已创建，发送时间：{sendAt}',
  bar: '已发 {finished}/{toSend}  成功 {sent}  失败 {failed}  不确定 {unknown}  等待中 {waiting}',
  summaryStatus: '通知{status}：受众共 {total} 人',
  summaryCounts: '  成功 {sent}，失败 {failed}，不确定是否收到（不再重发）{unknown}，还没发出 {waiting}',
  summarySkipped: '  不会收到：{skipped}',
  scheduled: '已定时：服务器会在 {sendAt} 发送。在工作台查看进度：{url}',
  'status.done': '已发完', 'status.cancelled': '已停止', 'status.expired': '已过期',
  'skip.unsubscribed': '已退订', 'skip.blocked': '拉黑了机器人', 'skip.no_channel': '渠道未开通', 'skip.linked': '已合并到另一个账号',
  'channel.telegram': 'Telegram', 'channel.wechat': '微信', 'channel.web': '网页聊天', 'channel.http': '聊天接口',
  'reason.empty': '不能为空', 'reason.tooLong': '太长了', 'reason.missing': '缺少这一项，或写法不对', 'reason.time': '时间要写成 2026-11-28T08:00:00+08:00 这样',
  'reason.unknownKeys': '有不认识的项：{keys}', 'reason.other': '{message}',
  'reason.expiry': '要写 expiresAt（到期时间）或 validForDays（从发送起有效几天，1 到 365），二选一',
}
type Words = typeof zh

const en: Words = {
  usage: 'usage: npm run broadcast -- notice.yaml [--preview] [--url http://127.0.0.1:3000] [--lang zh-CN|en]   (set ANJU_TOKEN to your staff token)',
  needToken: 'Please set ANJU_TOKEN to your staff token (an admin makes one with npm run staff:token -- <id>).',
  cannotRead: 'Cannot read the notice file {file}: {reason}',
  problem: 'In the notice file {file}, "{path}" is not right: {reason}',
  unreachable: 'Cannot reach the Anju server at {url}. Is it running (npm start)? Use --url to give the right address.',
  unauthorized: 'The server does not know this token. Please check that ANJU_TOKEN is your staff token.',
  forbidden: 'You may not do this: {reason}',
  rejected: 'The server did not accept the notice: {reason}',
  serverError: 'The server had a problem ({status}): {reason}. Please try again later or ask an admin.',
  audience: 'Reaches {recipients} residents ({channels}); will not receive it: {skipped}',
  none: 'none',
  created: 'Notice {id} created, sending at {sendAt}',
  bar: 'sent {finished}/{toSend}  ok {sent}  failed {failed}  unknown {unknown}  waiting {waiting}',
  summaryStatus: 'Notice {status}: {total} in the audience',
  summaryCounts: '  delivered {sent}, failed {failed}, sent-unknown (not sent again) {unknown}, waiting (not sent yet) {waiting}',
  summarySkipped: '  will not receive it: {skipped}',
  scheduled: 'Scheduled: the server sends it at {sendAt}. Follow it in the console: {url}',
  'status.done': 'done', 'status.cancelled': 'stopped', 'status.expired': 'expired',
  'skip.unsubscribed': 'unsubscribed', 'skip.blocked': 'blocked the bot', 'skip.no_channel': 'channel not running', 'skip.linked': 'linked to another account',
  'channel.telegram': 'Telegram', 'channel.wechat': 'WeChat', 'channel.web': 'web chat', 'channel.http': 'chat API',
  'reason.empty': 'must not be empty', 'reason.tooLong': 'is too long', 'reason.missing': 'is missing or not written right', 'reason.time': 'write the time like 2026-11-28T08:00:00+08:00',
  'reason.unknownKeys': 'unknown entries: {keys}', 'reason.other': '{message}',
  'reason.expiry': 'give expiresAt (when it ends) or validForDays (days from sending, 1 to 365), one of them',
}

export type CliWords = (key: keyof Words, values?: Record<string, string | number>) => string

/** The user's language: --lang, else ANJU_LANG, else the system's (LC_ALL, LC_MESSAGES, LANG); Chinese by default. */
export function cliLocale(argv: string[], env: Record<string, string | undefined>): Locale {
  const flag = argv.indexOf('--lang')
  const wanted = (flag >= 0 ? argv[flag + 1] : undefined) ?? env.ANJU_LANG ?? env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG ?? ''
  return /^en/i.test(wanted) ? 'en' : 'zh-CN'
}

export function cliWords(locale: Locale): CliWords {
  const words = locale === 'en' ? en : zh
  return (key, values = {}) => (words[key] ?? key).replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''))
}
