// What a page load costs the network: the wasm, its JS and the CSS carry a content hash in their
// names and are kept by browsers for a year without asking again; text and wasm go compressed.
import { test, expect } from './fixtures';

/** The addresses of the page's stylesheet, script and wasm, as its HTML names them. */
async function assetsOf(html: string): Promise<string[]> {
  const found = [...html.matchAll(/(?:href|src)="(\/pkg\/[^"]+)"/g)].map((m) => m[1]);
  return [...new Set(found)];
}

test('hashed assets are cached for a year, compressed, and a new build gets new names', async ({ request }) => {
  const page = await request.get('/login');
  expect(page.status()).toBe(200);
  // Pages themselves are never cached as immutable.
  expect(page.headers()['cache-control'] ?? '').not.toContain('immutable');
  const assets = await assetsOf(await page.text());
  const kinds = assets.map((a) => a.split('.').pop());
  expect(kinds).toEqual(expect.arrayContaining(['css', 'js', 'wasm']));

  for (const path of assets) {
    // `name.<22-character hash>.ext`: a new build of different content is a new address.
    expect(path, 'a content hash in the name').toMatch(/^\/pkg\/[^/]+\.[A-Za-z0-9_-]{22}\.(css|js|wasm)$/);
    const answer = await request.get(path, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(answer.status(), path).toBe(200);
    expect(answer.headers()['cache-control'], path).toBe('public, max-age=31536000, immutable');
    expect(['br', 'gzip'], `${path} is compressed`).toContain(answer.headers()['content-encoding']);
  }
});

test('files without a hash in their name are revalidated, not kept', async ({ request }) => {
  const icon = await request.get('/favicon.svg');
  expect(icon.status()).toBe(200);
  expect(icon.headers()['cache-control']).toBe('no-cache');
  const missing = await request.get('/pkg/atrium.AAAAAAAAAAAAAAAAAAAAAA.wasm');
  expect(missing.status()).toBe(404);
  expect(missing.headers()['cache-control'] ?? '').not.toContain('immutable');
});
