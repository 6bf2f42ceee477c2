// The pharmacy counter: scan, verdict, dispense and undo, and the pack's custody timeline.
//
// One large input keeps the focus, so a USB or Bluetooth scanner in keyboard mode can type into it at any
// time; Enter ends a scan. A scanner may send GS (FNC1) as the character 0x1D, as Ctrl+], or not at all: the
// first two become 0x1D in the field, and a lost GS is the node's to notice (it answers BAD_SCAN when the
// data cannot be split safely).

import { call, segment } from './api.js';
import { dateText, el, facts, fill, glnOf, packTexts, placeText, showError, stepText, timeText } from './show.js';
import { requestId, signedPost } from './signing.js';
import { wireKeyPanel, wireSignIn } from './page.js';

// DESIGN.md section 6 (limits::undo_window_ms): shown to explain the rule; the node decides.
const undoWindowMs = 10 * 86_400_000;
const groupSeparator = '\x1d';
const locationName = 'rxledger.location';

const byId = (id) => document.getElementById(id);
const scanForm = byId('scan-form');
const scanInput = byId('scan');
const result = byId('result');
const actions = byId('actions');
const actionMessage = byId('action-message');
const timeline = byId('timeline');
const locationInput = byId('location');

let lastCode = null;
let lastAnswer = null;
let cameraRunning = false;
const currentSigner = wireKeyPanel(() => {
  if (lastAnswer) renderActions(lastAnswer);
});

// --- Keeping the focus on the scan field ------------------------------------------------------------

function keepFocus() {
  // Only when the focus went nowhere: Tab to a button or into the settings must still work.
  setTimeout(() => {
    const active = document.activeElement;
    if (!cameraRunning && !byId('signed-in').hidden && (active === null || active === document.body)) scanInput.focus();
  }, 0);
}

scanInput.addEventListener('blur', keepFocus);
document.addEventListener('click', keepFocus);
document.addEventListener('keydown', (event) => {
  // A scanner that starts typing while the focus is on a button or nowhere still reaches the field (the
  // key goes to the newly focused field). Space still presses a focused button; other fields keep theirs.
  const active = document.activeElement;
  const printable = event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey;
  const field = active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement || active instanceof HTMLSelectElement;
  const pressesButton = event.key === ' ' && active !== null && active !== document.body;
  if (printable && !field && !pressesButton && !byId('signed-in').hidden) scanInput.focus();
});
scanInput.addEventListener('keydown', (event) => {
  const separator = event.key === groupSeparator || event.key === 'GroupSeparator' ||
    (event.ctrlKey && (event.key === ']' || event.code === 'BracketRight'));
  if (!separator) return;
  event.preventDefault();
  scanInput.setRangeText(groupSeparator, scanInput.selectionStart, scanInput.selectionEnd, 'end');
});

// --- Verifying ----------------------------------------------------------------------------------------

scanForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const code = scanInput.value.replace(/[\r\n]+$/, '');
  scanInput.value = '';
  scanInput.focus();
  if (code.trim() !== '') verify(code);
});

locationInput.value = sessionStorage.getItem(locationName) ?? '';
locationInput.addEventListener('change', () => sessionStorage.setItem(locationName, locationInput.value.trim()));

async function verify(code, notice = '') {
  lastCode = code;
  fill(actionMessage, notice);
  actionMessage.className = notice ? 'notice' : '';
  fill(timeline);
  let answer;
  try {
    const location = locationInput.value.trim();
    const query = `code=${encodeURIComponent(code)}${location ? `&location=${encodeURIComponent(location)}` : ''}`;
    answer = (await call(`/v1/verify?${query}`)).body;
  } catch (error) {
    if (error.problem?.code !== 'BAD_SCAN') {
      lastAnswer = null;
      fill(actions);
      showError(fill(result, el('p')).firstChild, error);
      return;
    }
    answer = error.problem;  // a BAD_SCAN problem carries the verification's members
  }
  lastAnswer = answer;
  renderAnswer(answer, code);
  renderActions(answer);
}

function holdReason(answer) {
  switch (answer.code) {
    case 'RECALLED': return 'recalled';
    case 'WITHDRAWN': return 'withdrawn from the market';
    case 'EXPIRED': return 'expired';
    case 'ALREADY_DECOMMISSIONED': return `already ${answer.decommissioned?.state ?? 'decommissioned'}`;
    case 'STOLEN': return 'reported stolen';
    case 'LOCKED': return 'locked as suspect';
    case 'NOT_IN_CUSTODY': return 'not in your custody';
    case 'NOT_RECEIVED': return 'shipped to you: record its receipt first';
    default: return answer.status ?? answer.code;
  }
}

