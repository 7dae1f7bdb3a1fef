export { CheckConversation, DIALOGUE_DEFAULTS, type CheckConversationOptions } from './check-conversation'
export { parseAge, parseAnswer, parseNumber, parseYesNo, type SlotValue } from './answers'
export { evaluate, isAsked, runCheck, type CheckResult, type RuleTrace, type Status } from './rules'
export { answersText, resultText, ticketSummary } from './result'
