import { describe, expect, it } from 'vitest'
import { MemoryStore } from '../store/event-store.js'
import { exportLocalData, toJson } from './local-data.js'
import { uploadBlocker } from './privacy-signals.js'

describe('export', () => {
  it('turns typed arrays into base64 and keeps plain data', () => {
    expect(toJson({ a: new Uint8Array([1, 2, 3]), b: new Float32Array([1]), c: [1, 'x', null, undefined], d: NaN })).toEqual({
      a: { type: 'Uint8Array', length: 3, base64: 'AQID' },
      b: { type: 'Float32Array', length: 1, base64: 'AACAPw==' },
      c: [1, 'x', null, null],
      d: 'NaN',
    })
  })
  it('exports every event and every record of a store', async () => {
    const s = new MemoryStore()
    await s.addEvents([{ name: 'view_item', ts: 1, params: { items: [{ item_id: 'A' }] } }])
    await s.set('consent', 'pending')
    await s.set('anything-else', { bytes: new Uint8Array([255]) })
    const out = await exportLocalData(s, 'memory')
    expect(out.events).toHaveLength(1)
    expect(out.records).toEqual({ consent: 'pending', 'anything-else': { bytes: { type: 'Uint8Array', length: 1, base64: '/w==' } } })
    expect(JSON.parse(JSON.stringify(out))).toEqual(out)
  })
})

describe('privacy signals', () => {
  it('GPC and DNT block uploads; their absence does not', () => {
    expect(uploadBlocker({ globalPrivacyControl: true })).toBe('gpc')
    expect(uploadBlocker({ doNotTrack: '1' })).toBe('dnt')
    expect(uploadBlocker({ doNotTrack: '0', globalPrivacyControl: false })).toBeNull()
    expect(uploadBlocker(undefined)).toBeNull()
  })
})
