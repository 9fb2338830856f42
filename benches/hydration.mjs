// `scripts/bench wasm`, second half (run by benches/wasm.sh): time to hydrated of a signed-in page
// in Debian's Chromium, through the Chrome DevTools Protocol's network throttling.
//
// Each run is a fresh browser context: sign in through /login (no throttling, as the browser tests
// do), then, throttled to 10 Mbit/s down, 5 Mbit/s up and 40 ms round trip:
//   cold: the browser cache cleared and bypassed (Network.clearBrowserCache, setCacheDisabled),
//   warm: the same page again in the same context, cache on.
// "Hydrated" is the moment `body` gets data-hydrated="true" (an effect of the App component sets
// it once hydration has run), read in the page by a MutationObserver as performance.now(): the time
// since the navigation started (performance.timeOrigin). Prints each run, then median, min and max.
//   BASE_URL=http://127.0.0.1:3120 RUNS=5 node benches/hydration.mjs
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The Playwright of the browser tests (end2end/node_modules); it downloads no browser.
const { chromium } = createRequire(path.join(root, 'end2end', 'package.json'))('@playwright/test');

const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:3120';
const RUNS = Number(process.env.RUNS ?? 5);
const PAGE = process.env.BENCH_PAGE ?? '/users';
const ACCOUNT = { tenant: 'demo', email: 'owner@demo.test', password: 'demo-password-2026' };
// Bytes per second (DevTools' unit): 10 and 5 Mbit/s.
const THROTTLE = { offline: false, latency: 40, downloadThroughput: 10_000_000 / 8, uploadThroughput: 5_000_000 / 8 };
const TARGET = { cold: 1500, warm: 300 };

function fail(message) {
  console.error(`error: ${message}`);
  process.exit(1);
}

// Set in every document before its own scripts run; MutationObserver callbacks are microtasks, so
// the time read is that of the effect's set_attribute, give or take the rest of its task.
function markHydration() {
  const mark = () => {
    if (window.__hydratedAt === undefined && document.body?.getAttribute('data-hydrated') === 'true') {
      window.__hydratedAt = performance.now();
    }
  };
  new MutationObserver(mark).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-hydrated'] });
}

async function signIn(page) {
  await page.goto('/login');
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
  await page.locator('#tenant').fill(ACCOUNT.tenant);
  await page.locator('#email').fill(ACCOUNT.email);
  await page.locator('#password').fill(ACCOUNT.password);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.getByTestId('welcome').waitFor({ timeout: 30_000 });
}

// One navigation to PAGE: ms from navigation start to hydrated, with where the time went.
async function measure(page) {
  const encodings = new Map();
  const onResponse = async (response) => {
    const { pathname } = new URL(response.url());
    if (/\.(wasm|js|css)$/.test(pathname)) {
      const headers = await response.allHeaders().catch(() => ({}));
      encodings.set(pathname, headers['content-encoding'] ?? 'identity');
    }
  };
  page.on('response', onResponse);
  const started = performance.now();
  await page.goto(PAGE, { waitUntil: 'commit', timeout: 60_000 });
  await page.waitForFunction(() => window.__hydratedAt !== undefined, null, { timeout: 60_000, polling: 50 });
  const outside = performance.now() - started;
  page.off('response', onResponse);
  const url = new URL(page.url());
  if (url.pathname !== PAGE) fail(`${PAGE} ended on ${url.pathname}${url.search} (not signed in?)`);
  if ((await page.getByTestId('users-table').count()) === 0 && PAGE === '/users') fail('no users table on /users');
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const assets = performance.getEntriesByType('resource')
      .filter((e) => /\/pkg\/[^/]+\.(wasm|js|css)$/.test(new URL(e.name).pathname))
      .map((e) => ({ path: new URL(e.name).pathname, end: e.responseEnd, transfer: e.transferSize }));
    return { hydrated: window.__hydratedAt, html: nav.transferSize, assets };
  });
  // A warm load may take the wasm from memory with no resource entry; a cold one must fetch it.
  const wasm = timing.assets.find((a) => a.path.endsWith('.wasm')) ?? { path: '', end: NaN, transfer: NaN };
  return {
    hydrated: timing.hydrated,
    outside,
    wasmEnd: wasm.end,
    // Bytes over the wire: transferSize is 0 for a cache hit, headers only for a 304.
    transferred: timing.html + timing.assets.reduce((n, a) => n + a.transfer, 0),
    wasmTransfer: wasm.transfer,
    wasmEncoding: encodings.get(wasm.path) ?? '(cache)',
  };
}

