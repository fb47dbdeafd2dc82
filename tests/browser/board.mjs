// The board of `preflight serve` in Debian's headless Chromium, driven by
// playwright-core (docs/board.md, "Tests"). t1120-board-browser.sh starts
// the server with a run open and passes, in the environment:
//   BOARD       the server's URL          RUN      the run's id
//   TOKEN       ann's token (the actor)   DB       the store, for `preflight status`
//   PREFLIGHT   the binary                WORK     a scratch directory
//   SHOTS       where screenshots go when UPDATE_SCREENSHOTS=1 (docs/img)
// Prints TAP-like lines ("ok N - ..."), exits 1 when any failed.
import { chromium } from 'playwright-core';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';

const env = (k) => {
  if (!process.env[k]) { console.error(`board.mjs: ${k} is not set`); process.exit(2); }
  return process.env[k];
};
const BOARD = env('BOARD'), RUN = env('RUN'), TOKEN = env('TOKEN'), DB = env('DB');
const PREFLIGHT = env('PREFLIGHT'), WORK = env('WORK');
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? env('SHOTS') : null;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const WAIT = 15000;   // the longest any one expectation waits (ms)

let n = 0, failed = 0;
function ok(cond, desc, detail) {
  n++;
  if (cond) { console.log(`ok ${n} - ${desc}`); return; }
  failed++;
  console.log(`not ok ${n} - ${desc}`);
  if (detail !== undefined) console.log(`#   ${String(detail).split('\n').join('\n#   ')}`);
}
async function eventually(fn, desc) {
  try { await fn(); ok(true, desc); } catch (e) { ok(false, desc, e.message); }
}

