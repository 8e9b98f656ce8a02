import { describe, expect, it } from 'vitest'
import { checkpointPays, MAX_LOOSE_PAYLOADS } from './sum-checkpoint.js'

describe('checkpointPays', () => {
  it('checkpoints from three updates on, when a checkpoint (8 B/param) writes less than their payloads (4 B/param each)', () => {
    expect(checkpointPays({ batch: 1, loose: 0, keepEveryUpdate: false })).toBe(false)
    expect(checkpointPays({ batch: 2, loose: 0, keepEveryUpdate: false })).toBe(false)
    expect(checkpointPays({ batch: 3, loose: 0, keepEveryUpdate: false })).toBe(true)
  })

  it('folds the loose payloads into a checkpoint before there are more than the bound', () => {
    expect(checkpointPays({ batch: 1, loose: MAX_LOOSE_PAYLOADS - 1, keepEveryUpdate: false })).toBe(false)
    expect(checkpointPays({ batch: 1, loose: MAX_LOOSE_PAYLOADS, keepEveryUpdate: false })).toBe(true)
  })

  it('never checkpoints when every update must be kept (robust aggregation)', () => {
    expect(checkpointPays({ batch: 64, loose: 1000, keepEveryUpdate: true })).toBe(false)
  })
})
