// `npm run broadcast -- notice.yaml [--preview] [--url http://127.0.0.1:3000] [--lang en]` with ANJU_TOKEN set to a staff token.
// The notice goes through the running server's staff API: the server owns the channels and the lowdb files
// (one writer per file), so the CLI never writes them itself. It validates the file, shows the audience, creates
// the notice, then follows its delivery with a progress bar on stderr and prints a summary.
import { readFile } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import { parse as parseYaml } from 'yaml'
import { emptyCounts, type DeliveryCounts } from '../broadcast/delivery-log'
import type { z } from 'zod'
import { noticeInputSchema } from '../broadcast/notice'
import { chinaTimeText } from '../core/china-time'
import { cliLocale, cliWords, type CliWords } from './broadcast-words'

export interface BroadcastCliIo {
  fetch: typeof fetch
  out: (line: string) => void
  /** The progress bar; written with \r, no newline. */
  progress: (text: string) => void
  env: Record<string, string | undefined>
  pollMs?: number
}

const FINAL = new Set(['done', 'cancelled', 'expired'])

const listed = (counts: Record<string, number>, prefix: 'skip' | 'channel', w: CliWords) =>
  Object.entries(counts).filter(([, n]) => n > 0).map(([key, n]) => `${w(`${prefix}.${key}` as never) || key} ${n}`).join(prefix === 'skip' ? '，' : ', ')

export function bar(counts: DeliveryCounts, w: CliWords, width = 30): string {
  const toSend = counts.total - Object.values(counts.skipped).reduce((a, b) => a + b, 0)
  const finished = counts.sent + counts.failed + counts.unknown + counts.sending
  const ratio = toSend === 0 ? 1 : Math.min(1, finished / toSend)
  const filled = Math.round(ratio * width)
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${w('bar', { finished, toSend, sent: counts.sent, failed: counts.failed, unknown: counts.unknown, waiting: counts.waiting })}`
}

export function summary(status: string, counts: DeliveryCounts, w: CliWords): string[] {
  return [
    w('summaryStatus', { status: w(`status.${status}` as never) || status, total: counts.total }),
    // Interrupted while sending is as unknown as a send the platform never confirmed: neither is sent again.
    w('summaryCounts', { sent: counts.sent, failed: counts.failed, unknown: counts.unknown + counts.sending, waiting: counts.waiting }),
    w('summarySkipped', { skipped: listed(counts.skipped, 'skip', w) || w('none') }),
  ]
}

/** A zod problem in plain words. */
function reason(issue: z.core.$ZodIssue, w: CliWords): string {
  if (issue.code === 'custom' && issue.path.join('.') === 'expiresAt') return w('reason.expiry')
  if (issue.code === 'too_small') return w('reason.empty')
  if (issue.code === 'too_big') return w('reason.tooLong')
  if (issue.code === 'invalid_format') return w('reason.time')
  if (issue.code === 'unrecognized_keys') return w('reason.unknownKeys', { keys: issue.keys.join(', ') })
  if (issue.code === 'invalid_type' || issue.code === 'invalid_union') return w('reason.missing')
  return w('reason.other', { message: issue.message })
}

class ServerError extends Error {}

/** Returns the exit code. */
export async function runBroadcastCli(argv: string[], io: BroadcastCliIo): Promise<number> {
  const locale = cliLocale(argv, io.env)
  const w = cliWords(locale)
  const valueOf = (flag: string) => (argv.indexOf(flag) >= 0 ? argv[argv.indexOf(flag) + 1] : undefined)
  const file = argv.find((a, i) => !a.startsWith('--') && !['--url', '--lang'].includes(argv[i - 1] ?? ''))
  const base = valueOf('--url') ?? io.env.ANJU_URL ?? 'http://127.0.0.1:3000'
  const token = io.env.ANJU_TOKEN
  if (!file || !token) {
    io.out(!file ? w('usage') : w('needToken'))
    return 2
  }
  let input: unknown
  try {
    input = parseYaml(await readFile(file, 'utf8'))
  } catch (error) {
    io.out(w('cannotRead', { file, reason: (error as Error).message }))
    return 1
  }
  const parsed = noticeInputSchema.safeParse(input)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) io.out(w('problem', { file, path: issue.path.join('.') || '—', reason: reason(issue, w) }))
    return 1
  }
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    let response: Response
    try {
      response = await io.fetch(new URL(path, base), {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      })
    } catch {
      throw new ServerError(w('unreachable', { url: base }))
    }
    const json = (await response.json().catch(() => ({}))) as any
    if (response.ok) return json
    const why = String(json.message ?? response.statusText).replace(/^[^:]+: /, '')
    if (response.status === 401) throw new ServerError(w('unauthorized'))
    if (response.status === 403) throw new ServerError(w('forbidden', { reason: why }))
    if (response.status < 500) throw new ServerError(w('rejected', { reason: why }))
    throw new ServerError(w('serverError', { status: response.status, reason: why }))
  }
  try {
    const preview = await call('POST', '/api/notices/preview', input)
    io.out(w('audience', { recipients: preview.recipients, channels: listed(preview.byChannel, 'channel', w) || w('none'), skipped: listed(preview.skipped, 'skip', w) || w('none') }))
    if (argv.includes('--preview')) return 0
    const notice = await call('POST', '/api/notices', input)
    io.out(w('created', { id: notice.id, sendAt: chinaTimeText(notice.sendAt, locale) }))
    for (;;) {
      const current = await call('GET', `/api/notices/${notice.id}`)
      if (current.progress) io.progress(`\r${bar(current.progress, w)}`)
      if (FINAL.has(current.status)) {
        io.progress('\n')
        for (const line of summary(current.status, current.progress ?? emptyCounts(), w)) io.out(line)
        return current.status === 'done' ? 0 : 1
      }
      if (current.status === 'scheduled' && Date.parse(current.sendAt) > Date.now() + 60_000) {
        io.out(w('scheduled', { sendAt: chinaTimeText(current.sendAt, locale), url: new URL(`/console#/notices/${notice.id}`, base).href }))
        return 0
      }
      await new Promise((resolve) => setTimeout(resolve, io.pollMs ?? 500))
    }
  } catch (error) {
    if (!(error instanceof ServerError)) throw error
    io.out(error.message)
    return 1
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const code = await runBroadcastCli(process.argv.slice(2), {
    fetch,
    out: (line) => console.log(line),
    progress: (text) => process.stderr.write(text),
    env: process.env,
  })
  process.exit(code)
}
