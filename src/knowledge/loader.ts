import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { parse as parseYaml, YAMLParseError } from 'yaml'
import type { z } from 'zod'
import { AnjuError } from '../core/errors'
import { answerWordsFileSchema, type AnswerWords } from './answer-words-schema'
import { checkSchema, type Check, type Condition } from './check-schema'
import { dutyDeskSchema, timeLimitsSchema, workingDaysSchema, type DutyDesk, type TimeLimitsFile, type WorkingDaysFile } from './desk-schema'
import {
  dangerWordsSchema,
  cannedRepliesSchema,
  dialogueWordsSchema,
  focusWordsSchema,
  intentSchema,
  lexiconSchema,
  LOCALES,
  messagesSchema,
  noticeWordsSchema,
  POLICY_INTENT_IDS,
  settlementsFileSchema,
  topicSchema,
  type DangerWords,
  type CannedReply,
  type DialogueWords,
  type FocusWords,
  type Intent,
  type Lexicon,
  type Locale,
  type NoticeWords,
  type Settlement,
  type Topic,
} from './schemas'

/** Everything the assistant knows, validated and cross-checked. */
export interface KnowledgeBase {
  intents: Intent[]
  topics: Map<string, Topic>
  settlements: Settlement[]
  lexicon: Lexicon
  words: DialogueWords
  /** Notice words and the tags of notices (`notice-words.yaml`). */
  notices: NoticeWords
  /** How the matcher reads what is asked and what is context (`focus.yaml`). */
  focus: FocusWords
  /** Danger happening now, told from an event that is over (`danger.yaml`). */
  danger: DangerWords
  /** Eligibility pre-checks (`knowledge/eligibility/`), by id. */
  checks: Map<string, Check>
  /** How the pre-checks read answers (`answer-words.yaml`), every locale's words together. */
  answerWords: AnswerWords
  messages: Record<Locale, Record<string, string>>
  /** Caseworkers' canned replies, per topic (`canned-replies.yaml`). */
  cannedReplies: CannedReply[]
  /** The demand desk's time limits per kind and topic (`time-limits.yaml`). */
  timeLimits: TimeLimitsFile
  /** The county's own days off and working days (`working-days.yaml`). */
  workingDays: WorkingDaysFile
  /** Where urgent help goes before the settlement is known (`duty-desk.yaml`). */
  dutyDesk: DutyDesk
}

export interface KnowledgeDirs {
  knowledgeDir: string
  intentsDir: string
}

/** One problem in one file: which file, where inside it, and why. */
export interface KnowledgeProblem {
  file: string
  path: string
  reason: string
}

const formatProblem = (p: KnowledgeProblem) => `${p.file}${p.path ? ` at ${p.path}` : ''}: ${p.reason}`

class ProblemList {
  readonly items: KnowledgeProblem[] = []
  add(file: string, pathInFile: string, reason: string): void {
    this.items.push({ file, path: pathInFile, reason })
  }
}

async function readYaml(file: string, problems: ProblemList): Promise<unknown> {
  try {
    return parseYaml(await readFile(file, 'utf8'))
  } catch (error) {
    const reason = error instanceof YAMLParseError ? `not valid YAML (${error.message.split('\n')[0]})`
      : `cannot be read (${(error as Error).message})`
    problems.add(file, '', reason)
    return undefined
  }
}

async function loadFile<S extends z.ZodType>(file: string, schema: S, problems: ProblemList): Promise<z.infer<S> | undefined> {
  const raw = await readYaml(file, problems)
  if (raw === undefined) return undefined
  const parsed = schema.safeParse(raw)
  if (parsed.success) return parsed.data
  for (const issue of parsed.error.issues) problems.add(file, issue.path.join('.'), issue.message)
  return undefined
}

async function yamlFilesIn(dir: string, problems: ProblemList): Promise<string[]> {
  try {
    const names = await readdir(dir)
    return names.filter((name) => /\.ya?ml$/.test(name)).sort().map((name) => path.join(dir, name))
  } catch {
    problems.add(dir, '', 'folder cannot be read')
    return []
  }
}

async function loadAll<S extends z.ZodType>(dir: string, schema: S, problems: ProblemList) {
  const loaded: { file: string; value: z.infer<S> }[] = []
  for (const file of await yamlFilesIn(dir, problems)) {
    const value = await loadFile(file, schema, problems)
    if (value !== undefined) loaded.push({ file, value })
  }
  return loaded
}

