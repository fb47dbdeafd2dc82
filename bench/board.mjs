// board.mjs: what the board costs a browser (bench/board.sh drives it):
// the bytes transferred for a run's page with its assets (cold: a fresh
// profile; warm: the assets cached under their versioned URLs), and the
// time to first paint and first contentful paint in Debian's headless
// Chromium, medians over LOADS loads. Environment: BOARD (the server's
// URL), RUN, TOKEN, WORK, LOADS (default 15).
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';

// playwright-core as tests/browser installed it (its package-lock.json)
const { chromium } = createRequire(new URL('../tests/browser/package.json', import.meta.url))('playwright-core');
const { BOARD, RUN, TOKEN, WORK } = process.env;
const LOADS = Number(process.env.LOADS || 10);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function load(page, client, url) {
  const bytes = new Map();   // requestId -> encoded bytes (headers + body), the stream left out
  const names = new Map();
  const onResp = (e) => names.set(e.requestId, e.response.url);
  const onDone = (e) => bytes.set(e.requestId, e.encodedDataLength);
  client.on('Network.responseReceived', onResp);
  client.on('Network.loadingFinished', onDone);
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForTimeout(300);   // the stream opens; nothing else should load
  client.off('Network.responseReceived', onResp);
  client.off('Network.loadingFinished', onDone);
  const paint = await page.evaluate(() => Object.fromEntries(
    performance.getEntriesByType('paint').map((p) => [p.name, p.startTime])));
  const nav = await page.evaluate(() => performance.getEntriesByType('navigation')[0].responseEnd);
  let total = 0;
  const parts = {};
  for (const [id, n] of bytes) {
    const u = new URL(names.get(id) || 'about:blank');
    if (u.pathname.startsWith('/api/v1/stream')) continue;
    total += n;
    parts[u.pathname] = (parts[u.pathname] || 0) + n;
  }
  return { total, parts, fp: paint['first-paint'], fcp: paint['first-contentful-paint'], html: nav };
}

const url = `${BOARD}/runs/${RUN}`;
const cold = [], warm = [], small = [];
for (let i = 0; i < LOADS; i++) {
  const ctx = await chromium.launchPersistentContext(mkdtempSync(join(WORK, 'bench-')), {
    executablePath: '/usr/bin/chromium', headless: true, args: ARGS, viewport: { width: 1280, height: 800 } });
  const page = ctx.pages()[0] || await ctx.newPage();
  await page.goto(`${BOARD}/login`);
  await page.fill('input[name=token]', TOKEN);
  await page.click('button[type=submit]');
  await page.waitForURL(`${BOARD}/`);
  const client = await ctx.newCDPSession(page);
  await client.send('Network.enable');
  // the login page fetched the assets already: clear the cache for a cold load
  await client.send('Network.clearBrowserCache');
  cold.push(await load(page, client, url));
  for (let k = 0; k < 3; k++) warm.push(await load(page, client, url));
  small.push(await load(page, client, `${BOARD}/runs/${RUN}?module=module-1`));
  await ctx.close();
}
const report = (name, xs) => {
  const parts = Object.entries(xs[0].parts).map(([k, v]) => `${k.replace(/^\/assets\//, '')} ${v}`).join(', ');
  console.log(`${name}: ${median(xs.map((x) => x.total))} bytes (${parts}); ` +
    `first paint ${median(xs.map((x) => x.fp)).toFixed(0)} ms, ` +
    `first contentful paint ${median(xs.map((x) => x.fcp)).toFixed(0)} ms, ` +
    `HTML received ${median(xs.map((x) => x.html)).toFixed(0)} ms (medians of ${xs.length})`);
};
report('run page, cold (fresh cache, first page of the browser)', cold);
report('run page, warm (assets cached)', warm);
report('filtered to one module (10 items), warm', small);
