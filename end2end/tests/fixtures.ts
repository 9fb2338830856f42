// Playwright's `test` with one addition for every page a test opens: when the test fails, what
// the browser said (console errors, uncaught errors, failed requests) and how far the page got
// (document state, hydration, the wasm and its script) are printed beside the failure. A page that
// never hydrates otherwise fails with nothing but a timeout.
import { test as base, expect, Page, Browser, BrowserContext } from '@playwright/test';

export { expect };
export type { Page, Browser, BrowserContext };

function record(page: Page, log: string[]) {
  const started = Date.now();
  const at = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') log.push(`${at()} console.${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => log.push(`${at()} pageerror: ${err.message}`));
  page.on('requestfailed', (req) => log.push(`${at()} request failed: ${req.url()} (${req.failure()?.errorText})`));
  page.on('load', () => log.push(`${at()} load: ${page.url()}`));
}

async function state(page: Page): Promise<string> {
  try {
    return await page.evaluate(() => {
      const pkg = performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('/pkg/'))
        .map((e) => {
          const r = e as PerformanceResourceTiming;
          return `${r.name.replace(location.origin, '')} ${Math.round(r.startTime)}..${Math.round(r.responseEnd)} ms (${r.transferSize} B)`;
        });
      return [
        `url ${location.href}`,
        `readyState ${document.readyState}, data-hydrated ${document.body?.getAttribute('data-hydrated')}`,
        `pkg: ${pkg.join('; ') || 'none requested'}`,
      ].join('\n');
    });
  } catch (err) {
    return `page state unavailable: ${err}`;
  }
}

export const test = base.extend<{ diagnostics: void }>({
  diagnostics: [
    async ({ context }, use, testInfo) => {
      const log: string[] = [];
      const pages: Page[] = [];
      context.on('page', (page) => {
        pages.push(page);
        record(page, log);
      });
      await use();
      if (testInfo.status !== testInfo.expectedStatus) {
        const states = await Promise.all(pages.filter((p) => !p.isClosed()).map(state));
        const report = [...states, ...log].join('\n');
        console.error(`--- browser diagnostics for "${testInfo.title}" ---\n${report}`);
        await testInfo.attach('browser-diagnostics', { body: report, contentType: 'text/plain' });
      }
    },
    { auto: true },
  ],
});
