import { alertLabel } from './i18n'
import { isUnread, settlementName, type TicketSummary } from './session'

export interface LiveAlert {
  kind: string
  ticket: TicketSummary
}

/**
 * Live alerts from the server (server-sent events): an unread count, a sound, a browser notification and a line
 * for screen readers. This is how staff with no chat contact hear of new, urgent and reopened tickets.
 */
export class Alerts {
  readonly #unread = new Map<string, TicketSummary>()
  readonly #listeners: ((alert: LiveAlert) => void)[] = []
  #source?: EventSource
  #audio?: AudioContext
  onCount: (count: number) => void = () => {}
  onConnection: (up: boolean) => void = () => {}

  start(): void {
    this.stop()
    const source = new EventSource('/console/api/events')
    source.addEventListener('open', () => this.onConnection(true))
    source.addEventListener('error', () => this.onConnection(false))
    source.addEventListener('signed_out', () => window.dispatchEvent(new CustomEvent('anju:signed-out')))
    source.addEventListener('alert', (event) => this.#receive(JSON.parse((event as MessageEvent<string>).data) as LiveAlert))
    this.#source = source
  }

  stop(): void {
    this.#source?.close()
    this.#source = undefined
  }

  onAlert(listener: (alert: LiveAlert) => void): () => void {
    this.#listeners.push(listener)
    return () => this.#listeners.splice(this.#listeners.indexOf(listener), 1)
  }

  /** The inbox tells which of the tickets it shows are unread. */
  track(tickets: TicketSummary[]): void {
    for (const ticket of tickets) {
      if (isUnread(ticket)) this.#unread.set(ticket.id, ticket)
      else this.#unread.delete(ticket.id)
    }
    this.onCount(this.#unread.size)
  }

  seen(id: string): void {
    this.#unread.delete(id)
    this.onCount(this.#unread.size)
  }

  get count(): number {
    return this.#unread.size
  }

  /** Sound needs a user gesture first: the sign-in click or any click on the page unlocks it. */
  unlockSound(): void {
    try {
      this.#audio ??= new AudioContext()
      void this.#audio.resume()
    } catch {
      // No audio in this browser: alerts still show and are announced.
    }
  }

  async enableNotifications(): Promise<NotificationPermission | 'unsupported'> {
    if (!('Notification' in window)) return 'unsupported'
    return Notification.permission === 'default' ? Notification.requestPermission() : Notification.permission
  }

  #receive(alert: LiveAlert): void {
    this.#unread.set(alert.ticket.id, alert.ticket)
    this.onCount(this.#unread.size)
    const title = `${alertLabel(alert.kind)} ${alert.ticket.id}`
    const body = `${settlementName(alert.ticket.settlementId)}｜${alert.ticket.summary}`
    document.getElementById('alerts-live')!.textContent = `${title}：${body}`
    this.#beep(alert.ticket.priority === 'urgent' ? 3 : 1)
    if ('Notification' in window && Notification.permission === 'granted') {
      const notification = new Notification(title, { body, tag: alert.ticket.id })
      notification.onclick = () => {
        window.focus()
        location.hash = `#/ticket/${alert.ticket.id}`
      }
    }
    for (const listener of [...this.#listeners]) listener(alert)
  }

  #beep(times: number): void {
    const audio = this.#audio
    if (!audio || audio.state !== 'running') return
    for (let i = 0; i < times; i++) {
      const start = audio.currentTime + i * 0.3
      const tone = audio.createOscillator()
      const gain = audio.createGain()
      tone.frequency.value = 880
      gain.gain.setValueAtTime(0.15, start)
      gain.gain.exponentialRampToValueAtTime(0.001, start + 0.25)
      tone.connect(gain).connect(audio.destination)
      tone.start(start)
      tone.stop(start + 0.25)
    }
  }
}
