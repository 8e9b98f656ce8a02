/** Debian's chromium through playwright-core, with the flags this platform needs (see ../shared/PLATFORM.md). */
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core'

export const CHROMIUM_PATH = process.env.FEDREC_CHROMIUM ?? '/usr/bin/chromium'

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Gives WebGPU an adapter (SwiftShader here), in pages and in dedicated workers.
  '--enable-unsafe-webgpu',
]

/** `webgpu: false` leaves out the WebGPU flag, as on a machine whose browser has no adapter. */
export async function launchChromium(opts: { readonly webgpu?: boolean } = {}): Promise<Browser> {
  const args = opts.webgpu === false ? CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu') : CHROMIUM_ARGS
  return chromium.launch({ executablePath: CHROMIUM_PATH, args, headless: true })
}

/** One request as the network saw it, from any page or worker of a context. */
export interface CapturedRequest {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer | null
  readonly resourceType: string
}

/**
 * Records every request a context makes (pages and their workers), with the headers as sent on
 * the wire, cookies included. Call `settled()` before reading `requests`.
 * @example
 * const net = captureRequests(context)
 * ...
 * const all = await net.settled()
 */
export function captureRequests(context: BrowserContext): { readonly requests: CapturedRequest[]; settled(): Promise<CapturedRequest[]> } {
  const requests: CapturedRequest[] = []
  const pending: Promise<void>[] = []
  context.on('request', (req: Request) => {
    pending.push(
      req
        .allHeaders()
        .catch(() => req.headers())
        .then((headers) => {
          // A request still in flight when its page or worker goes away (a navigation ends the
          // worker) reports only Chromium's provisional headers, with `referer: ''`; a server
          // receiving such a request sees no Referer at all (checked with a raw Node server).
          if (headers.referer === '') {
            headers = { ...headers }
            delete headers.referer
          }
          requests.push({ method: req.method(), url: req.url(), headers, body: req.postDataBuffer(), resourceType: req.resourceType() })
        }),
    )
  })
  return { requests, settled: async () => (await Promise.all(pending), requests) }
}

/** Forwards a page's console and errors to the test output with a prefix. */
export function echoConsole(context: BrowserContext, prefix: string, sink: string[]): void {
  context.on('page', (page) => {
    page.on('console', (m) => sink.push(`${prefix} ${m.type()}: ${m.text()}`))
    page.on('pageerror', (e) => sink.push(`${prefix} pageerror: ${e.message}`))
    page.on('worker', (w) => w.on('console', (m) => sink.push(`${prefix} worker ${m.type()}: ${m.text()}`)))
  })
}

/**
 * Clicks "Allow" on the demo store's consent banner and waits until the choice is stored: the
 * banner closes then, and navigating before that aborts the IndexedDB write. The banner appears
 * once the SDK has read the stored consent, which took over playwright's default 30 s once on 2
 * busy cores (a CI run with a build beside it), so both waits are generous.
 */
export async function allowOnConsentBanner(page: Page): Promise<void> {
  const allow = page.locator('#consent-grant')
  await allow.click({ timeout: 120_000 })
  await allow.waitFor({ state: 'detached', timeout: 120_000 })
}