async function run(browser, index) {
  const context = await browser.newContext({ baseURL: BASE_URL, locale: 'pt-BR' });
  try {
    await context.addInitScript(markHydration);
    const page = await context.newPage();
    await signIn(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.clearBrowserCache');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    // Deprecated in recent Chromium in favour of the rule-based form; either throttles the page.
    await cdp.send('Network.emulateNetworkConditions', THROTTLE).catch(() =>
      cdp.send('Network.emulateNetworkConditionsByRule', { matchedNetworkConditions: [{ urlPattern: '', ...THROTTLE }] }));
    const cold = await measure(page);
    if (Number.isNaN(cold.wasmEnd)) fail(`the cold load of ${PAGE} fetched no .wasm`);
    // At 10 Mbit/s the wasm alone cannot arrive sooner than its bytes allow: if it did, the
    // throttling was not applied and the figures would be loopback's.
    const floor = (cold.wasmTransfer / THROTTLE.downloadThroughput) * 1000;
    if (cold.wasmEnd < floor) fail(`the wasm arrived at ${ms(cold.wasmEnd)} ms, under the ${ms(floor)} ms its size takes at 10 Mbit/s: not throttled`);
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
    const warm = await measure(page);
    for (const [kind, m] of [['cold', cold], ['warm', warm]]) {
      console.log(
        `    run ${index} ${kind}: hydrated ${m.hydrated.toFixed(0)} ms (seen from outside ${m.outside.toFixed(0)} ms), ` +
          `wasm in at ${ms(m.wasmEnd)} ms, ` +
          (m.wasmTransfer > 0
            ? `wasm ${kb(m.wasmTransfer)} KB over the wire (${m.wasmEncoding}), `
            : 'wasm from the cache, ') +
          `page + pkg files ${kb(m.transferred)} KB over the wire`,
      );
    }
    return { cold, warm };
  } finally {
    await context.close();
  }
}

const ms = (v) => (Number.isNaN(v) ? '-' : v.toFixed(0));
const kb = (v) => (Number.isNaN(v) ? '-' : (v / 1024).toFixed(1));

function stats(values) {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: NaN, min: NaN, max: NaN };
  const n = sorted.length;
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { median, min: sorted[0], max: sorted[n - 1] };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
let results;
try {
  console.log(`==> time to hydrated of ${PAGE}, ${RUNS} runs (${browser.version()}, 10/5 Mbit/s, 40 ms RTT)`);
  results = [];
  for (let i = 1; i <= RUNS; i++) results.push(await run(browser, i));
} catch (err) {
  fail(err?.stack ?? String(err));
} finally {
  await browser.close();
}

const fmt = (s) => `${ms(s.median).padStart(6)} ${ms(s.min).padStart(6)} ${ms(s.max).padStart(6)}`;
console.log('');
console.log(`  ${'time to hydrated (ms)'.padEnd(34)} median    min    max   target`);
for (const kind of ['cold', 'warm']) {
  const hydrated = stats(results.map((r) => r[kind].hydrated));
  const wasmEnd = stats(results.map((r) => r[kind].wasmEnd));
  const verdict = hydrated.median < TARGET[kind] ? 'met' : 'MISSED';
  console.log(`  ${`${kind}: hydrated`.padEnd(34)} ${fmt(hydrated)}   < ${TARGET[kind]} ms (${verdict})`);
  console.log(`  ${`${kind}: wasm received`.padEnd(34)} ${fmt(wasmEnd)}`);
}
for (const kind of ['cold', 'warm']) {
  const h = stats(results.map((r) => r[kind].hydrated));
  console.log(`RESULT hydrated ${kind}: median ${h.median.toFixed(0)} ms, min ${h.min.toFixed(0)}, max ${h.max.toFixed(0)} (${RUNS} runs; target < ${TARGET[kind]} ms)`);
}
