/** The console's own words, for staff, in zh-CN and en. Residents' words live in knowledge/messages. */
export type Locale = 'zh-CN' | 'en'
export type Localized = { 'zh-CN': string; en?: string }

const zh = {
  appName: '安居助手', appSub: '工作台', skip: '跳到正文',
  signInTitle: '工作人员登录', tokenLabel: '工作人员令牌', tokenHint: '由管理员用 npm run staff:token 生成；只在本机保存为会话，关闭浏览器或长时间不用会自动退出。',
  signIn: '登录', signOut: '退出', signInFailed: '令牌不对，请检查后再试。', signedOutIdle: '您已经很久没有操作，为了安全已自动退出，请重新登录。',
  nav: '主菜单', navInbox: '工单', navNotices: '通知', navKnowledge: '知识库', navReports: '报表', language: '语言',
  unread: '{n} 条未读', alertsOn: '开启桌面提醒', alertsEnabled: '桌面提醒已开启', alertsBlocked: '浏览器已禁止提醒，请在浏览器设置里允许',
  network: '连接不上服务器，请检查网络。', failed: '没有办成：{reason}', loading: '正在加载…', saved: '已保存',
  // inbox
  inboxTitle: '工单', filters: '筛选', status: '状态', settlement: '安置区', topic: '类别', priority: '紧急程度', overdueOnly: '只看超时',
  who: '经办', whoAll: '全部', whoMine: '我的', whoUnassigned: '待分派', any: '全部',
  unresolved: '未办结', allStatuses: '所有状态', countUnresolved: '未办结', countOverdue: '超时', countUrgent: '紧急', countMine: '我的', countUnassigned: '待分派',
  noTickets: '没有符合条件的工单。', showing: '共 {n} 条', due: '时限', dueIn: '还剩 {t}', overdueBy: '已超时 {t}', unreadMark: '未读', residentAdded: '居民补充 {n} 条',
  shortcuts: '快捷键', shortcutsHelp: 'j / k 上下移动 · Enter 打开 · m 我的 · u 待分派 · a 全部 · o 只看超时 · r 刷新 · / 筛选 · ? 帮助 · Esc 返回',
  live: '实时', liveOff: '实时连接已断开，正在重连…', newAlert: { new: '新工单', urgent: '紧急工单', reopened: '居民反馈未解决', assigned: '转派给您', overdue: '工单超时', overdue_supervisor: '超时督办', merged: '居民补充', undelivered: '回复未送达', delivery_failed: '回复发送失败' } as Record<string, string>,
  'status.open': '待分派', 'status.assigned': '已分派', 'status.in_progress': '处理中', 'status.resolved': '已办结', 'status.closed': '已关闭', 'status.reopened': '重新打开',
  'priority.urgent': '紧急', 'priority.normal': '一般', unassigned: '未分派', hours: '{n} 小时', minutes: '{n} 分钟', days: '{n} 天',
  // ticket
  back: '返回工单列表', residentWords: '居民原话', conversation: '对话摘录（转人工前的对话，含预先估算的问答和结果）', history: '处理记录', noConversation: '没有对话记录。',
  channel: '渠道', residentLanguage: '居民语言', location: '楼栋和房号', locationNone: '居民没有说明', building: '楼栋', room: '房号', created: '提交时间', assignee: '经办人',
  take: '我来接单', assign: '分派给', assignDo: '分派', reply: '回复居民', replyHint: '居民会在{channel}上收到，用{language}写最好。', replySend: '发送回复', replyText: '回复内容', noteText: '备注内容', canned: '常用回复', cannedPick: '选择一条常用回复…',
  note: '内部备注', noteHint: '居民看不到。', noteAdd: '添加备注', resolve: '办结', resolveNote: '办结说明', resolveHint: '必填：回访居民时会原样告诉居民办了什么。', resolveDo: '办结并回访',
  reopen: '重新打开', merge: '合并重复工单', mergeHint: '把这张工单作为重复单并入另一张未办结的工单，这张会关闭。', mergeInto: '并入', mergeDo: '合并', mergeNone: '没有可能重复的工单；也可以直接输入工单号。', mergeConfirm: '确定把 {id} 并入 {into} 吗？这张工单会关闭。',
  mergedInto: '已并入 {id}', resolution: '办结说明', satisfaction: '回访结果', solvedYes: '居民说：解决了', solvedNo: '居民说：还没解决', actions: '操作',
  'event.created': '居民提交', 'event.assigned': '分派给 {detail}', 'event.status': '状态改为 {detail}', 'event.reply': '回复居民', 'event.note': '内部备注', 'event.notification_queued': '已通知 {detail}',
  'event.overdue_alert': '超时提醒（{detail}）', 'event.return_visit': '回访：{detail}', 'event.resident_message': '居民补充', 'event.merged_into': '并入 {detail}', 'event.merged_from': '合并了 {detail}', 'event.resolution': '办结说明',
  'event.delivery': '{detail}', 'delivery.delivered': '已送达居民', 'delivery.held': '居民暂时收不到，等居民再发消息时自动补发', 'delivery.failed': '没能送达居民',
  actorResident: '居民', actorSystem: '系统', done: '已完成', sentToResident: '回复已发出，居民会在自己的渠道收到。', language_zh: '中文', language_en: '英文',
  channel_web: '网页聊天', channel_http: '聊天接口', channel_telegram: 'Telegram', channel_wechat: '微信', channel_cli: '终端',
  // notices
  noticesTitle: '社区通知', newNotice: '写新通知', noticeList: '已发通知', noNotices: '还没有通知。', titleZh: '标题（中文）', titleEn: '标题（英文，可不填）', bodyZh: '正文（中文）', bodyEn: '正文（英文，可不填）',
  audience: '发给谁', allSettlements: '所有安置区', tags: '只发给关注这些内容的居民（不选就是全部订阅居民）', sendAt: '发送时间', sendNow: '现在发送', sendLater: '定时发送', sendAtTime: '发送时间（北京时间）',
  expiresAt: '有效期至（北京时间）', preview: '看看会发给多少人', previewResult: '会发给 {n} 人', byChannel: '按渠道', skipped: '不会收到的人', send: '发送通知', schedule: '定时发送',
  'skip.unsubscribed': '已退订', 'skip.blocked': '拉黑了机器人', 'skip.no_channel': '渠道未开通', 'skip.linked': '已合并到另一个账号',
  confirmNobody: '这条通知现在不会发给任何人（{reason}）。还要发送吗？', confirmNobodyReason: '没有符合条件的订阅居民', confirmSend: '仍然发送', cancel: '取消', cancelNotice: '停止发送',
  cancelConfirm: '确定停止这条通知吗？已经发出的收不回来。', progress: '发送进度', sent: '已发送', failedCount: '失败', retrying: '重试中', queued: '排队中', sendingUnknown: '中断未知',
  'nstatus.scheduled': '待发送', 'nstatus.sending': '发送中', 'nstatus.done': '已发完', 'nstatus.cancelled': '已停止', 'nstatus.expired': '已过期', author: '发布人', caseworkerNotices: '社工可以查看通知和受众；发通知请找主管。',
  // knowledge
  knowledgeTitle: '知识库', unansweredTitle: '居民问了但没答上的问题', unansweredHint: '相似的问法合并在一起，问得最多的在前。', asked: '{n} 次', variants: '其他问法',
  lastAsked: '最近一次', from: '从', to: '到', show: '查看', noUnanswered: '这段时间没有没答上的问题。', reloadTitle: '重新加载知识库', reloadHint: '改完 knowledge/ 或 intents/ 里的文件后点这里，不用重启。文件有错时不会替换，并列出要改的地方。',
  reloadDo: '重新加载', reloadOk: '已加载：{intents} 个意图，{topics} 个主题。', reloadFailed: '没有加载，请先改正这些问题：', supervisorsOnly: '这一页给主管和管理员用。',
  // reports
  reportsTitle: '报表', reportsHint: '按北京时间统计，“到”那天整天都算在内。', csv: '下载 CSV', total: '工单数', firstAnswer: '首次答复（中位数）', resolutionTime: '办结用时（中位数）',
  overdueRate: '超时率', satisfactionRate: '回访满意率', byTopicMonth: '每月工单：按类别', bySettlementMonth: '每月工单：按安置区', timesMonth: '每月用时（小时，中位数）',
  assessmentTitle: '考核指标', assessmentHint: '按受理月份：响应率（时限内首次答复）、按时办结率、办结率、满意率（回访说解决了）。',
  assessmentBySettlement: '{month} 各安置区考核', assessmentByCaseworker: '{month} 各工作人员考核', settlementCol: '安置区', caseworkerCol: '工作人员',
  responseRate: '响应率', onTimeRate: '按时办结率', resolutionRate: '办结率', ticketsCount: '{n} 件',
  overdueMonth: '每月超时率', satisfactionMonth: '每月回访：说解决了的比例', month: '月份', asTable: '以表格查看', noData: '没有数据', answeredVisits: '{n} 人回答了回访',
  hoursShort: '{n} 小时', other: '其他', unknownSettlement: '未知',
}