// The verdict: a class for its look, an icon whose shape differs, and the words.
function verdictOf(answer) {
  if (answer.code === 'BAD_SCAN') return { look: 'unread', icon: '?', headline: 'Could not read the code — scan again' };
  if (answer.genuine && answer.dispensable) return { look: 'ok', icon: '✓', headline: 'Genuine — OK to dispense' };
  if (answer.genuine) return { look: 'hold', icon: '!', headline: `Genuine — do not dispense (${holdReason(answer)})` };
  return {
    look: 'fake',
    icon: '✕',
    headline: answer.alert ? 'Not verified — possible falsification (alert raised)' : 'Not verified — possible falsification',
  };
}

function renderAnswer(answer, code) {
  const verdict = verdictOf(answer);
  const product = answer.product ?? {};
  const decommissioned = answer.decommissioned
    ? `${answer.decommissioned.state} on ${timeText(answer.decommissioned.at)} at ${placeText(answer.decommissioned.location)} by ${answer.decommissioned.by}`
    : null;
  fill(result,
    el('div', { class: `verdict ${verdict.look}`, 'data-code': answer.code },
      el('div', { class: 'icon', 'aria-hidden': 'true' }, verdict.icon),
      el('div', {},
        el('p', { class: 'headline' }, verdict.headline),
        el('p', { class: 'reason' }, answer.message ?? ''),
        el('p', { class: 'scanned' }, `Scanned: ${code.replaceAll(groupSeparator, '⟨GS⟩')}`))),
    facts([
      ['Product (GTIN)', product.gtin],
      ['Serial number', product.serial],
      ['Lot', product.lot],
      ['Expiry', dateText(product.expiry)],
      ['Manufacturer', product.manufacturer],
      ['Custodian', answer.custodian],
      ['Location', placeText(answer.location)],
      ['State', answer.status],
      ['Decommissioned', decommissioned],
      ['Alert', answer.alert ? `raised (${answer.alert.code}, EMVS ${answer.alert.emvs})` : null],
      ['Answer code', answer.code],
    ]));
}

// --- Dispense and undo --------------------------------------------------------------------------------

// Whether an undo may be offered, and the rule in words (ledger/apply/pack_rules.cpp check_undo).
function undoRule(decommissioned) {
  const { state, by } = decommissioned;
  const until = Date.parse(decommissioned.at) + undoWindowMs;
  const me = currentSigner()?.participant;
  if (state === 'stolen' || state === 'destroyed') {
    return { allowed: false, text: `Undo is not possible: a pack reported ${state} never returns to the supply chain.` };
  }
  if (me && by !== me) {
    return { allowed: false, text: `Only ${by}, who recorded it as ${state}, may undo this, at the same location.` };
  }
  if (state !== 'locked' && Date.now() > until) {
    return { allowed: false, text: `Undo is no longer possible: it is allowed for 10 days after the pack was ${state}, and that time ended ${timeText(until)}.` };
  }
  if (state === 'locked') return { allowed: true, text: 'A lock may be undone at any time, by whoever set it, at the same location.' };
  return {
    allowed: true,
    text: `You may undo this until ${timeText(until)} (10 days after it was ${state}), at the same location — ` +
      'unless its lot is recalled or it has expired by then.',
  };
}

function renderActions(answer) {
  fill(actions);
  const product = answer.product;
  if (answer.code === 'BAD_SCAN' || !product?.gtin || !product?.serial) return;
  if (answer.code === 'OK') {
    actions.append(el('button', { type: 'button', class: 'primary big', id: 'dispense', onclick: () => packOperation('decommission', answer) }, 'Dispense'));
  }
  if (answer.decommissioned) {
    const rule = undoRule(answer.decommissioned);
    if (rule.allowed) actions.append(el('button', { type: 'button', class: 'big', id: 'undo', onclick: () => packOperation('undo', answer) }, 'Undo'));
    actions.append(el('p', { class: 'rule', id: 'undo-rule' }, rule.text));
  }
  if (answer.genuine) {
    actions.append(el('button', { type: 'button', id: 'show-timeline', onclick: () => showTimeline(product) }, 'Where has this pack been?'));
  }
}

