import { z } from 'zod'
import { normalise } from '../matcher/normalise'

/** Locales the assistant speaks; zh-CN is the default and always required. */
export const LOCALES = ['zh-CN', 'en'] as const
export const localeSchema = z.enum(LOCALES)
export type Locale = z.infer<typeof localeSchema>

/** Policy intents whose ids are fixed: clients and reports rely on them. */
export const POLICY_INTENT_IDS = [
  'training_subsidy',
  'medical_access',
  'dibao_eligibility',
  'school_enrolment',
  'employment_help',
  'housing_services',
  'loans_credit',
  'elderly_care',
  'industry_support',
  'escalation',
] as const

const nonEmpty = z.string().trim().min(1)

/** Text in every locale: zh-CN required, en required too so no resident gets a blank. */
export const localizedTextSchema = z.strictObject({ 'zh-CN': nonEmpty, en: nonEmpty })
export type LocalizedText = z.infer<typeof localizedTextSchema>

const intentIdSchema = z.string().regex(/^[a-z][a-z0-9_]*$/, 'ids are lower_snake_case')

/**
 * How an intent is answered:
 * - `policy`: the knowledge entry with the same id (must cite sources);
 * - `message`: a fixed message from the i18n catalogue (greeting, help, thanks);
 * - `out_of_scope`: examples of what the assistant must refuse; never answered, only used to say no;
 * - `ticket_status`: the resident asks how their demands to caseworkers are going;
 * - `notices`: the resident asks for the community's notices (the active ones of their settlement).
 */
export const HANDLER_KINDS = ['policy', 'message', 'out_of_scope', 'ticket_status', 'notices'] as const

export const intentSchema = z.strictObject({
  id: intentIdSchema,
  description: nonEmpty,
  handler: z.enum(HANDLER_KINDS),
  /** i18n key of the reply, for `message` intents. */
  message: nonEmpty.optional(),
  /** Choices offered with the reply: `topics` offers every policy topic as a button. */
  choices: z.enum(['topics']).optional(),
  examples: z.strictObject({
    'zh-CN': z.array(nonEmpty).min(5, 'give at least 5 zh-CN examples'),
    en: z.array(nonEmpty).min(3, 'give at least 3 en examples'),
  }),
}).refine((intent) => intent.handler !== 'message' || intent.message, {
  message: 'a message intent names its i18n key in `message`',
  path: ['message'],
})
export type Intent = z.infer<typeof intentSchema>

export const sourceSchema = z.strictObject({
  /** Seed document file name, e.g. 000_fb8fc8bf4a60a192.txt */
  file: z.string().regex(/^[\w.-]+\.txt$/, 'a seed file name such as 000_fb8fc8bf4a60a192.txt'),
  /** Clause inside it, e.g. "task 3" or "measure 7". */
  clause: z.string().regex(/^(task|measure|section) \d+$/, 'like "task 3", "measure 7" or "section 2"'),
  /** A short verbatim excerpt from the seed, so a reviewer can find and check it. */
  quote: nonEmpty,
})
export type Source = z.infer<typeof sourceSchema>

/** One policy topic: what a resident is told, who is responsible, where it comes from. */
export const topicSchema = z.strictObject({
  id: z.enum(POLICY_INTENT_IDS),
  title: localizedTextSchema,
  answer: localizedTextSchema,
  offices: z.array(localizedTextSchema).min(1, 'name at least one responsible office'),
  sources: z.array(sourceSchema).min(1, 'every policy answer cites at least one source'),
})
export type Topic = z.infer<typeof topicSchema>

export const staffContactSchema = z.strictObject({
  /** The staff member's id: the same id as in the staff file that holds their API token. */
  id: intentIdSchema,
  name: nonEmpty,
  role: z.enum(['caseworker', 'supervisor']),
  /** Takes the settlement's duty phone: alerted of urgent help from residents whose settlement is not known yet. */
  duty: z.boolean().optional(),
  /** How to reach them; console-only when absent. */
  telegramChatId: z.string().optional(),
  wechatContact: z.string().optional(),
})

export const settlementSchema = z.strictObject({
  id: intentIdSchema,
  name: localizedTextSchema,
  county: localizedTextSchema,
  /** Sample data must say so, so a deployment cannot mistake it for real contacts. */
  sample: z.boolean(),
  serviceCentre: z.strictObject({
    address: localizedTextSchema,
    hours: localizedTextSchema,
    phone: nonEmpty,
    dutyPhone: nonEmpty,
  }),
  staff: z.array(staffContactSchema).min(1),
  /**
   * The policy documents (seed files) that govern the settlement: its province's plan, its city's measures. The
   * pre-checks cite their clauses, and only theirs (an Anhui settlement the Anhui plan, a Loudi one Loudi's measures).
   */
  policyDocuments: z.array(z.string().regex(/^[\w.-]+\.txt$/, 'a seed file name such as 000_fb8fc8bf4a60a192.txt')).min(1),
  /** Local standards a deployment sets (e.g. 低保 yuan per person per month); null until known. */
  dibaoStandardYuanPerMonth: z.number().positive().nullable(),
})
export const settlementsFileSchema = z.strictObject({ settlements: z.array(settlementSchema).min(1) })
export type Settlement = z.infer<typeof settlementSchema>

