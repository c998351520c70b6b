// The part of Playwright's Page that the shared specs call, over a puppeteer-core page in Firefox
// (WebDriver BiDi): goto, evaluate, waitForFunction, addInitScript, route/unroute. The shared specs
// then run unchanged in Firefox; a spec that needs more of Page fails with the member's name.
import type { Page } from '@playwright/test';
import type { HTTPRequest, Page as PuppeteerPage } from 'puppeteer-core';

type PageFunction<Arg, R> = (arg: Arg) => R | Promise<R>;
type URLMatch = string | RegExp;

interface FulfillOptions {
  status?: number;
  headers?: Record<string, string>;
  contentType?: string;
  body?: string;
  json?: unknown;
}

/** What a route handler gets: Playwright's Route, as far as the specs use it. */
export class FirefoxRoute {
  /** `body`: fetched before the handler runs, as Playwright's postData() is synchronous. */
  constructor(private readonly req: HTTPRequest, private readonly body: string | null) {}

  request() {
    const { req, body } = this;
    return { method: () => req.method(), headers: () => req.headers(), postData: () => body, url: () => req.url() };
  }

  fulfill({ status = 200, headers = {}, contentType, body, json }: FulfillOptions): Promise<void> {
    const type = contentType ?? (json === undefined ? undefined : 'application/json');
    return this.req.respond({ status, headers, ...(type ? { contentType: type } : {}), body: json === undefined ? body ?? '' : JSON.stringify(json) });
  }

  abort(): Promise<void> {
    return this.req.abort('failed');
  }

  continue(): Promise<void> {
    return this.req.continue();
  }
}

type RouteHandler = (route: FirefoxRoute) => unknown;

/** Playwright's URL globs: `**` any characters, `*` any but `/`. */
function matches(url: string, pattern: URLMatch): boolean {
  if (pattern instanceof RegExp) return pattern.test(url);
  const source = pattern.split('**').map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('.*');
  return new RegExp(`^${source}$`).test(url);
}

export class FirefoxPage {
  private readonly routes: { pattern: URLMatch; handler: RouteHandler }[] = [];
  private intercepting = false;

  constructor(readonly puppeteer: PuppeteerPage, private readonly baseURL: string) {}

  async goto(url: string): Promise<void> {
    await this.puppeteer.goto(new URL(url, this.baseURL).href, { waitUntil: 'load' });
  }

  evaluate<R, Arg>(fn: PageFunction<Arg, R>, arg?: Arg): Promise<Awaited<R>> {
    return this.puppeteer.evaluate(fn as (arg: unknown) => R, arg) as Promise<Awaited<R>>;
  }

  /** No timeout of its own, as in Playwright: the test's timeout bounds it. */
  async waitForFunction<Arg>(fn: PageFunction<Arg, unknown>, arg?: Arg, options: { timeout?: number } = {}): Promise<void> {
    await this.puppeteer.waitForFunction(fn as (arg: unknown) => unknown, { timeout: options.timeout ?? 0, polling: 'raf' }, arg);
  }

  async addInitScript<Arg>(fn: PageFunction<Arg, unknown>, arg?: Arg): Promise<void> {
    await this.puppeteer.evaluateOnNewDocument(fn as (arg: unknown) => unknown, arg);
  }

  async route(pattern: URLMatch, handler: RouteHandler): Promise<void> {
    this.routes.push({ pattern, handler });
    if (this.intercepting) return;
    this.intercepting = true;
    await this.puppeteer.setRequestInterception(true);
    this.puppeteer.on('request', async (req) => {
      const route = [...this.routes].reverse().find((r) => matches(req.url(), r.pattern));
      if (!route) return req.continue();
      const body = req.hasPostData() ? ((await req.fetchPostData()) ?? null) : null;
      await route.handler(new FirefoxRoute(req, body));
    });
  }

  async unroute(pattern: URLMatch): Promise<void> {
    for (let i = this.routes.length - 1; i >= 0; i--) if (String(this.routes[i]?.pattern) === String(pattern)) this.routes.splice(i, 1);
  }
}

/**
 * The adapter typed as Playwright's Page for the shared specs. Members it lacks throw with their
 * name instead of being undefined, so a spec that needs more says so at once.
 */
export function asPlaywrightPage(page: FirefoxPage): Page {
  const proxy = new Proxy(page, {
    get(target, name, receiver) {
      if (typeof name === 'symbol' || name === 'then' || name in target) return Reflect.get(target, name, receiver);
      throw new Error(`page.${name} is not available in Firefox (e2e/firefox/page.ts adapts only what the shared specs use)`);
    },
  });
  return proxy as unknown as Page;
}
