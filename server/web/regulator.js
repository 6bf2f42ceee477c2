// The regulator's desk: recall a lot (or withdraw a GTIN) after a confirmation, the recalls with their
// reach (counts, a paged table of units, a CSV export), falsification alerts, and a unit lookup whose
// receipt is checked in the browser against the node's published verifier keys.

import { call, nextLink, segment } from './api.js';
import { dateText, el, facts, fill, packTexts, placeText, showError, stepText, table, timeText } from './show.js';
import { requestId, signedPost } from './signing.js';
import { wireKeyPanel, wireSignIn } from './page.js';
import { verifyReceipt } from './receipt.js';

const unitsPerPage = 25;
const alertsPerPage = 50;

const byId = (id) => document.getElementById(id);
const currentSigner = wireKeyPanel();

function errorIn(node, error) {
  showError(fill(node, el('p')).firstChild, error);
}

// --- Recall with a confirmation step ------------------------------------------------------------------

let pendingRecall = null;

function recallFromForm() {
  const gtin = byId('recall-gtin').value.trim();
  const lots = byId('recall-lots').value.split(',').map((lot) => lot.trim()).filter(Boolean);
  const withdraw = byId('recall-withdraw').checked;
  if (!/^\d{14}$/.test(gtin)) throw new Error('The GTIN must be 14 digits.');
  if (withdraw && lots.length > 0) throw new Error('Either name lots, or withdraw the whole product — not both.');
  if (!withdraw && lots.length === 0) throw new Error('Name at least one lot, or tick "Withdraw the whole product".');
  const reason = byId('recall-reason').value.trim();
  if (!reason) throw new Error('Give the reason for the recall.');
  const recall = { gtin, class: byId('recall-class').value, reason };
  if (!withdraw) recall.lots = lots;
  return recall;
}

byId('recall-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const message = byId('recall-message');
  fill(message);
  try {
    pendingRecall = recallFromForm();
  } catch (error) {
    showError(message, error);
    return;
  }
  const what = pendingRecall.lots
    ? `lot${pendingRecall.lots.length > 1 ? 's' : ''} ${pendingRecall.lots.join(', ')} of product ${pendingRecall.gtin}`
    : `every lot of product ${pendingRecall.gtin} (a withdrawal)`;
  fill(byId('recall-summary'), `You are about to recall ${what}, class ${pendingRecall.class}, because: “${pendingRecall.reason}”.`);
  byId('recall-confirm').hidden = false;
  byId('recall-confirm-button').focus();
});

byId('recall-cancel').addEventListener('click', () => {
  pendingRecall = null;
  byId('recall-confirm').hidden = true;
  byId('recall-gtin').focus();
});

byId('recall-confirm-button').addEventListener('click', async () => {
  const message = byId('recall-message');
  const signer = currentSigner();
  if (!signer) {
    showError(message, new Error('To recall, first load your organisation\'s signing key (in "Signing key" above).'));
    byId('key-file').focus();
    return;
  }
  if (!pendingRecall) return;
  const button = byId('recall-confirm-button');
  button.disabled = true;
  message.classList.remove('error');
  fill(message, 'Signing and sending the recall…');
  try {
    const entry = (await signedPost(signer, '/v1/recalls', 'recall', { ...pendingRecall, request_id: requestId() })).body;
    byId('recall-confirm').hidden = true;
    byId('recall-form').reset();
    pendingRecall = null;
    fill(message, `Recall ${entry.seq} is on the ledger.`);
    message.className = 'notice';
    await loadRecalls();
    await showReach(entry.seq);
  } catch (error) {
    showError(message, error);
  } finally {
    button.disabled = false;
  }
});

// --- Recalls and their reach --------------------------------------------------------------------------

function lotsText(recall) {
  return recall.withdrawal ? 'every lot (withdrawal)' : recall.lots.join(', ');
}