function indexById<T extends { id: string }>(entries: { file: string; value: T }[], problems: ProblemList) {
  const byId = new Map<string, { file: string; value: T }>()
  for (const entry of entries) {
    const twin = byId.get(entry.value.id)
    if (twin) problems.add(entry.file, 'id', `id "${entry.value.id}" is already defined in ${twin.file}`)
    else byId.set(entry.value.id, entry)
  }
  return byId
}

function crossCheck(
  intents: Map<string, { file: string; value: Intent }>,
  topics: Map<string, { file: string; value: Topic }>,
  messages: Partial<Record<Locale, Record<string, string>>>,
  problems: ProblemList,
  dirs: KnowledgeDirs,
): void {
  for (const id of POLICY_INTENT_IDS) {
    const intent = intents.get(id)
    if (!intent) problems.add(dirs.intentsDir, '', `policy intent "${id}" has no intent file`)
    else if (intent.value.handler !== 'policy') problems.add(intent.file, 'handler', `"${id}" must use handler "policy"`)
    if (!topics.has(id)) problems.add(path.join(dirs.knowledgeDir, 'topics'), '', `policy intent "${id}" has no topic file`)
  }
  for (const { file, value } of intents.values()) {
    if (value.handler === 'policy' && !topics.has(value.id)) {
      problems.add(file, 'id', `policy intent "${value.id}" has no knowledge topic with the same id`)
    }
    if (value.handler === 'message') {
      for (const locale of LOCALES) {
        if (messages[locale] && !messages[locale][value.message!]) {
          problems.add(file, 'message', `message key "${value.message}" is missing from the ${locale} messages`)
        }
      }
    }
  }
  const [first, ...others] = LOCALES
  for (const locale of others) {
    const reference = messages[first]
    const current = messages[locale]
    if (!reference || !current) continue
    for (const key of Object.keys(reference)) {
      if (!(key in current)) problems.add(path.join(dirs.knowledgeDir, 'messages', `${locale}.yaml`), key, `missing; ${first} has it`)
    }
  }
}

/** A term listed under two concepts would be matched as whichever came last: say so instead. */
function checkLexicon(lexicon: Lexicon, file: string, problems: ProblemList): void {
  const owner = new Map<string, string>()
  for (const [concept, terms] of Object.entries(lexicon.concepts)) {
    terms.forEach((term, index) => {
      const key = term.toLowerCase()
      const first = owner.get(key)
      if (first !== undefined && first !== concept) problems.add(file, `concepts.${concept}.${index}`, `"${term}" is already a term of concept "${first}"`)
      else owner.set(key, concept)
    })
  }
}

/** Every slot and rule a check's conditions name must exist, or the check could never be decided. */
function checkReferences(check: Check, file: string, problems: ProblemList): void {
  const slots = new Set(check.questions.map((q) => q.slot))
  const rules = new Set(check.rules.map((r) => r.id))
  const visit = (condition: Condition, where: string): void => {
    if ('slot' in condition) {
      for (const slot of [condition.slot, condition.per]) {
        if (slot !== undefined && !slots.has(slot)) problems.add(file, where, `no question fills slot "${slot}"`)
      }
    } else if ('rule' in condition) {
      if (!rules.has(condition.rule)) problems.add(file, where, `no rule "${condition.rule}"`)
    } else if ('not' in condition) visit(condition.not, `${where}.not`)
    else ('all' in condition ? condition.all : condition.any).forEach((c, i) => visit(c, `${where}.${'all' in condition ? 'all' : 'any'}.${i}`))
  }
  check.questions.forEach((q, i) => q.askIf && visit(q.askIf, `questions.${i}.askIf`))
  check.rules.forEach((r, i) => {
    visit(r.when, `rules.${i}.when`)
    if (r.appliesIf) visit(r.appliesIf, `rules.${i}.appliesIf`)
  })
  check.programmes.forEach((p, i) => {
    if (p.appliesIf) visit(p.appliesIf, `programmes.${i}.appliesIf`)
    p.outcomes.forEach((o, j) => o.when && visit(o.when, `programmes.${i}.outcomes.${j}.when`))
  })
  check.notes.forEach((n, i) => visit(n.when, `notes.${i}.when`))
}

/**
 * A settlement's policy documents must be ones the pre-checks cite: a misspelt file name would silently drop every
 * rule there, since a settlement is cited only the clauses of its own documents.
 */
