// `npm run broadcast -- notice.yaml [--preview] [--url http://127.0.0.1:3000]` with ANJU_TOKEN set to a staff token.
// The notice goes through the running server's staff API: the server owns the channels and the lowdb files
// (one writer per file), so the CLI never writes them itself. It validates the file, shows the audience, creates
// the notice, then follows its delivery with a progress bar on stderr and prints a summary.
import { readFile } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import { parse as parseYaml } from 'yaml'
import type { DeliveryCounts } from '../broadcast/delivery-log'
import { noticeInputSchema } from '../broadcast/notice'

export interface BroadcastCliIo {
  fetch: typeof fetch
  out: (line: string) => void
  /** The progress bar; written with \r, no newline. */
  progress: (text: string) => void
  env: Record<string, string | undefined>
  pollMs?: number
}

const USAGE = 'usage: npm run broadcast -- notice.yaml [--preview] [--url http://127.0.0.1:3000]   (ANJU_TOKEN: a staff token)'
const FINAL = new Set(['done', 'cancelled', 'expired'])

export function bar(counts: DeliveryCounts, width = 30): string {
  const toSend = counts.total - Object.values(counts.skipped).reduce((a, b) => a + b, 0)
  const finished = counts.sent + counts.failed + counts.unknown + counts.sending
  const ratio = toSend === 0 ? 1 : Math.min(1, finished / toSend)
  const filled = Math.round(ratio * width)
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${finished}/${toSend} sent ${counts.sent} failed ${counts.failed} sent-unknown ${counts.unknown} waiting ${counts.waiting}`
}

export function summary(status: string, counts: DeliveryCounts): string[] {
  const skipped = Object.entries(counts.skipped).filter(([, n]) => n > 0).map(([reason, n]) => `${reason} ${n}`).join(', ') || 'none'
  return [
    `notice ${status}: ${counts.total} in the audience`,
    `  sent ${counts.sent}, failed ${counts.failed}, sent-unknown ${counts.unknown + counts.sending}, waiting (not sent yet) ${counts.waiting}`,
    `  skipped: ${skipped}`,
  ]
}

/** Returns the exit code. */
export async function runBroadcastCli(argv: string[], io: BroadcastCliIo): Promise<number> {
  const file = argv.find((a) => !a.startsWith('--'))
  const urlIndex = argv.indexOf('--url')
  const base = (urlIndex >= 0 ? argv[urlIndex + 1] : undefined) ?? io.env.ANJU_URL ?? 'http://127.0.0.1:3000'
  const token = io.env.ANJU_TOKEN
  if (!file || !token) {
    io.out(!file ? USAGE : 'ANJU_TOKEN must be set to a staff token (npm run staff:token -- <id>)')
    return 2
  }
  let input: unknown
  try {
    input = parseYaml(await readFile(file, 'utf8'))
  } catch (error) {
    io.out(`${file}: ${(error as Error).message}`)
    return 1
  }
  const parsed = noticeInputSchema.safeParse(input)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) io.out(`${file} at ${issue.path.join('.') || '(top)'}: ${issue.message}`)
    return 1
  }
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await io.fetch(new URL(path, base), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    })
    const json = (await response.json()) as any
    if (!response.ok) throw new Error(`${response.status} ${json.code ?? ''}: ${json.message ?? ''}`)
    return json
  }
  try {
    const preview = await call('POST', '/api/notices/preview', input)
    const channels = Object.entries(preview.byChannel as Record<string, number>).map(([c, n]) => `${c} ${n}`).join(', ') || 'none'
    const skipped = Object.entries(preview.skipped as Record<string, number>).filter(([, n]) => n > 0).map(([r, n]) => `${r} ${n}`).join(', ') || 'none'
    io.out(`audience: ${preview.recipients} recipients (${channels}); skipped: ${skipped}`)
    if (argv.includes('--preview')) return 0
    const notice = await call('POST', '/api/notices', input)
    io.out(`notice ${notice.id} created, sending at ${notice.sendAt}`)
    for (;;) {
      const current = await call('GET', `/api/notices/${notice.id}`)
      if (current.progress) io.progress(`\r${bar(current.progress)}`)
      if (FINAL.has(current.status)) {
        io.progress('\n')
        for (const line of summary(current.status, current.progress ?? { total: 0, queued: 0, sending: 0, retry: 0, sent: 0, unknown: 0, failed: 0, waiting: 0, skipped: {} })) io.out(line)
        return current.status === 'done' ? 0 : 1
      }
      if (current.status === 'scheduled' && Date.parse(current.sendAt) > Date.now() + 60_000) {
        io.out(`scheduled: the server sends it at ${current.sendAt}; follow it with GET /api/notices/${notice.id}`)
        return 0
      }
      await new Promise((resolve) => setTimeout(resolve, io.pollMs ?? 500))
    }
  } catch (error) {
    io.out(`broadcast failed: ${(error as Error).message}`)
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
