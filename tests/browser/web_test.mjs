// Browser test of the node's web pages: Debian's chromium, driven by playwright-core, against a real node
// (started by browser_test.cpp, which also records the demo supply chain). Walks through what a pharmacist
// and a regulator do and fails on the first thing that is not as it should be.
//
// Environment: RXL_WEB_URL (https://127.0.0.1:PORT), RXL_DEV_DIR (the development consortium's folder with
// tokens/ and keys/), RXL_DEMO_PACK ((01)…(17)…(10)…(21)… of a demo pack at the pharmacy), RXL_ARTIFACTS
// (where screenshots and the downloaded CSV go).

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = requiredEnv('RXL_WEB_URL');
const devDir = requiredEnv('RXL_DEV_DIR');
const artifacts = requiredEnv('RXL_ARTIFACTS');
const pack = parsePack(requiredEnv('RXL_DEMO_PACK'));
const gs = '\x1d';
const actionTimeoutMs = 20_000;

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this test through ctest (tests/browser/browser_test.cpp)`);
  return value;
}

function parsePack(text) {
  const match = /^\(01\)(\d{14})\(17\)(\d{6})\(10\)(.+)\(21\)(.+)$/.exec(text);
  if (!match) throw new Error(`RXL_DEMO_PACK is not (01)…(17)…(10)…(21)…: ${text}`);
  const [, gtin, expiry, lot, serial] = match;
  return { gtin, expiry, lot, serial };
}

// A scanner's output for a pack of the demo lot: ]d2, GS after the variable-length lot, Enter at the end.
function scannerText(serial, { withSeparator = true } = {}) {
  return `]d201${pack.gtin}17${pack.expiry}10${pack.lot}${withSeparator ? gs : ''}21${serial}`;
}

// Another demo pack of the same case (DEMO1 … DEMO10 went to the pharmacy).
function otherSerial(serial) {
  const match = /^(.*?)(\d+)$/.exec(serial);
  return `${match[1]}${Number(match[2]) + 1}`;
}

const token = (participant) => readFileSync(join(devDir, 'tokens', `${participant}.token`), 'utf8').trim();
const keyFile = (participant) => join(devDir, 'keys', `${participant}.key`);

const steps = [];
function step(name) {
  steps.push(name);
  console.log(`  - ${name}`);
}

async function shot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

async function verdict(page) {
  const box = page.locator('#result .verdict');
  await box.waitFor();
  return { code: await box.getAttribute('data-code'), text: await box.innerText(), look: await box.getAttribute('class') };
}

// Types a scan the way a keyboard-wedge scanner does: into whatever has the focus, then Enter. Waits
// for the answer to that scan (the "Scanned:" line shows it).
async function scan(page, text) {
  const previous = await page.locator('#result').innerText();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    ([old]) => {
      const result = document.querySelector('#result');
      return result && result.innerText !== old && result.innerText.trim() !== '';
    },
    [previous],
  );
  return verdict(page);
}

async function focusedId(page) {
  return page.evaluate(() => document.activeElement?.id ?? '');
}

async function signIn(page, path, participant) {
  await page.goto(`${base}${path}`);
  await page.locator('#token').waitFor();
  assert.equal(await focusedId(page), 'token', 'the sign-in page puts the focus in the token field');
  await page.locator('#token').fill('rxl_dev_not_a_token');
  await page.keyboard.press('Enter');
  const error = page.locator('#sign-in-error');
  await error.filter({ hasText: 'not valid' }).waitFor();
  assert.doesNotMatch(await error.innerText(), /[{}]/, 'a sign-in error is words, not JSON');
  await page.locator('#token').fill(token(participant));
  await page.keyboard.press('Enter');
  await page.locator('#signed-in').waitFor();
  await page.locator('#key-file').setInputFiles(keyFile(participant));
  await page.locator('#key-status', { hasText: `${participant}-1` }).waitFor({ state: 'attached' });
}

async function checkHeaders(request) {
  step('the node serves the pages itself, with a strict Content-Security-Policy');
  for (const [path, type] of [['/', 'text/html'], ['/web/pharmacy.html', 'text/html'], ['/web/style.css', 'text/css'],
    ['/web/pharmacy.js', 'text/javascript'], ['/web/receipt.js', 'text/javascript']]) {
    const response = await request.get(`${base}${path}`);
    assert.equal(response.status(), 200, `GET ${path}`);
    const headers = response.headers();
    assert.ok(headers['content-type'].startsWith(type), `${path} is ${type}, not ${headers['content-type']}`);
    assert.match(headers['content-security-policy'], /default-src 'self'/, `${path} has a CSP`);
    assert.equal(headers['cache-control'], 'no-cache', `${path} Cache-Control`);
    assert.equal(headers['x-content-type-options'], 'nosniff');
    const again = await request.get(`${base}${path}`, { headers: { 'If-None-Match': headers.etag } });
    assert.equal(again.status(), 304, `${path} answers 304 to its ETag`);
  }
  const missing = await request.get(`${base}/web/nothing.js`);
  assert.equal(missing.status(), 404);
}

async function pharmacy(page) {
  step('pharmacist: sign in with the token (a wrong one is refused in words) and load the signing key');
  await signIn(page, '/web/pharmacy.html', 'corner-pharmacy');
  assert.equal(await focusedId(page), 'scan', 'the scan field has the focus after signing in');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('rxledger.token')), token('corner-pharmacy'));
  assert.equal(await page.evaluate(() => localStorage.length), 0, 'nothing is kept in localStorage');

  step('this chromium signs and verifies with WebCrypto Ed25519');
  const ed25519 = await page.evaluate(async () => {
    const keys = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
    const data = new TextEncoder().encode('rxledger');
    const signature = await crypto.subtle.sign({ name: 'Ed25519' }, keys.privateKey, data);
    return crypto.subtle.verify({ name: 'Ed25519' }, keys.publicKey, signature, data);
  });
  assert.equal(ed25519, true);

  step('scan a genuine pack (GS as 0x1D, Enter ends the scan): green, OK to dispense');
  let answer = await scan(page, scannerText(pack.serial));
  assert.equal(answer.code, 'OK', answer.text);
  assert.match(answer.look, /\bok\b/);
  assert.match(answer.text, /Genuine — OK to dispense/);
  const details = await page.locator('#result dl').innerText();
  for (const expected of [pack.gtin, pack.serial, pack.lot, 'acme-pharma', 'corner-pharmacy']) {
    assert.ok(details.includes(expected), `the answer shows ${expected}: ${details}`);
  }
  assert.equal(await focusedId(page), 'scan', 'the scan field keeps the focus after a scan');
  await shot(page, '01-pharmacy-genuine');

  step('dispense it (signed in the browser): amber, already dispensed, with Undo and its rule');
  await page.locator('#dispense').click();
  await page.locator('#action-message', { hasText: 'Dispensed' }).waitFor();
  answer = await verdict(page);
  assert.equal(answer.code, 'ALREADY_DECOMMISSIONED', answer.text);
  assert.match(answer.text, /Genuine — do not dispense \(already dispensed\)/);
  assert.match(await page.locator('#undo-rule').innerText(), /10 days/);
  await shot(page, '02-pharmacy-dispensed');

  step('undo the dispense: green again');
  await page.locator('#undo').click();
  await page.locator('#action-message', { hasText: 'Undone' }).waitFor();
  answer = await verdict(page);
  assert.equal(answer.code, 'OK', answer.text);
  assert.equal(await focusedId(page), 'scan', 'the scan field has the focus again after the undo');
  answer = await scan(page, `(01)${pack.gtin}(17)${pack.expiry}(10)${pack.lot}(21)${pack.serial}`);
  assert.equal(answer.code, 'OK', `the bracketed form typed by hand: ${answer.text}`);

  step("the pack's custody timeline: manufacturer, wholesaler, pharmacy");
  await page.locator('#show-timeline').click();
  const timeline = page.locator('ol.timeline');
  await timeline.waitFor();
  const text = await timeline.innerText();
  for (const expected of ['Commissioned', 'Shipped', 'Received', 'acme-pharma', 'medi-wholesale', 'corner-pharmacy', 'GLN',
    'to GLN', 'Decommissioned', 'Decommission undone']) {
    assert.ok(text.includes(expected), `the timeline mentions ${expected}: ${text}`);
  }
  await shot(page, '03-pharmacy-timeline');
  assert.equal(await focusedId(page), 'scan', 'the scan field has the focus again after the timeline');
  await page.locator('#show-timeline').focus();  // even with the focus on a button, a scan reaches the field

  step('scan an unknown serial: red, not verified, alert raised');
  answer = await scan(page, scannerText('NOSUCH999'));
  assert.equal(answer.code, 'UNKNOWN_SERIAL', answer.text);
  assert.match(answer.look, /\bfake\b/);
  assert.match(answer.text, /Not verified — possible falsification \(alert raised\)/);
  await shot(page, '04-pharmacy-unknown-serial');

  step('scan garbage, and a scan whose GS was lost: grey, could not read the code');
  answer = await scan(page, 'hello world');
  assert.equal(answer.code, 'BAD_SCAN', answer.text);
  assert.match(answer.look, /\bunread\b/);
  assert.match(answer.text, /Could not read the code — scan again/);
  await shot(page, '05-pharmacy-bad-scan');
  answer = await scan(page, scannerText(pack.serial, { withSeparator: false }));
  assert.equal(answer.code, 'BAD_SCAN', answer.text);
  assert.match(answer.text, /GS/);
}

async function regulator(page) {
  step('regulator: sign in and load the signing key');
  await signIn(page, '/web/regulator.html', 'health-authority');

  step('recall the demo lot, after a confirmation step');
  await page.locator('#recall-gtin').fill(pack.gtin);
  await page.locator('#recall-lots').fill(pack.lot);
  await page.locator('#recall-class').selectOption('II');
  await page.locator('#recall-reason').fill('Label misprint (browser test)');
  await page.locator('#recall-form button[type=submit]').click();
  await page.locator('#recall-confirm').waitFor();
  assert.equal(await focusedId(page), 'recall-confirm-button', 'the confirmation takes the focus');
  assert.match(await page.locator('#recall-summary').innerText(), new RegExp(`${pack.lot}.*${pack.gtin}`));
  await shot(page, '06-regulator-confirm-recall');
  await page.keyboard.press('Enter');  // the keyboard alone confirms
  await page.locator('#recall-message', { hasText: 'is on the ledger' }).waitFor();

  step('the reach report: counts by state, custodian and location, the units table, and the CSV');
  const reach = page.locator('#reach');
  await reach.locator('#reach-units table').waitFor();
  const reachText = await reach.innerText();
  for (const expected of ['20 units affected', 'corner-pharmacy', 'medi-wholesale', 'By state', 'By location', 'GLN']) {
    assert.ok(reachText.includes(expected), `the reach shows ${expected}: ${reachText}`);
  }
  assert.equal(await reach.locator('#reach-units tbody tr').count(), 20);
  assert.equal(await page.locator('#units-next').isDisabled(), true, 'one page holds 20 units');
  await shot(page, '07-regulator-reach');
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#reach-csv').click()]);
  const csvPath = join(artifacts, 'recall-units.csv');
  await download.saveAs(csvPath);
  const lines = readFileSync(csvPath, 'utf8').trim().split('\r\n');
  assert.equal(lines[0], 'gtin,serial,lot,expiry,status,custodian,location,destination,parent');
  assert.equal(lines.length, 21, 'the CSV has a header and 20 units');
  assert.ok(lines.some((line) => line.includes(`,${pack.serial},`)));
}

async function recalledScan(page) {
  step('pharmacist: a pack of the recalled lot is amber, do not dispense (recalled)');
  await page.bringToFront();
  const answer = await scan(page, scannerText(otherSerial(pack.serial)));
  assert.equal(answer.code, 'RECALLED', answer.text);
  assert.match(answer.look, /\bhold\b/);
  assert.match(answer.text, /Genuine — do not dispense \(recalled\)/);
  assert.equal(await page.locator('#dispense').count(), 0, 'no Dispense button for a recalled pack');
  await shot(page, '08-pharmacy-recalled');
}

async function regulatorLookups(page) {
  await page.bringToFront();
  step('regulator: the alert the unknown serial raised is listed (filtered by code)');
  await page.locator('#alerts-code').selectOption('UNKNOWN_SERIAL');
  for (let attempt = 0; ; attempt++) {
    await page.locator('#alerts-form button[type=submit]').click();
    await page.locator('#alerts table, #alerts p').first().waitFor();
    if ((await page.locator('#alerts').innerText()).includes('NOSUCH999')) break;
    assert.ok(attempt < 20, 'the alert did not appear within 10 s');
    await page.waitForTimeout(500);
  }

  step('regulator: look up the pack and verify its receipt in the browser');
  await page.locator('#unit-gtin').fill(pack.gtin);
  await page.locator('#unit-serial').fill(pack.serial);
  await page.locator('#unit-form button[type=submit]').click();
  await page.locator('#verify-receipt').click();
  const receipt = page.locator('#receipt-verdict');
  await receipt.waitFor();
  assert.match(await receipt.innerText(), /Receipt verified/, await page.locator('#receipt-result').innerText());
  const checks = await page.locator('#receipt-result ul.checks').innerText();
  assert.match(checks, /checkpoint .* is signed by/);
  assert.match(checks, /the chain of \d+ links recomputes/);
  await shot(page, '09-regulator-receipt');

  step('a tampered receipt fails in the browser, naming what broke');
  const tampered = await page.evaluate(async ([path]) => {
    const { verifyReceipt } = await import('/web/receipt.js');
    const headers = { Authorization: `Bearer ${sessionStorage.getItem('rxledger.token')}` };
    const history = await (await fetch(`${path}?receipt=1`, { headers })).json();
    const keys = (await (await fetch('/v1/ledger/keys')).json()).nodes.map((node) => node.verifier_key);
    const entry = history.receipt.entries[0];
    const data = Uint8Array.from(atob(entry.leaf_data), (c) => c.charCodeAt(0));
    data[data.length - 1] ^= 1;  // one bit of the outcome text
    entry.leaf_data = btoa(String.fromCharCode(...data));
    return verifyReceipt(history, keys);
  }, [`/v1/units/${pack.gtin}/${encodeURIComponent(pack.serial)}/history`]);
  assert.equal(tampered.ok, false);
  assert.match(tampered.failure, /inclusion proof does not lead/);

  step('an API error is shown in words');
  await page.locator('#unit-serial').fill('NOSUCH999');
  await page.locator('#unit-form button[type=submit]').click();
  const error = page.locator('#unit .error');
  await error.waitFor();
  const words = await error.innerText();
  assert.match(words, /no such unit/i);
  assert.doesNotMatch(words, /[{}]/);
}

async function main() {
  rmSync(artifacts, { recursive: true, force: true });  // no screenshot of an earlier run survives
  mkdirSync(artifacts, { recursive: true });
  const userDataDir = mkdtempSync(join(tmpdir(), 'rxl-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    ignoreHTTPSErrors: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
  });
  const problems = [];
  const origin = new URL(base).origin;
  // Nothing may load from anywhere but the node: every other request is refused and is a failure.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
    problems.push(`a page requested ${url}`);
    return route.abort();
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const watch = (page) => {
    page.setDefaultTimeout(actionTimeoutMs);
    page.on('pageerror', (error) => problems.push(`uncaught error in the page: ${error.message}`));
    page.on('console', (message) => {
      if (message.text().includes('CSP violation') || message.text().includes('Content Security Policy')) problems.push(message.text());
    });
    return page;
  };
  let failed = false;
  const pharmacyPage = watch(context.pages()[0] ?? (await context.newPage()));
  const regulatorPage = watch(await context.newPage());
  try {
    console.log(`browser test against ${base} (chromium ${context.browser()?.version() ?? ''})`);
    await checkHeaders(context.request);
    await pharmacy(pharmacyPage);
    await regulator(regulatorPage);
    await recalledScan(pharmacyPage);
    await regulatorLookups(regulatorPage);
    assert.deepEqual(problems, [], 'no external request, CSP violation or uncaught error');
    console.log(`browser test passed: ${steps.length} steps; screenshots in ${artifacts}`);
  } catch (error) {
    failed = true;
    console.error(`browser test FAILED at "${steps.at(-1)}":\n${error.stack ?? error}`);
    if (problems.length > 0) console.error(`also seen: ${problems.join('; ')}`);
    for (const [name, page] of [['pharmacy', pharmacyPage], ['regulator', regulatorPage]]) {
      await shot(page, `failure-${name}`).catch(() => {});
    }
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