// A browser of its own: a fresh profile, nothing from the network.
async function browser(viewport) {
  return chromium.launchPersistentContext(mkdtempSync(join(WORK, 'chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Every page: CSP violations and script errors are failures.
const problems = [];
function watch(page, who) {
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(`${who}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${who}: ${e.message}`));
}

async function login(page, who) {
  await page.goto(`${BOARD}/`);
  ok(new URL(page.url()).pathname === '/login', `${who}: the board asks an anonymous browser to log in`, page.url());
  await page.fill('input[name=token]', 'not-a-token-at-all-0000');
  await page.click('button[type=submit]');
  await eventually(() => page.getByText('wrong token').waitFor({ timeout: WAIT }),
    `${who}: a wrong token is refused with "wrong token"`);
  await page.fill('input[name=token]', TOKEN);
  await page.click('button[type=submit]');
  await page.waitForURL(`${BOARD}/`, { timeout: WAIT });
  ok((await page.textContent('.who')).includes('ann'), `${who}: logged in, the page names the token's name`);
}

// The run as `preflight status` says it (exit 1 while an item is open or failed).
function status() {
  const r = spawnSync(PREFLIGHT, ['status', RUN, '--db', DB, '--format', 'json'], { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) throw new Error(`preflight status: exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
const itemOf = (doc, id) => doc.items.find((i) => i.id === id);
const row = (page, id) => page.locator(`tr[data-key="item-${id}"]`);

const a = await browser({ width: 1280, height: 800 });
const b = await browser({ width: 1280, height: 800 });
try {
  const pa = a.pages()[0] || await a.newPage();
  const pb = b.pages()[0] || await b.newPage();
  watch(pa, 'first browser');
  watch(pb, 'second browser');

  await login(pa, 'first browser');
  ok(await pa.locator(`a[href="/runs/${RUN}"]`).count() === 1, 'the runs page links the open run');
  const rows = await pa.locator('table.runs tbody tr').allTextContents();
  ok(rows.length === 2 && /open/.test(rows[0]) && rows[0].includes(`#${RUN} `) && /closed/.test(rows[1]),
    'the runs page lists the open run first, then the closed one', rows.join('\n'));
  ok(await pa.locator(`tr[data-key="run-${RUN}"] td[data-label=overdue]`).textContent() === '1',
    'with its overdue count');
  if (SHOTS) await pa.screenshot({ path: join(SHOTS, 'board-runs.png') });

  const res = await pa.goto(`${BOARD}/runs/${RUN}`);
  const csp = res.headers()['content-security-policy'] || '';
  ok(/script-src 'self'/.test(csp) && /frame-ancestors 'none'/.test(csp), 'the run page is served with its CSP', csp);
  ok(res.headers()['x-content-type-options'] === 'nosniff', 'and nosniff');
  await eventually(() => pa.locator('#live-state[data-state=connected]').waitFor({ timeout: WAIT }),
    'the live indicator says connected');
  ok(await pa.locator('svg.chart').count() >= 2, 'the run page draws the report\'s charts');
  ok(/overdue by 1h [0-9]+m/.test(await row(pa, 'infra-dns').textContent()),
    'an overdue item says by how much ("overdue by 1h 5m")');

  // the second browser: its own login, the same run, a marker that a reload would lose
  await login(pb, 'second browser');
  await pb.goto(`${BOARD}/runs/${RUN}`);
  await pb.evaluate(() => { window.__boardMarker = 'no reload'; });
  await eventually(() => pb.locator('#live-state[data-state=connected]').waitFor({ timeout: WAIT }),
    'second browser: live');

  // filter to one module: the URL holds it, only that module's items are shown
  await pa.selectOption('form.filters select[name=module]', 'payment');
  await pa.click('form.filters button[type=submit]');
  await pa.waitForURL(/module=payment/, { timeout: WAIT });
  ok(new URL(pa.url()).searchParams.get('module') === 'payment', 'the filter is in the URL', pa.url());
  const modules = await pa.locator('table.items tbody td[data-label=module]').allTextContents();
  ok(modules.length === 3 && modules.every((m) => m === 'payment'), 'only the payment items are shown',
    modules.join(', '));
  const filteredURL = pa.url();

  // confirm an item: pass, and the event's actor is the token's name
  await row(pa, 'pay-flag').locator('button', { hasText: 'confirm' }).click();
  await eventually(() => pa.locator('tr[data-key="item-pay-flag"][data-status=pass]').waitFor({ timeout: WAIT }),
    'confirm: the item shows pass');
  const afterConfirm = itemOf(status(), 'pay-flag');
  ok(afterConfirm.status === 'pass' && afterConfirm.executor === 'ann',
    'the store says pass, by the token\'s name (ann)', JSON.stringify(afterConfirm));

  // skip without a reason: refused, the message on the page, no navigation
  await row(pa, 'pay-signoff').locator('button', { hasText: 'skip' }).click();
  const alert = row(pa, 'pay-signoff').locator('.alert');
  await eventually(() => alert.filter({ hasText: /needs a reason/ }).waitFor({ timeout: WAIT }),
    'skip without a reason is refused and the message is shown next to the item');
  ok(pa.url() === filteredURL, 'the page stayed where it was (the filter kept)', pa.url());
  ok(itemOf(status(), 'pay-signoff').status === 'pending', 'the refused skip changed nothing');

  // then with one
  await row(pa, 'pay-signoff').locator('input[name=reason]').fill('finance signs off on Monday');
  await row(pa, 'pay-signoff').locator('button', { hasText: 'skip' }).click();
  await eventually(() => pa.locator('tr[data-key="item-pay-signoff"][data-status=skip]').waitFor({ timeout: WAIT }),
    'skip with a reason: the item shows skip');
  ok((await row(pa, 'pay-signoff').textContent()).includes('finance signs off on Monday'), 'with its reason');
  if (SHOTS) await pa.screenshot({ path: join(SHOTS, 'board-filtered.png') });

  // the second browser saw both without reloading
  await eventually(() => pb.locator('tr[data-key="item-pay-flag"][data-status=pass]').waitFor({ timeout: WAIT }),
    'second browser: the confirm arrived live');
  await eventually(() => pb.locator('tr[data-key="item-pay-signoff"][data-status=skip]').waitFor({ timeout: WAIT }),
    'second browser: the skip arrived live');
  ok(await pb.evaluate(() => window.__boardMarker) === 'no reload', 'second browser: without a reload');
  ok(await pb.locator('header.top').count() === 1 && await pb.locator('h1').count() === 1,
    'second browser: the swaps replaced the live part only');

  // a half-typed reason survives a live update
  await pb.locator('tr[data-key="item-pay-refund"] input[name=reason]').fill('half typed');
  execFileSync(PREFLIGHT, ['item', 'confirm', RUN, 'ord-canary', '--by', 'carol', '--db', DB]);
  await eventually(() => pb.locator('tr[data-key="item-ord-canary"][data-status=pass]').waitFor({ timeout: WAIT }),
    'second browser: a change made by the CLI arrives live too');
  ok(await pb.locator('tr[data-key="item-pay-refund"] input[name=reason]').inputValue() === 'half typed',
    'a half-typed reason is kept across the update');

  // the item's history: every event, who, via
  await pa.goto(`${BOARD}/runs/${RUN}/items/pay-signoff`);
  const kinds = await pa.locator('table.history tbody td[data-label=event]').allTextContents();
  ok(kinds.join(',') === 'item.skip', 'the item history lists its events', kinds.join(','));
  const who = await pa.locator('table.history tbody tr').last().textContent();
  ok(/ann/.test(who) && /board/.test(who) && /Monday/.test(who), 'who, via the board, and the reason', who);
  await pa.goto(`${BOARD}/runs/${RUN}/items/ord-migrate`);
  const migrate = await pa.locator('table.history tbody td[data-label=event]').allTextContents();
  ok(migrate.includes('item.result'), 'an automatic item\'s history has its verdict', migrate.join(','));

  // follow-ups: the failed item's, closed with its RCA from the board
  await pa.goto(`${BOARD}/followups?run=${RUN}`);
  const fu = pa.locator('table.followups tbody tr').first();
  ok(/ord-migrate/.test(await fu.textContent()), 'the follow-ups page lists the failure\'s follow-up');
  await fu.locator('button', { hasText: 'close' }).click();
  await eventually(() => fu.locator('.alert').filter({ hasText: /RCA/ }).waitFor({ timeout: WAIT }),
    'closing without an RCA is refused on the page');
  await fu.locator('input[name=rca]').fill('the migration job ran before the deploy');
  await fu.locator('button', { hasText: 'close' }).click();
  await eventually(() => pa.locator('table.followups tbody tr').first().getByText(/closed/).waitFor({ timeout: WAIT }),
    'with one, the follow-up shows closed');
  ok(await pa.locator('header.top').count() === 1 && await pa.locator('#live #live').count() === 0,
    'the swap after it put no page inside the page');
  await pa.goto(`${BOARD}/runs/${RUN}/items/ord-migrate`);
  const closed = await pa.locator('table.history tbody td[data-label=event]').allTextContents();
  ok(closed.at(-1) === 'followup.close', 'the item\'s history ends with the follow-up\'s closing', closed.join(','));
  if (SHOTS) await pa.screenshot({ path: join(SHOTS, 'board-item-history.png') });

  // a phone: the items table becomes cards
  const phone = await a.newPage();
  watch(phone, 'phone');
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(`${BOARD}/runs/${RUN}`);
  const shape = await phone.evaluate(() => {
    const td = document.querySelector('table.items tbody td[data-label=title]');
    const head = document.querySelector('table.items thead');
    return { td: getComputedStyle(td).display, head: getComputedStyle(head).display,
      label: getComputedStyle(td, '::before').content, wide: document.documentElement.scrollWidth };
  });
  ok(shape.td === 'flex' && shape.head === 'none' && shape.label === '"title"',
    'on a phone the items are cards, each field labelled', JSON.stringify(shape));
  ok(shape.wide <= 400, 'and the page does not scroll sideways', shape.wide);
  if (SHOTS) await phone.screenshot({ path: join(SHOTS, 'board-phone.png') });

  ok(problems.length === 0, 'no script error and no CSP violation in any page', problems.join('\n'));

  // the session ends while a page is open: its next action goes to the login, and back
  await pb.goto(`${BOARD}/runs/${RUN}`);
  await b.clearCookies();
  await row(pb, 'pay-refund').locator('button', { hasText: 'confirm' }).click();
  await eventually(() => pb.waitForURL(/\/login\?/, { timeout: WAIT }),
    'an action after the session ended goes to the login');
  ok(new URL(pb.url()).searchParams.get('next') === `/runs/${RUN}`, '... which comes back to the page', pb.url());
  ok(itemOf(status(), 'pay-refund').status === 'pending', '... and nothing was recorded');
} catch (e) {
  ok(false, 'the scenario ran to its end', e.stack);
} finally {
  await a.close();
  await b.close();
}
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