async function loadRecalls() {
  const list = byId('recalls');
  try {
    const { body } = await call('/v1/recalls?perPage=100');
    if (body.recalls.length === 0) {
      fill(list, el('p', {}, 'No recalls yet.'));
      return;
    }
    const rows = body.recalls.map((recall) => [
      String(recall.recall_id), recall.gtin, lotsText(recall), recall.class, recall.reason, recall.submitter,
      timeText(recall.ordered_at),
      el('button', { type: 'button', onclick: () => showReach(recall.recall_id), 'aria-label': `Reach of recall ${recall.recall_id}` }, 'Reach'),
    ]);
    fill(list, table('Recalls, newest first', ['Recall', 'Product', 'Lots', 'Class', 'Reason', 'By', 'When', ''], rows, ['Recall']));
  } catch (error) {
    errorIn(list, error);
  }
}

function countsTable(caption, heading, counts, label = (name) => name) {
  const rows = Object.entries(counts ?? {}).map(([name, count]) => [label(name), String(count)]);
  if (rows.length === 0) return el('p', {}, `${caption}: none.`);
  return table(caption, [heading, 'Units'], rows, ['Units']);
}

async function showReach(id) {
  const reach = byId('reach');
  fill(reach, el('p', {}, `Loading the reach of recall ${id}…`));
  try {
    const { body } = await call(`/v1/recalls/${segment(String(id))}`);
    const r = body.reach;
    const unitsBox = el('div', { id: 'reach-units' });
    const csvButton = el('button', { type: 'button', id: 'reach-csv', onclick: () => downloadCsv(id) }, 'Download every unit as CSV');
    fill(reach,
      el('h3', { id: 'reach-title', tabindex: '-1' }, `Reach of recall ${id}: ${body.gtin}, ${lotsText(body)}`),
      el('p', {}, `${r.units} units affected, ${r.in_containers} of them still inside a case or pallet` +
        `${r.scope === 'own' ? ' (only the units in your custody)' : ''}; as of ledger size ${body.ledger_size}.`),
      el('div', { class: 'counts' },
        countsTable('By state', 'State', r.by_status),
        countsTable('By custodian', 'Custodian', r.by_custodian),
        countsTable('By location', 'Location', r.by_location, placeText),
        countsTable('In transit to', 'Receiver', r.in_transit_to)),
      el('p', {}, csvButton),
      unitsBox);
    byId('reach-title').focus();
    await showUnitsPage(id, unitsBox, `/v1/recalls/${segment(String(id))}/units?perPage=${unitsPerPage}`, []);
  } catch (error) {
    errorIn(reach, error);
  }
}

// One page of affected units. `previous` holds the paths of the pages before this one.
async function showUnitsPage(id, box, path, previous) {
  try {
    const { body, headers } = await call(path);
    const next = nextLink(headers);
    const rows = body.units.map((u) => [u.serial, u.lot, dateText(u.expiry), u.status, u.custodian, placeText(u.location),
      u.destination, u.parent]);
    const page = previous.length + 1;
    fill(box,
      table(`Affected units, page ${page}`, ['Serial', 'Lot', 'Expiry', 'State', 'Custodian', 'Location', 'In transit to', 'In container'], rows),
      el('div', { class: 'row' },
        el('button', { type: 'button', id: 'units-previous', disabled: previous.length === 0,
          onclick: () => showUnitsPage(id, box, previous.at(-1), previous.slice(0, -1)) }, 'Previous page'),
        el('button', { type: 'button', id: 'units-next', disabled: !next,
          onclick: () => showUnitsPage(id, box, next, [...previous, path]) }, 'Next page')));
  } catch (error) {
    errorIn(box, error);
  }
}