type Messages = typeof zh
const en: Messages = {
  appName: 'Anju', appSub: 'Staff console', skip: 'Skip to content',
  signInTitle: 'Staff sign-in', tokenLabel: 'Staff token', tokenHint: 'Made by an admin with npm run staff:token. It becomes a session on this browser only; closing the browser or a long pause signs you out.',
  signIn: 'Sign in', signOut: 'Sign out', signInFailed: 'That token is not right. Please check it and try again.', signedOutIdle: 'You were signed out after a long pause, for safety. Please sign in again.',
  nav: 'Main menu', navInbox: 'Tickets', navNotices: 'Notices', navKnowledge: 'Knowledge', navReports: 'Reports', language: 'Language',
  unread: '{n} unread', alertsOn: 'Turn on desktop alerts', alertsEnabled: 'Desktop alerts on', alertsBlocked: 'The browser blocks alerts: allow them in its settings',
  network: 'Cannot reach the server. Please check the network.', failed: 'Not done: {reason}', loading: 'Loading…', saved: 'Saved',
  inboxTitle: 'Tickets', filters: 'Filters', status: 'Status', settlement: 'Settlement', topic: 'Topic', priority: 'Priority', overdueOnly: 'Overdue only',
  who: 'Assignee', whoAll: 'All', whoMine: 'Mine', whoUnassigned: 'Unassigned', any: 'Any',
  unresolved: 'Unresolved', allStatuses: 'All statuses', countUnresolved: 'Unresolved', countOverdue: 'Overdue', countUrgent: 'Urgent', countMine: 'Mine', countUnassigned: 'Unassigned',
  noTickets: 'No tickets match.', showing: '{n} tickets', due: 'Due', dueIn: '{t} left', overdueBy: 'overdue by {t}', unreadMark: 'Unread', residentAdded: '{n} new from the resident',
  shortcuts: 'Shortcuts', shortcutsHelp: 'j / k move · Enter open · m mine · u unassigned · a all · o overdue · r refresh · / filters · ? help · Esc back',
  live: 'Live', liveOff: 'Live updates lost, reconnecting…', newAlert: { new: 'New ticket', urgent: 'Urgent ticket', reopened: 'Resident says not solved', assigned: 'Assigned to you', overdue: 'Ticket overdue', overdue_supervisor: 'Overdue, please follow up', merged: 'Resident added more', undelivered: 'Reply not delivered yet', delivery_failed: 'Reply could not be sent' },
  'status.open': 'Open', 'status.assigned': 'Assigned', 'status.in_progress': 'In progress', 'status.resolved': 'Resolved', 'status.closed': 'Closed', 'status.reopened': 'Reopened',
  'priority.urgent': 'Urgent', 'priority.normal': 'Normal', unassigned: 'Unassigned', hours: '{n} h', minutes: '{n} min', days: '{n} d',
  back: 'Back to tickets', residentWords: "The resident's words", conversation: 'Conversation before the hand-over (with any pre-check answers and result)', history: 'History', noConversation: 'No conversation recorded.',
  channel: 'Channel', residentLanguage: "Resident's language", location: 'Building and room', locationNone: 'Not given', building: 'Building', room: 'Room', created: 'Submitted', assignee: 'Assignee',
  take: 'Take it', assign: 'Assign to', assignDo: 'Assign', reply: 'Reply to the resident', replyHint: 'The resident gets it on {channel}; write in {language} if you can.', replySend: 'Send reply', replyText: 'Your answer', noteText: 'Note', canned: 'Canned replies', cannedPick: 'Pick a canned reply…',
  note: 'Internal note', noteHint: 'The resident does not see it.', noteAdd: 'Add note', resolve: 'Resolve', resolveNote: 'Resolution note', resolveHint: 'Required: the return visit tells the resident exactly this.', resolveDo: 'Resolve and ask the resident',
  reopen: 'Reopen', merge: 'Merge a duplicate', mergeHint: 'Close this ticket as a duplicate of another open ticket.', mergeInto: 'Merge into', mergeDo: 'Merge', mergeNone: 'No likely duplicates; you can type a ticket id.', mergeConfirm: 'Merge {id} into {into}? This ticket will be closed.',
  mergedInto: 'Merged into {id}', resolution: 'Resolution', satisfaction: 'Return visit', solvedYes: 'Resident: solved', solvedNo: 'Resident: not solved', actions: 'Actions',
  'event.created': 'Submitted by the resident', 'event.assigned': 'Assigned to {detail}', 'event.status': 'Status: {detail}', 'event.reply': 'Reply to the resident', 'event.note': 'Internal note', 'event.notification_queued': 'Notified {detail}',
  'event.overdue_alert': 'Overdue alert ({detail})', 'event.return_visit': 'Return visit: {detail}', 'event.resident_message': 'Resident added', 'event.merged_into': 'Merged into {detail}', 'event.merged_from': 'Merged {detail}', 'event.resolution': 'Resolution',
  'event.delivery': '{detail}', 'delivery.delivered': 'Delivered to the resident', 'delivery.held': 'The resident cannot be reached now; it goes out when they write again', 'delivery.failed': 'Could not be delivered',
  actorResident: 'Resident', actorSystem: 'System', done: 'Done', sentToResident: 'Reply sent: the resident gets it on their own channel.', language_zh: 'Chinese', language_en: 'English',
  channel_web: 'web chat', channel_http: 'chat API', channel_telegram: 'Telegram', channel_wechat: 'WeChat', channel_cli: 'terminal',
  noticesTitle: 'Community notices', newNotice: 'New notice', noticeList: 'Notices', noNotices: 'No notices yet.', titleZh: 'Title (Chinese)', titleEn: 'Title (English, optional)', bodyZh: 'Text (Chinese)', bodyEn: 'Text (English, optional)',
  audience: 'Audience', allSettlements: 'Every settlement', tags: 'Only residents interested in (none: every subscriber)', sendAt: 'When', sendNow: 'Send now', sendLater: 'Schedule', sendAtTime: 'Send at (China time)',
  expiresAt: 'Valid until (China time)', preview: 'Check the audience', previewResult: 'Reaches {n} residents', byChannel: 'By channel', skipped: 'Will not receive it', send: 'Send notice', schedule: 'Schedule',
  'skip.unsubscribed': 'unsubscribed', 'skip.blocked': 'blocked the bot', 'skip.no_channel': 'channel not running', 'skip.linked': 'linked to another account',
  confirmNobody: 'This notice reaches nobody now ({reason}). Send it anyway?', confirmNobodyReason: 'no subscribed resident matches', confirmSend: 'Send anyway', cancel: 'Cancel', cancelNotice: 'Stop sending',
  cancelConfirm: 'Stop this notice? What was sent cannot be called back.', progress: 'Delivery', sent: 'Sent', failedCount: 'Failed', retrying: 'Retrying', queued: 'Queued', sendingUnknown: 'Interrupted',
  'nstatus.scheduled': 'Scheduled', 'nstatus.sending': 'Sending', 'nstatus.done': 'Done', 'nstatus.cancelled': 'Stopped', 'nstatus.expired': 'Expired', author: 'Author', caseworkerNotices: 'Caseworkers can read notices and check audiences; a supervisor sends them.',
  knowledgeTitle: 'Knowledge', unansweredTitle: 'Questions Anju could not answer', unansweredHint: 'Alike questions are grouped; the most frequent first.', asked: '{n}×', variants: 'Also asked as',
  lastAsked: 'Last asked', from: 'From', to: 'To', show: 'Show', noUnanswered: 'No unanswered questions in this period.', reloadTitle: 'Reload the knowledge base', reloadHint: 'After editing files in knowledge/ or intents/, reload here without a restart. A file with errors is not taken; the list says what to fix.',
  reloadDo: 'Reload', reloadOk: 'Loaded: {intents} intents, {topics} topics.', reloadFailed: 'Not loaded. Please fix these first:', supervisorsOnly: 'This page is for supervisors and admins.',
  reportsTitle: 'Reports', reportsHint: 'Counted in China time; the "to" day is included in full.', csv: 'Download CSV', total: 'Tickets', firstAnswer: 'First answer (median)', resolutionTime: 'Resolution (median)',
  overdueRate: 'Overdue rate', satisfactionRate: 'Solved at return visit', byTopicMonth: 'Tickets per month by topic', bySettlementMonth: 'Tickets per month by settlement', timesMonth: 'Hours per month (median)',
  assessmentTitle: 'Assessment', assessmentHint: 'By month received: response rate (first answer in time), on-time rate, resolution rate, satisfaction (said solved at the return visit).',
  assessmentBySettlement: 'Assessment by settlement, {month}', assessmentByCaseworker: 'Assessment by caseworker, {month}', settlementCol: 'Settlement', caseworkerCol: 'Caseworker',
  responseRate: 'Response rate', onTimeRate: 'On-time rate', resolutionRate: 'Resolution rate', ticketsCount: '{n} tickets',
  overdueMonth: 'Overdue rate per month', satisfactionMonth: 'Return visits: share solved', month: 'Month', asTable: 'Show as a table', noData: 'No data', answeredVisits: '{n} answered the return visit',
  hoursShort: '{n} h', other: 'Other', unknownSettlement: 'Unknown',
}

