import type { Clock } from '../../../src/core/clock'
import type { ChannelSender } from '../../../src/escalation/outbox'
import type { WebHistoryRepository, WebPushListener } from '../../../src/store/types'

/**
 * The web channel for the outbox and the broadcaster: a caseworker's answer, a return visit or a notice is stored
 * in the resident's history (where it waits, unread, while the page is closed) and published to their open pages.
 * Delivered means stored; read means shown, which only the page can say.
 */
export function webSender(history: WebHistoryRepository, publish: WebPushListener, clock: Clock): ChannelSender {
  return {
    deliversOnce: true,
    async send(residentId, reply, _audience, options) {
      const deliveryId = options?.deliveryId
      // Delivered before a crash kept the outbox from recording it: the page has it already.
      if (deliveryId && (await history.hasDelivery(residentId, deliveryId))) return { status: 'sent' }
      // The caller's last word before it goes out (a broadcast records "sending", or finds its claim taken over).
      if (options?.signal?.aborted || (options?.beforeAttempt && !(await options.beforeAttempt()))) return { status: 'cancelled' }
      const entries = await history.append(residentId, [{
        from: 'assistant',
        kind: 'push',
        text: reply.text,
        ...(reply.choices?.length ? { choices: reply.choices } : {}),
        ...(reply.promptId ? { promptId: reply.promptId } : {}),
        ...(deliveryId ? { deliveryId } : {}),
      }], clock.now())
      publish(residentId, entries)
      return { status: 'sent' }
    },
  }
}