async function downloadCsv(id) {
  const reach = byId('reach');
  try {
    const { body } = await call(`/v1/recalls/${segment(String(id))}/units`, { accept: 'text/csv' });
    const url = URL.createObjectURL(new Blob([body], { type: 'text/csv' }));
    const link = el('a', { href: url, download: `recall-${id}-units.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (error) {
    reach.append(el('p', { class: 'error', role: 'alert' }, error.message));
  }
}

byId('recalls-refresh').addEventListener('click', loadRecalls);

// --- Alerts -------------------------------------------------------------------------------------------

function alertsQuery() {
  const query = new URLSearchParams({ perPage: String(alertsPerPage) });
  for (const name of ['gtin', 'lot', 'code']) {
    const value = byId(`alerts-${name}`).value.trim();
    if (value) query.set(name, value);
  }
  for (const name of ['from', 'to']) {
    const value = byId(`alerts-${name}`).value;
    if (value) query.set(name, `${value}T00:00:00Z`);
  }
  return query.toString();
}

async function showAlerts(path, append) {
  const box = byId('alerts');
  try {
    const { body, headers } = await call(path);
    const rows = body.alerts.map((a) => [String(a.alert_id), timeText(a.verified_at), `${a.code} (EMVS ${a.emvs})`, a.gtin,
      a.serial, a.lot, `${a.participant}${a.location ? ` at ${placeText(a.location)}` : ''}`, a.message]);
    const next = nextLink(headers);
    const shown = table(append ? null : `Alerts (${alertsPerPage} a page)`,
      ['Alert', 'When', 'Reason', 'Product', 'Serial', 'Lot', 'Who and where', 'What the pharmacist was told'], rows, ['Alert']);
    if (!append) fill(box);
    box.querySelector('#alerts-more')?.remove();
    if (rows.length === 0 && !append) box.append(el('p', {}, 'No alert matches these filters.'));
    else box.append(shown);
    if (next) box.append(el('button', { type: 'button', id: 'alerts-more', onclick: () => showAlerts(next, true) }, 'More alerts'));
  } catch (error) {
    errorIn(box, error);
  }
}

byId('alerts-form').addEventListener('submit', (event) => {
  event.preventDefault();
  showAlerts(`/v1/alerts?${alertsQuery()}`, false);
});

// --- Unit lookup and receipt --------------------------------------------------------------------------

function unitPath() {
  return `/v1/units/${segment(byId('unit-gtin').value.trim())}/${segment(byId('unit-serial').value.trim())}`;
}

byId('unit-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const box = byId('unit');
  const path = unitPath();
  try {
    const [state, history] = await Promise.all([call(path), call(`${path}/history`)]);
    const unit = state.body;
    const packs = packTexts(history.body.events, history.body.status);
    const rows = history.body.events.map((row) => [String(row.seq), timeText(row.event?.event_time ?? row.ordered_at),
      stepText(row.event, row.kind, packs.get(row.seq)), row.signer, placeText(row.event?.biz_location || row.event?.read_point),
      (row.event?.destinations ?? []).map((d) => placeText(d.id)).join(', '), row.outcome]);
    const checks = el('div', { id: 'receipt-result', 'aria-live': 'polite' });
    fill(box,
      el('h3', {}, `(01)${unit.gtin}(21)${unit.serial}`),
      facts([['State', unit.status], ['Lot', unit.lot], ['Expiry', dateText(unit.expiry)], ['Manufacturer', unit.manufacturer],
        ['Custodian', unit.custodian], ['Location', placeText(unit.location)], ['In transit to', unit.destination],
        ['In container', unit.parent], ['Chain link', unit.chain_link]]),
      table('History (custody chain), oldest first', ['Entry', 'When', 'What', 'Signed by', 'Where', 'To', 'Outcome'], rows, ['Entry']),
      el('button', { type: 'button', id: 'verify-receipt', onclick: () => checkReceipt(path, checks) }, 'Verify receipt'),
      checks);
  } catch (error) {
    errorIn(box, error);
  }
});

async function checkReceipt(path, box) {
  fill(box, el('p', {}, 'Fetching the receipt and the verifier keys…'));
  try {
    const [history, keys] = await Promise.all([call(`${path}/history?receipt=1`), call('/v1/ledger/keys')]);
    const verifierKeys = keys.body.nodes.map((node) => node.verifier_key);
    const result = await verifyReceipt(history.body, verifierKeys);
    const items = result.checked.map((line) => el('li', {}, line));
    if (!result.ok) items.push(el('li', { class: 'failed' }, result.failure));
    fill(box,
      el('p', { class: result.ok ? 'notice' : 'error', id: 'receipt-verdict' },
        result.ok ? 'Receipt verified in this browser: this history is on the signed ledger.'
          : 'The receipt does NOT verify.'),
      el('ul', { class: 'checks' }, items),
      el('p', { class: 'hint' }, `Checked against the verifier key${verifierKeys.length > 1 ? 's' : ''} the node publishes ` +
        `(compare with the consortium's genesis file): ${verifierKeys.join(', ')}`));
  } catch (error) {
    errorIn(box, error);
  }
}

wireSignIn(() => {
  byId('sections').hidden = false;
  loadRecalls();
});
