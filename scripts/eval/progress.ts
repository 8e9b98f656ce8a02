/** Progress reporting on stderr: a redrawn bar on a terminal, an occasional plain line otherwise. */

import type { WriteStream } from 'node:tty'

/** Where progress goes; `isTTY` decides between a bar and periodic lines. */
export interface ProgressSink {
  readonly isTTY?: boolean
  readonly columns?: number
  write(chunk: string): boolean
}

/**
 * One task's progress. On a TTY the line is redrawn at most 10 times a second; otherwise a plain
 * line is printed every `lineEverySeconds` (default 15 s), so CI logs stay short.
 * @example
 * const bar = new Progress('item-knn eval'); bar.update(0.5); bar.done('35.05 / 11.00')
 */
export class Progress {
  private readonly started = performance.now()
  private lastDraw = 0
  private drawn = false

  constructor(
    private readonly label: string,
    private readonly sink: ProgressSink = process.stderr as WriteStream,
    private readonly lineEverySeconds = 15,
  ) {}

  /** Seconds since this progress started. */
  elapsed(): number {
    return (performance.now() - this.started) / 1000
  }

  update(fraction: number, detail = ''): void {
    const now = performance.now()
    const f = Math.min(1, Math.max(0, fraction))
    const secs = this.elapsed()
    const eta = f > 0.01 ? (secs / f) * (1 - f) : NaN
    const timing = `${secs.toFixed(0)}s` + (Number.isFinite(eta) ? `, ~${eta.toFixed(0)}s left` : '')
    if (this.sink.isTTY === true) {
      if (now - this.lastDraw < 100 && f < 1) return
      this.lastDraw = now
      const width = 24
      const filled = Math.round(f * width)
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled)
      let line = `${this.label} ${bar} ${(f * 100).toFixed(0).padStart(3)}% ${timing}${detail ? ' ' + detail : ''}`
      const cols = this.sink.columns ?? 100
      if (line.length > cols - 1) line = line.slice(0, cols - 1)
      this.sink.write(`\r\x1b[2K${line}`)
      this.drawn = true
    } else {
      if (now - this.lastDraw < this.lineEverySeconds * 1000) return
      if (this.lastDraw === 0 && secs < this.lineEverySeconds) return
      this.lastDraw = now
      this.sink.write(`${this.label}: ${(f * 100).toFixed(0)}% (${timing})${detail ? ' ' + detail : ''}\n`)
    }
  }

  /** Clears the bar (TTY) so that the next line starts clean. */
  clear(): void {
    if (this.drawn && this.sink.isTTY === true) this.sink.write('\r\x1b[2K')
    this.drawn = false
  }
}