const catalogues: Record<Locale, Messages> = { 'zh-CN': zh, en }
let current: Locale = (localStorage.getItem('anju.console.locale') as Locale) === 'en' ? 'en' : 'zh-CN'

export const locale = () => current
export function setLocale(next: Locale): void {
  current = next
  localStorage.setItem('anju.console.locale', next)
  document.documentElement.lang = next
}

type Key = { [K in keyof Messages]: Messages[K] extends string ? K : never }[keyof Messages]

/** A message with {placeholders} filled in. */
export function t(key: Key, values: Record<string, string | number> = {}): string {
  const text = (catalogues[current][key] ?? zh[key]) as string
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''))
}

/** Dynamic keys (a status, an event type): falls back to the key itself. */
export function tk(key: string, values: Record<string, string | number> = {}): string {
  const text = (catalogues[current] as unknown as Record<string, unknown>)[key]
  return typeof text === 'string' ? t(key as Key, values) : key
}

export const alertLabel = (kind: string) => catalogues[current].newAlert[kind] ?? kind
export const pick = (text: Localized | undefined) => (text ? (current === 'en' && text.en) || text['zh-CN'] : '')

const CHINA = 'Asia/Shanghai'
export const formatTime = (iso: string) => new Intl.DateTimeFormat(current, { timeZone: CHINA, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
/** Today in China time, YYYY-MM-DD. */
export const chinaToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: CHINA }).format(new Date())

export function duration(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000)
  if (minutes < 60) return t('minutes', { n: minutes })
  const hours = Math.round(minutes / 60)
  return hours < 48 ? t('hours', { n: hours }) : t('days', { n: Math.round(hours / 24) })
}