function checkPolicyDocuments(settlements: Settlement[], checks: { file: string; value: Check }[], file: string, problems: ProblemList): void {
  const cited = new Set(checks.flatMap(({ value }) => value.rules.flatMap((r) => r.sources.map((s) => s.file))))
  settlements.forEach((settlement, i) => settlement.policyDocuments.forEach((document, j) => {
    if (cited.size > 0 && !cited.has(document)) problems.add(file, `settlements.${i}.policyDocuments.${j}`, `no pre-check rule cites "${document}"`)
  }))
}

/**
 * Loads and validates the whole knowledge base. Every problem in every file is collected,
 * then start-up stops with all of them (file, path inside it, reason), not just the first.
 */
export async function loadKnowledgeBase(dirs: KnowledgeDirs): Promise<KnowledgeBase> {
  const problems = new ProblemList()
  const intents = indexById(await loadAll(dirs.intentsDir, intentSchema, problems), problems)
  const topics = indexById(await loadAll(path.join(dirs.knowledgeDir, 'topics'), topicSchema, problems), problems)
  const settlementsFile = await loadFile(path.join(dirs.knowledgeDir, 'settlements.yaml'), settlementsFileSchema, problems)
  const lexiconFile = path.join(dirs.knowledgeDir, 'lexicon.yaml')
  const lexicon = await loadFile(lexiconFile, lexiconSchema, problems)
  if (lexicon) checkLexicon(lexicon, lexiconFile, problems)
  const words = await loadFile(path.join(dirs.knowledgeDir, 'dialogue-words.yaml'), dialogueWordsSchema, problems)
  const notices = await loadFile(path.join(dirs.knowledgeDir, 'notice-words.yaml'), noticeWordsSchema, problems)
  const focus = await loadFile(path.join(dirs.knowledgeDir, 'focus.yaml'), focusWordsSchema, problems)
  const danger = await loadFile(path.join(dirs.knowledgeDir, 'danger.yaml'), dangerWordsSchema, problems)
  const canned = await loadFile(path.join(dirs.knowledgeDir, 'canned-replies.yaml'), cannedRepliesSchema, problems)
  const timeLimits = await loadFile(path.join(dirs.knowledgeDir, 'time-limits.yaml'), timeLimitsSchema, problems)
  const workingDays = await loadFile(path.join(dirs.knowledgeDir, 'working-days.yaml'), workingDaysSchema, problems)
  const dutyDesk = await loadFile(path.join(dirs.knowledgeDir, 'duty-desk.yaml'), dutyDeskSchema, problems)
  const checks = indexById(await loadAll(path.join(dirs.knowledgeDir, 'eligibility'), checkSchema, problems), problems)
  for (const { file, value } of checks.values()) checkReferences(value, file, problems)
  const answerWords = await loadFile(path.join(dirs.knowledgeDir, 'answer-words.yaml'), answerWordsFileSchema, problems)
  if (settlementsFile) checkPolicyDocuments(settlementsFile.settlements, [...checks.values()], path.join(dirs.knowledgeDir, 'settlements.yaml'), problems)
  const messages: Partial<Record<Locale, Record<string, string>>> = {}
  for (const locale of LOCALES) {
    messages[locale] = await loadFile(path.join(dirs.knowledgeDir, 'messages', `${locale}.yaml`), messagesSchema, problems)
  }
  crossCheck(intents, topics, messages, problems, dirs)

  if (problems.items.length > 0 || !settlementsFile || !lexicon || !words || !notices || !answerWords || !focus || !danger || !canned || !timeLimits || !workingDays || !dutyDesk) {
    throw new KnowledgeInvalidError(problems.items)
  }
  return {
    intents: [...intents.values()].map((entry) => entry.value),
    // In the fixed order of POLICY_INTENT_IDS, which is the order residents see topics listed in.
    topics: new Map(POLICY_INTENT_IDS.map((id) => [id, topics.get(id)!.value])),
    settlements: settlementsFile.settlements,
    lexicon,
    words,
    notices,
    focus,
    danger,
    checks: new Map([...checks].map(([id, entry]) => [id, entry.value])),
    answerWords,
    messages: messages as Record<Locale, Record<string, string>>,
    cannedReplies: canned.replies,
    timeLimits,
    workingDays,
    dutyDesk,
  }
}

export class KnowledgeInvalidError extends AnjuError {
  readonly problems: KnowledgeProblem[]
  constructor(problems: KnowledgeProblem[]) {
    super('ANJU_ERR_KB_INVALID', `\n${problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`)
    this.problems = problems
  }
}
