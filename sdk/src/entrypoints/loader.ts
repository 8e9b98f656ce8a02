/**
 * Script-tag loader (IIFE, a few hundred bytes): finds its own tag, loads the SDK core module
 * beside it and hands over the queue of calls the page made before. Never throws into the page.
 */
interface Stub {
  (...args: unknown[]): void
  q?: ArrayLike<unknown>[]
  loaded?: boolean
  ready?: Promise<unknown>
}
interface LoaderWindow {
  fedrec?: Stub
  __fedrecLoader?: boolean
}

;(() => {
  try {
    const w = window as unknown as LoaderWindow
    // Double-include guard: a second tag (or a loaded SDK) leaves the first one in charge.
    if (w.__fedrecLoader || w.fedrec?.loaded) {
      console.warn('[fedrec] the SDK tag is included more than once; ignoring the extra one')
      return
    }
    w.__fedrecLoader = true
    // The queue stub, if the page left it out; and `fedrec.ready` at once, before the SDK loads,
    // so page code can `await fedrec.ready` whenever it runs (it stays pending if loading fails).
    const stub: Stub = (w.fedrec ??= function (...args: unknown[]) {
      ;((stub.q ??= []) as unknown[][]).push(args)
    } as Stub)
    let resolveReady: (client: unknown) => void = () => undefined
    stub.ready ??= new Promise((r) => (resolveReady = r))
    const script = document.currentScript as HTMLScriptElement | null
    const src = script?.src ?? ''
    const base = src ? src.slice(0, src.lastIndexOf('/') + 1) : '/sdk/'
    const dataset = { ...(script?.dataset ?? {}) }
    import(`${base}fedrec.js`)
      .then((m: { boot: (o: { base: string; dataset: Record<string, string | undefined>; queue: ArrayLike<unknown>[] }) => Stub & { ready: Promise<unknown> } }) => {
        // Calls made while the module loaded are still on the stub's queue: take them all.
        const queue = w.fedrec?.q ?? []
        const live = m.boot({ base, dataset, queue: Array.from(queue) })
        w.fedrec = live
        void live.ready.then(resolveReady)
      })
      .catch((e: unknown) => console.warn('[fedrec] could not load the SDK; the page works without it', e))
  } catch (e) {
    console.warn('[fedrec] loader failed; the page works without it', e)
  }
})()