/**
 * The lexicon: surface forms (synonyms, dialect, common typos, English, pinyin) grouped into concepts.
 * The matcher sees a concept wherever any of its terms appears.
 */
export const lexiconSchema = z.strictObject({
  concepts: z.record(intentIdSchema, z.array(nonEmpty).min(1)),
  /** Words that carry no meaning for routing (的, 了, 请问, the, please). */
  stopwords: z.array(nonEmpty),
  /**
   * Concepts never guessed from a sound-alike (danger, violence, self-harm): a false alarm there
   * costs more than a missed typo, so only their exact terms count.
   */
  exactOnly: z.array(intentIdSchema).default([]),
  /**
   * Concepts that weigh more than others, by how much: the kind of request ("帮我写", "推荐一个") decides whether
   * Anju may answer, whatever policy words come with it.
   */
  emphasis: z.record(intentIdSchema, z.number().positive().max(5)).default({}),
}).refine((lexicon) => lexicon.exactOnly.every((concept) => concept in lexicon.concepts), {
  message: 'exactOnly names a concept that the lexicon does not define',
  path: ['exactOnly'],
}).refine((lexicon) => Object.keys(lexicon.emphasis).every((concept) => concept in lexicon.concepts), {
  message: 'emphasis names a concept that the lexicon does not define',
  path: ['emphasis'],
})
export type Lexicon = z.infer<typeof lexiconSchema>

/** i18n message catalogue for one locale: flat keys to strings (i18next interpolation allowed). */
export const messagesSchema = z.record(
  z.string().regex(/^[a-z][a-z0-9_.]*$/),
  // Not trimmed: separators such as ", " keep their spaces.
  z.string().refine((text) => text.trim().length > 0, 'must not be empty'),
)

/**
 * A list of words residents type, normalised once here as the matcher normalises messages (simplified, lower
 * case, no punctuation), so every consumer compares them with a normalised message as they are.
 */
const wordList = z.array(nonEmpty).transform((words) => words.map(normalise).filter(Boolean))
const someWords = z.array(nonEmpty).min(1).pipe(wordList)

/** Words the conversation itself listens for: demands, yes, no, cancel. Data, so a county can add its own. */
export const dialogueWordsSchema = z.strictObject({
  /** The resident asks for a person to act (投诉, 转人工): a demand is raised, filed under the message's topic. */
  demand: someWords,
  cancel: someWords,
  /** "上一步": in a pre-check, go back to the previous question. */
  back: someWords,
  /** Exact answers to the desk's offers ("要不要转给工作人员？"); the pre-checks read answers with `answer-words.yaml`. */
  yes: someWords,
  no: someWords,
  /** Answers to the return visit ("问题解决了吗？"). */
  solved: someWords,
  unsolved: someWords,
  /** Demands on these topics (and repairs on any topic) ask for the building and room when the resident did not say them. */
  locationTopics: z.array(z.enum(POLICY_INTENT_IDS)).default([]),
  /** "跳过": the resident would rather not say (the building and room). */
  skip: wordList.default([]),
})
export type DialogueWords = z.infer<typeof dialogueWordsSchema>

/** How a message of several clauses is read: what is asked, what is context (`knowledge/focus.yaml`). */
export const focusWordsSchema = z.strictObject({
  /** The text from the last of these on is what the resident asks; before it, context. */
  asked: someWords,
  /** A clause with one of these tells what is settled or put aside. */
  context: someWords,
  /** A clause made only of these is courtesy (你好, 请问, 谢谢). */
  courtesy: someWords,
  /** A clause with one of these asks something. */
  question: someWords,
})
export type FocusWords = z.infer<typeof focusWordsSchema>

/** Danger to life or home, told from an event that is over (`knowledge/danger.yaml`). */
export const dangerWordsSchema = z.strictObject({
  hazards: z.record(intentIdSchema, someWords),
  /** Signs of a hazard (a crack, a smell) that count only when said to be happening now. */
  signs: z.record(intentIdSchema, someWords).default({}),
  /** Right before a hazard term, these cancel it (打不着火). */
  negations: someWords,
  /** The hazard is over (上个月, 火早灭了). */
  over: someWords,
  /** It is happening now; beats "over" in the same clause. */
  now: someWords,
})
export type DangerWords = z.infer<typeof dangerWordsSchema>

/** What residents say about notices, and the tags staff address them to (`knowledge/notice-words.yaml`). */
export const noticeWordsSchema = z.strictObject({
  unsubscribe: someWords,
  subscribe: someWords,
  /** A "want" word and a tag's phrase in one message adds the tag; a "don't want" word removes it. */
  want: someWords,
  dontWant: someWords,
  tags: z.record(intentIdSchema, z.strictObject({ label: localizedTextSchema, phrases: someWords })),
})
export type NoticeWords = z.infer<typeof noticeWordsSchema>

/** Caseworkers' canned replies in the console (`canned-replies.yaml`): per policy topic, or `any`. */
export const cannedRepliesSchema = z.strictObject({
  replies: z.array(z.strictObject({
    topic: z.union([z.literal('any'), z.enum(POLICY_INTENT_IDS)], { error: `"any" or a policy topic id (${POLICY_INTENT_IDS.join(', ')})` }),
    label: localizedTextSchema,
    text: localizedTextSchema,
  })),
})
export type CannedReply = z.infer<typeof cannedRepliesSchema>['replies'][number]
