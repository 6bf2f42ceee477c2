// Building the page from data: elements with text content only (never innerHTML with data from the node),
// times for people, and errors in words.

// el('p', {class: 'hint'}, 'text', childNode, …): attributes set as given; `text` children become text
// nodes; null and false children are skipped.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// Replaces a node's children.
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

// "30 June 2028" for a YYYY-MM-DD date; the text as given for anything else.
export function dateText(date) {
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return date ?? '';
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day)).toLocaleDateString(undefined, { timeZone: 'UTC', dateStyle: 'long' });
}

// A time as the reader's clock shows it, e.g. "3 March 2025 at 14:02"; the text as given if not a time.
export function timeText(value) {
  const date = typeof value === 'number' ? new Date(value) : new Date(String(value));
  if (Number.isNaN(date.getTime())) return String(value ?? '');
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

// A definition list of [term, value] pairs, leaving out empty values.
export function facts(pairs) {
  const list = el('dl', { class: 'facts' });
  for (const [term, value] of pairs) {
    if (value === null || value === undefined || value === '') continue;
    list.append(el('dt', {}, term), el('dd', {}, value));
  }
  return list;
}

// A table from column headings and rows of cells (text or nodes). Columns named in `numeric` align right.
export function table(caption, headings, rows, numeric = []) {
  const head = el('tr', {}, headings.map((heading) => el('th', { scope: 'col', class: numeric.includes(heading) ? 'number' : null }, heading)));
  const body = rows.map((cells) =>
    el('tr', {}, cells.map((cell, i) => el('td', { class: numeric.includes(headings[i]) ? 'number' : null }, cell))));
  return el('table', {}, caption ? el('caption', {}, caption) : null, el('thead', {}, head), el('tbody', {}, body));
}

// Shows an error's sentence in an element that announces itself (role="alert").
export function showError(node, error) {
  fill(node, error?.message ?? String(error));
  node.classList.add('error');
  node.setAttribute('role', 'alert');
}

// What a history row did, in words: from its event's bizStep (a bare word, a CBV URN or a Web URI), or
// for a pack operation (which has no event) from `packText`.
export function stepText(event, kind, packText = 'Pack operation (decommission or undo)') {
  if (!event) return kind === 'pack' ? packText : `Ledger entry (${kind})`;
  const raw = String(event.biz_step ?? '');
  const step = raw.replace(/^.*(BizStep-|bizstep:)/, '');
  const words = {
    commissioning: 'Commissioned (serial number given)',
    packing: 'Packed into a case or pallet',
    unpacking: 'Unpacked',
    shipping: 'Shipped',
    receiving: 'Received',
    dispensing: 'Dispensed',
    destroying: 'Destroyed',
    decommissioning: 'Decommissioned',
  };
  return words[step] ?? (step || `${event.type ?? 'Event'} ${event.action ?? ''}`.trim());
}

// The 13-digit GLN in a location or party identifier: a bare GLN, an SGLN or PGLN URN, or a Digital Link
// (/414/… for a location, /417/… for a party); null for anything else.
export function glnOf(id) {
  if (typeof id !== 'string') return null;
  if (/^\d{13}$/.test(id)) return id;
  const urn = /^urn:epc:id:sgln:(\d+)\.(\d*)\.[^.]*$/.exec(id);
  if (urn && urn[1].length + urn[2].length === 12) return withCheckDigit(urn[1] + urn[2]);
  const party = /^urn:epc:id:pgln:(\d+)\.(\d*)$/.exec(id);
  if (party && party[1].length + party[2].length === 12) return withCheckDigit(party[1] + party[2]);
  return /\/41[47]\/(\d{13})(?:\/|$|\?)/.exec(id)?.[1] ?? null;
}

// A location in short words: "GLN 4098765000014"; the identifier as given when it holds no GLN.
export function placeText(id) {
  if (!id) return '';
  const gln = glnOf(id);
  return gln ? `GLN ${gln}` : id;
}

// Words for the pack operations of a unit's history (oldest first), by position: a decommission is allowed
// only from active and an undo only from a decommissioned state (ledger/apply/pack_rules.cpp), and a
// history holds accepted entries only, so a unit's pack operations alternate, starting with a decommission.
// The state of the last one is the unit's state when the unit is still decommissioned.
export function packTexts(rows, unitStatus) {
  const packs = rows.filter((row) => row.kind === 'pack');
  return new Map(packs.map((row, i) => {
    if (i % 2 === 1) return [row.seq, 'Decommission undone (back in stock)'];
    const current = i === packs.length - 1 && unitStatus !== 'active' && unitStatus !== 'in_transit';
    return [row.seq, current ? `Decommissioned (${unitStatus})` : 'Decommissioned'];
  }));
}

function withCheckDigit(digits) {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += Number(digits[digits.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return digits + String((10 - (sum % 10)) % 10);
}
