import { mkdir, readdir, readFile, rename } from 'node:fs/promises'
import path from 'node:path'
import { AnjuError } from '../../core/errors'
import { isTempFile, REPAIR_HINT, writeFileAtomically } from './data-file'
import { LEGACY_DIR, legacyLayoutOf, legacyRecords, type LegacyFile } from './legacy-formats'

/** A store file that cannot be read as written, with what it holds (so that its loss can be told). */
export interface DamagedFile {
  /** Relative to the data folder. */
  file: string
  reason: string
  holds: string
  /** For a JSON-lines file: the lines that still parse (kept when the file is quarantined). */
  goodLines?: string[]
  totalLines?: number
}

export interface DataCheckReport {
  files: number
  damaged: DamagedFile[]
  /** Intact files in an earlier format: imported at the next start (see legacy-import.ts). */
  legacy: LegacyFile[]
}

/** Where quarantined files go: `DATA_DIR/quarantine/<time>/<their path>`; never read by the stores. */
export const QUARANTINE_DIR = 'quarantine'

const DAY = String.raw`\d{4}-\d{2}-\d{2}`
type Shape = (data: any) => boolean
const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Every kind of store file: what it holds, and the shape a JSON file must have. */
const KINDS: { pattern: RegExp; holds: (m: RegExpExecArray) => string; shape?: Shape }[] = [
  { pattern: new RegExp(`^tickets/${DAY}/(T\\d{6}-\\d+)\\.json$`), holds: (m) => `ticket ${m[1]} (its state, replies and history)`,
    shape: (t) => isObject(t) && typeof t.id === 'string' && Array.isArray(t.events) },
  { pattern: /^residents\/shard-(\d+)\.jsonl$/, holds: (m) => `the resident profiles of shard ${m[1]} (settlement, language, what the assistant was asking)` },
  { pattern: new RegExp(`^conversations/(${DAY})/`), holds: (m) => `conversation turns of ${m[1]} (UTC)` },
  { pattern: new RegExp(`^unanswered/(${DAY})/`), holds: (m) => `the unanswered list of ${m[1]} (UTC; the turns themselves are also under conversations/)` },
  { pattern: /^outbox\/pending\.json$/, holds: () => 'caseworker notifications and replies to residents not yet delivered', shape: (o) => isObject(o) && isObject(o.items) },
  { pattern: new RegExp(`^outbox/done/(${DAY})/`), holds: (m) => `the record of deliveries finished on ${m[1]} (UTC)` },
  { pattern: new RegExp(`^audit/(${DAY})/`), holds: (m) => `staff audit entries of ${m[1]} (UTC)` },
  { pattern: /^notices\/notices\.json$/, holds: () => 'every broadcast notice (text, audience, schedule, status)', shape: (n) => isObject(n) && isObject(n.notices) },
  { pattern: /^broadcasts\/([^/]+)\/(recipients|deliveries)\//, holds: (m) => `the ${m[2]} of broadcast ${m[1]}` },
  { pattern: /^web\/identities\/shard-(\d+)\.jsonl$/, holds: (m) => `web chat identities of shard ${m[1]} (those browsers get a new identity and lose their history)` },
  { pattern: /^web\/history\/[0-9a-f]{2}\/([A-Za-z0-9_-]+)\.json$/, holds: (m) => `the web chat history of resident ${m[1]}`,
    shape: (h) => isObject(h) && Array.isArray(h.entries) && typeof h.readUpTo === 'number' },
]

function describe(file: string): { holds: string; shape?: Shape } {
  for (const kind of KINDS) {
    const match = kind.pattern.exec(file)
    if (match) return { holds: kind.holds(match), shape: kind.shape }
  }
  return { holds: 'records of an unknown kind' }
}

/** What is wrong with a store file's text, if anything. */
function inspect(file: string, text: string): Omit<DamagedFile, 'file'> | undefined {
  const { holds, shape } = describe(file)
  if (file.endsWith('.jsonl')) {
    const lines = text.split('\n')
    const cut = lines.pop() !== ''
    const bad: number[] = []
    const goodLines = lines.filter((line, i) => {
      try {
        JSON.parse(line)
        return true
      } catch {
        bad.push(i + 1)
        return false
      }
    })
    if (cut) bad.push(lines.length + 1)
    if (bad.length === 0) return undefined
    const which = bad.length > 5 ? `${bad.slice(0, 5).join(', ')} and ${bad.length - 5} more` : bad.join(', ')
    return { holds, reason: `line${bad.length > 1 ? 's' : ''} ${which} ${cut && bad.length === 1 ? 'cut short (a write was interrupted)' : 'not valid JSON'}`, goodLines, totalLines: lines.length + (cut ? 1 : 0) }
  }
  const parsed = parseJson(text)
  if ('reason' in parsed) return { holds, reason: parsed.reason }
  if (shape && !shape(parsed.data)) return { holds, reason: WRONG_SHAPE }
  return undefined
}

const WRONG_SHAPE = 'valid JSON, but not the shape this file must have'

/** A JSON file's data, or why it has none. */
function parseJson(text: string): { data: unknown } | { reason: string } {
  try {
    return { data: JSON.parse(text) }
  } catch (error) {
    return { reason: text.length === 0 ? 'the file is empty' : `not valid JSON (${(error as Error).message})` }
  }
}

async function* storeFiles(dataDir: string, relative = ''): AsyncGenerator<string> {
  let entries
  try {
    entries = await readdir(path.join(dataDir, relative), { withFileTypes: true })
  } catch (error) {
    // No folder yet, or DATA_DIR is not a folder (every write will then fail, and say so): nothing to check.
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return
    throw error
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const child = relative ? `${relative}/${entry.name}` : entry.name
    if (entry.isDirectory()) {
      if (child !== QUARANTINE_DIR && child !== LEGACY_DIR) yield* storeFiles(dataDir, child)
    } else if (!isTempFile(entry.name) && /\.jsonl?$/.test(entry.name)) {
      yield child
    }
  }
}

/** Reads every store file of a data folder and reports the damaged ones; changes nothing. */
export async function checkDataDir(dataDir: string): Promise<DataCheckReport> {
  const report: DataCheckReport = { files: 0, damaged: [], legacy: [] }
  for await (const file of storeFiles(dataDir)) {
    report.files += 1
    const text = await readFile(path.join(dataDir, file), 'utf8')
    const legacy = legacyLayoutOf(file)
    const problem = legacy ? inspectLegacy(file, text, legacy) : inspect(file, text)
    if (problem && 'reason' in problem) report.damaged.push({ file, ...problem })
    else if (problem) report.legacy.push(problem)
  }
  return report
}

/** An earlier-format file: what it holds to import, or what is wrong with it (damaged like any other file). */
function inspectLegacy(file: string, text: string, kind: NonNullable<ReturnType<typeof legacyLayoutOf>>): LegacyFile | Omit<DamagedFile, 'file'> {
  const holds = `${kind.store} in an earlier format, not yet imported`
  const parsed = parseJson(text)
  if ('reason' in parsed) return { holds, reason: parsed.reason }
  const records = legacyRecords(kind.layout, parsed.data)
  if (!records) return { holds, reason: WRONG_SHAPE }
  return { file, store: kind.store, ...kind.layout, records: records.length }
}

/** One line per damaged file: its path, what is wrong, what it holds. */
export const describeDamage = (dataDir: string, damaged: readonly DamagedFile[]) =>
  damaged.map((d) => `${path.join(dataDir, d.file)}: ${d.reason}; it holds ${d.holds}`)

/** Start-up: stops, naming every damaged file and how to repair it, before anything reads or writes them. */
export async function assertDataIntact(dataDir: string): Promise<DataCheckReport> {
  const report = await checkDataDir(dataDir)
  const { damaged } = report
  if (damaged.length === 0) return report
  throw new AnjuError('ANJU_ERR_DATA_CHECK_FAILED', `\n  ${describeDamage(dataDir, damaged).join('\n  ')}\nTo repair: ${REPAIR_HINT}.`)
}

export interface QuarantinedFile {
  file: string
  movedTo: string
  /** What was lost, in words. */
  lost: string
}

/**
 * Moves each damaged file, untouched, to `quarantine/<time>/<its path>`. A JSON-lines file's lines that still
 * parse are written back in its place (each line is a whole record), so only the damaged lines are lost.
 */
export async function quarantine(dataDir: string, damaged: readonly DamagedFile[], now = new Date()): Promise<QuarantinedFile[]> {
  const folder = path.join(dataDir, QUARANTINE_DIR, now.toISOString().replaceAll(':', '-'))
  const moved: QuarantinedFile[] = []
  for (const d of damaged) {
    const from = path.join(dataDir, d.file)
    const to = path.join(folder, d.file)
    await mkdir(path.dirname(to), { recursive: true })
    await rename(from, to)
    let lost = `all of it: ${d.holds}`
    if (d.goodLines && d.goodLines.length > 0) {
      await writeFileAtomically(from, d.goodLines.map((line) => `${line}\n`).join(''), true)
      lost = `${d.totalLines! - d.goodLines.length} of ${d.totalLines} lines (${d.goodLines.length} kept in place) of ${d.holds}`
    }
    moved.push({ file: d.file, movedTo: path.relative(dataDir, to), lost })
  }
  return moved
}
