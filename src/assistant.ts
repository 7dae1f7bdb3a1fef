import path from 'node:path'
import type { Config } from './config/env'
import { createLogger, type Logger } from './core/logger'
import { createTranslator, type Translate } from './i18n'
import { loadKnowledgeBase, type KnowledgeBase } from './knowledge/loader'
import { IntentMatcher } from './matcher/matcher'
import { Pipeline } from './pipeline/pipeline'
import { LowdbConversationStore } from './store/lowdb/conversation-store'
import { LowdbResidentStore } from './store/lowdb/resident-store'
import type { ConversationRepository, ResidentRepository } from './store/types'

export interface Assistant {
  config: Config
  logger: Logger
  kb: KnowledgeBase
  matcher: IntentMatcher
  translate: Translate
  conversations: ConversationRepository
  residents: ResidentRepository
  pipeline: Pipeline
}

export interface AssistantOverrides {
  logger?: Logger
  conversations?: ConversationRepository
  residents?: ResidentRepository
  /** Name this process writes its lowdb files under (one writer per file): 'server', 'cli' ... */
  storeWriter?: string
}

/** Builds everything but the adapters: knowledge → matcher → store → pipeline. Throws on bad knowledge. */
export async function createAssistant(config: Config, overrides: AssistantOverrides = {}): Promise<Assistant> {
  const logger = overrides.logger ?? createLogger(config.LOG_LEVEL)
  const kb = await loadKnowledgeBase({ knowledgeDir: config.KNOWLEDGE_DIR, intentsDir: config.INTENTS_DIR })
  const matcher = new IntentMatcher(kb.intents, kb.lexicon)
  const translate = await createTranslator(kb.messages)
  const conversations = overrides.conversations ?? new LowdbConversationStore(path.resolve(config.DATA_DIR), { writer: overrides.storeWriter })
  const residents = overrides.residents ?? new LowdbResidentStore(path.resolve(config.DATA_DIR))
  const pipeline = new Pipeline({ kb, matcher, translate, conversations, residents, logger, defaultLocale: config.DEFAULT_LOCALE })
  return { config, logger, kb, matcher, translate, conversations, residents, pipeline }
}
