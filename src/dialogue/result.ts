import type { Translate } from '../i18n'
import type { Check, Question } from '../knowledge/check-schema'
import type { Locale, Source } from '../knowledge/schemas'
import type { SlotValue } from './answers'
import type { CheckResult } from './rules'

/** Renders sources as residents read them (the answer composer's wording, so both say the same). */
export type SourceText = (sources: readonly Source[], locale: Locale) => string

/** "家庭人口：3；全家每月总收入（元）：2000；…", in the order the questions were asked. */
export function answersText(check: Check, answers: Record<string, SlotValue>, locale: Locale, t: Translate): string {
  return check.questions
    .filter((q) => answers[q.slot] !== undefined)
    .map((q) => answerText(q, answers[q.slot]!, locale, t))
    .join(t(locale, 'check.answer_separator'))
}

/** "家庭人口：5": one answer as the resident and the caseworker read it. */
export function answerText(question: Question, value: SlotValue, locale: Locale, t: Translate): string {
  const shown = typeof value === 'boolean' ? t(locale, value ? 'check.yes' : 'check.no')
    : question.type === 'choice' ? question.options!.find((o) => o.value === value)?.label[locale] ?? String(value)
      : String(value)
  return t(locale, 'check.answer_item', { label: question.label[locale], value: shown })
}

/**
 * The explained result: the outcome, each rule met (✓), not met (✗) or unknown (？, with why) with its source
 * clause, the notes that apply, the answers given, and who really decides.
 */
export function resultText(check: Check, result: CheckResult, answers: Record<string, SlotValue>, locale: Locale, t: Translate, sourceText: SourceText): string {
  const rules = new Map(check.rules.map((r) => [r.id, r]))
  const trace = result.trace.map((line) => {
    const rule = rules.get(line.id)!
    const standard = line.standard
      ? t(locale, 'check.standard', { value: line.standard.value, sample: line.standard.sample ? t(locale, 'check.standard_sample') : '' })
      : ''
    return t(locale, `check.trace.${line.status}`, {
      label: `${rule.label[locale]}${standard}`,
      source: sourceText(line.sources, locale),
      reason: line.reason ? t(locale, `check.unknown.${line.reason}`) : '',
    })
  })
  const offices = check.offices.map((o) => o[locale]).join(t(locale, 'list_separator'))
  const [only, ...more] = result.programmes
  const outcomes = more.length === 0 && only ? only.outcome.text[locale]
    : result.programmes.map((p) => t(locale, 'check.programme_outcome', { title: p.programme.title[locale], text: p.outcome.text[locale] })).join('\n')
  return [
    `${t(locale, 'check.result_title', { title: check.title[locale] })}${more.length === 0 ? '' : '\n'}${outcomes}`,
    ...(trace.length ? [`${t(locale, 'check.trace_intro')}\n${trace.join('\n')}`] : []),
    ...result.notes.map((note) => note.text[locale]),
    t(locale, 'check.your_answers', { answers: answersText(check, answers, locale, t) }),
    t(locale, 'check.disclaimer', { offices }),
  ].join('\n\n')
}

/** The ticket's summary for the caseworker (in Chinese, the staff's language): the verdict and every answer. */
export function ticketSummary(check: Check, result: CheckResult, answers: Record<string, SlotValue>, t: Translate): string {
  const locale: Locale = 'zh-CN'
  const verdicts = result.programmes.map((p) => t(locale, `check.verdict.${p.verdict}`))
  return t(locale, 'check.ticket_summary', {
    title: check.title[locale],
    verdict: verdicts.length === 1 ? verdicts[0]
      : result.programmes.map((p, i) => t(locale, 'check.programme_outcome', { title: p.programme.title[locale], text: verdicts[i] })).join(t(locale, 'check.answer_separator')),
    answers: answersText(check, answers, locale, t),
  })
}
