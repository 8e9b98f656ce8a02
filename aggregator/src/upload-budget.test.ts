import { describe, expect, it } from 'vitest'
import { updateBytes } from './protocol/update-codec.js'
import { UPLOAD_BUDGET_BYTES, uploadEncodingFor } from './upload-budget.js'

describe('uploadEncodingFor', () => {
  it('keeps float32 while it fits, then int8, then int4', () => {
    expect(uploadEncodingFor([[195, 32], [25, 32]])).toBe('float32')
    expect(uploadEncodingFor([[1100, 32]])).toBe('int8')
    expect(uploadEncodingFor([[7501, 32], [64, 32]])).toBe('int4')
    expect(updateBytes([[7501, 32], [64, 32]], 'int4')).toBeLessThanOrEqual(UPLOAD_BUDGET_BYTES)
    // Past what even int4 carries, int4 is still the answer (the caller reports the excess).
    expect(uploadEncodingFor([[43_098, 32]])).toBe('int4')
  })

  it('decides at the exact byte', () => {
    const shapes = [[1000, 32]]
    expect(uploadEncodingFor(shapes, { budget: updateBytes(shapes, 'float32') })).toBe('float32')
    expect(uploadEncodingFor(shapes, { budget: updateBytes(shapes, 'float32') - 1 })).toBe('int8')
  })

  it('never picks more precision than asked for', () => {
    expect(uploadEncodingFor([[195, 32]], { prefer: 'int8' })).toBe('int8')
    expect(uploadEncodingFor([[195, 32]], { prefer: 'int4' })).toBe('int4')
    expect(uploadEncodingFor([[7501, 32]], { prefer: 'int8' })).toBe('int4')
  })
})
