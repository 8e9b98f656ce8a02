/** Progress: a redrawn bar on a terminal, throttled plain lines elsewhere. */

import { describe, expect, it } from 'vitest'
import { Progress, type ProgressSink } from './progress.js'

function sink(isTTY: boolean): ProgressSink & { text: string } {
  return {
    isTTY,
    columns: 80,
    text: '',
    write(chunk: string) {
      this.text += chunk
      return true
    },
  }
}

describe('Progress', () => {
  it('redraws one line on a TTY and clears it', () => {
    const s = sink(true)
    const p = new Progress('pop eval', s)
    p.update(0.5, '5/10 cases')
    expect(s.text).toMatch(/^\r\x1b\[2Kpop eval █+░+ +50% /)
    p.clear()
    expect(s.text.endsWith('\r\x1b[2K')).toBe(true)
  })

  it('stays quiet in logs until the throttle interval has passed', () => {
    const s = sink(false)
    const p = new Progress('gru train', s, 0)
    p.update(0.25)
    expect(s.text).toMatch(/^gru train: 25% \(/)
    const quiet = sink(false)
    new Progress('gru train', quiet, 60).update(0.25)
    expect(quiet.text).toBe('')
  })
})
