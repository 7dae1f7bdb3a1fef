// qrcode-terminal ships no types and @types/qrcode-terminal is not installed: the one call the adapter makes.
declare module 'qrcode-terminal' {
  interface QrcodeTerminal {
    /** Renders `input` as a QR code in block characters; with a callback, hands the text over instead of printing it. */
    generate(input: string, options?: { small?: boolean }, callback?: (qrcode: string) => void): void
  }
  const qrcodeTerminal: QrcodeTerminal
  export default qrcodeTerminal
}