async function packOperation(op, answer) {
  const signer = currentSigner();
  if (!signer) {
    showError(actionMessage, new Error('To dispense or undo, first load your pharmacy\'s signing key (under "Signing key and location").'));
    byId('settings').open = true;
    byId('key-file').focus();
    return;
  }
  const { gtin, serial } = answer.product;
  const place = op === 'undo' ? answer.decommissioned.location : (locationInput.value.trim() || answer.location);
  const body = { op, gtin, serial, location: glnOf(place) ?? place ?? '', request_id: requestId() };
  if (op === 'decommission') body.state = 'dispensed';
  for (const button of actions.querySelectorAll('button')) button.disabled = true;
  actionMessage.classList.remove('error');
  fill(actionMessage, 'Signing and sending…');
  try {
    const entry = (await signedPost(signer, `/v1/units/${segment(gtin)}/${segment(serial)}/${op}`, 'pack', body)).body;
    const done = op === 'undo'
      ? `Undone: the pack is back in stock (ledger entry ${entry.seq}).`
      : `Dispensed: recorded on the ledger as entry ${entry.seq}.`;
    await verify(lastCode, done);
  } catch (error) {
    showError(actionMessage, error);
    for (const button of actions.querySelectorAll('button')) button.disabled = false;
  }
  scanInput.focus();
}

// --- Custody timeline ---------------------------------------------------------------------------------

function timelineItem(row, packs) {
  const event = row.event;
  const place = placeText(event?.biz_location || event?.read_point);
  const destination = (event?.destinations ?? []).map((d) => placeText(d.id)).filter(Boolean).join(', ');
  const when = timeText(event?.event_time ?? row.ordered_at);
  return el('li', {},
    el('span', { class: 'what' }, stepText(event, row.kind, packs.get(row.seq))),
    ` — ${row.signer}${place ? ` at ${place}` : ''}${destination ? `, to ${destination}` : ''}`,
    el('div', { class: 'meta' }, `${when} · ledger entry ${row.seq}${row.outcome === 'accepted' ? '' : ` (${row.outcome})`}`));
}

async function showTimeline(product) {
  fill(timeline, el('p', {}, 'Loading the custody timeline…'));
  try {
    const history = (await call(`/v1/units/${segment(product.gtin)}/${segment(product.serial)}/history`)).body;
    const packs = packTexts(history.events, history.status);
    fill(timeline,
      el('h2', { id: 'timeline-title' }, `Custody of (01)${history.gtin}(21)${history.serial}`),
      el('ol', { class: 'timeline', 'aria-labelledby': 'timeline-title' },
        history.events.map((row) => timelineItem(row, packs))),
      el('p', { class: 'hint' }, `As of ledger size ${history.ledger_size}; the pack is now ${history.status}.`));
  } catch (error) {
    showError(fill(timeline, el('p')).firstChild, error);
  }
  scanInput.focus();  // ready for the next scan; the timeline announces itself (aria-live)
}

// --- Camera -------------------------------------------------------------------------------------------

// Offered only where the browser has a barcode detector for 2D codes and a camera API; the field stays.
async function offerCamera() {
  if (!('BarcodeDetector' in window) || !navigator.mediaDevices?.getUserMedia) return;
  let formats = [];
  try {
    formats = (await BarcodeDetector.getSupportedFormats()).filter((f) => ['data_matrix', 'qr_code'].includes(f));
  } catch {
    return;
  }
  if (formats.length === 0) return;
  const button = byId('camera');
  button.hidden = false;
  button.addEventListener('click', () => startCamera(formats));
}

async function startCamera(formats) {
  const view = byId('camera-view');
  const video = byId('camera-video');
  const status = byId('camera-status');
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
  } catch (error) {
    showError(actionMessage, new Error(`The camera could not be opened (${error.name}). Use the scanner or type the code.`));
    return;
  }
  cameraRunning = true;
  view.hidden = false;
  video.srcObject = stream;
  await video.play();
  const detector = new BarcodeDetector({ formats });
  const stop = () => {
    cameraRunning = false;
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
    view.hidden = true;
    scanInput.focus();
  };
  byId('camera-stop').onclick = stop;
  byId('camera-stop').focus();
  const look = async () => {
    if (!cameraRunning) return;
    try {
      const codes = await detector.detect(video);
      if (codes.length > 0) {
        stop();
        verify(codes[0].rawValue);
        return;
      }
    } catch {
      status.textContent = 'The camera picture could not be read; hold the code steady.';
    }
    setTimeout(look, 150);
  };
  look();
}

wireSignIn(() => {
  scanInput.focus();
  offerCamera();
});
