// Checking a receipt in the browser: the same checks, in the same order and with the same words, as
// `rxledger receipt verify` (ledger/service/receipt.cpp verify_receipt; docs/receipts.md):
//   1. the checkpoint (a C2SP signed note) carries a valid Ed25519 signature by a trusted verifier key;
//   2. each entry's leaf data decodes as an entry with its sequence number (docs/entry-format.md), and its
//      RFC 9162 inclusion proof leads from SHA-256(0x00 ‖ leaf data) to the signed root;
//   3. the unit chain link(k+1) = SHA-256(link(k) ‖ leaf hash ‖ uint32 event index), from 32 zero bytes,
//      gives each entry's unit_link and finally the subject's chain_link.
// Answers {ok, checked: [sentences], failure: sentence or ''}.

import { concat, equalBytes, fromBase64, fromHex, sha256, toHex, utf8 } from './bytes.js';

export const receiptFormat = 'rxledger-receipt/v1';
const noteEd25519Type = 0x01;
const signatureLinePrefix = '\u2014 ';

class Failure extends Error {}

function field(object, name, where) {
  if (object === null || typeof object !== 'object' || !(name in object)) throw new Failure(`${where}: the field "${name}" is missing`);
  return object[name];
}

function textField(object, name, where) {
  const value = field(object, name, where);
  if (typeof value !== 'string') throw new Failure(`${where}: "${name}" must be a string`);
  return value;
}

function numberField(object, name, where) {
  const value = field(object, name, where);
  if (!Number.isSafeInteger(value) || value < 0) throw new Failure(`${where}: "${name}" must be a whole number`);
  return BigInt(value);
}

function hexHashField(object, name, where) {
  const bytes = fromHex(textField(object, name, where));
  if (!bytes || bytes.length !== 32) throw new Failure(`${where}: "${name}" must be 64 hex digits`);
  return bytes;
}

// --- Verifier keys and signed notes -----------------------------------------------------------------

// "name+keyid+base64(0x01 ‖ public key)" → {name, keyId, publicKey}, the key id checked.
export async function parseVerifierKey(text) {
  text = String(text);
  // Split at the first two '+' only: base64 may hold '+' too.
  const first = String(text).indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  const name = second < 0 ? '' : text.slice(0, first);
  const id = second < 0 ? null : fromHex(text.slice(first + 1, second));
  const typed = second < 0 ? null : fromBase64(text.slice(second + 1));
  if (!name || !id || id.length !== 4 || !typed || typed.length !== 33 || typed[0] !== noteEd25519Type) {
    throw new Failure(`the verifier key "${text}" is not name+keyid+key with an Ed25519 key`);
  }
  const publicKey = typed.slice(1);
  const expected = (await sha256(concat(utf8(name), new Uint8Array([0x0a, noteEd25519Type]), publicKey))).slice(0, 4);
  if (!equalBytes(expected, id)) throw new Failure(`the verifier key "${name}": its key id does not match the name and key`);
  return { name, keyId: toHex(id), publicKey };
}

async function verifyEd25519(publicKey, message, signature) {
  const key = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
  return crypto.subtle.verify({ name: 'Ed25519' }, key, signature, message);
}

// The note's text when a trusted key signed it, and the names of the keys that did.
async function verifyNote(note, keys) {
  const blank = note.lastIndexOf('\n\n');
  if (blank < 0) throw new Failure('checkpoint: no blank line separates the text from the signatures');
  const text = note.slice(0, blank + 1);
  const block = note.slice(blank + 2);
  if (!block.endsWith('\n')) throw new Failure('checkpoint: the last signature line does not end with a newline');
  const signers = [];
  for (const line of block.slice(0, -1).split('\n')) {
    if (!line.startsWith(signatureLinePrefix)) throw new Failure('checkpoint: a signature line must start with an em dash and a space');
    const rest = line.slice(signatureLinePrefix.length);
    const space = rest.indexOf(' ');
    if (space <= 0) throw new Failure('checkpoint: a signature line has no space after the key name');
    const name = rest.slice(0, space);
    const payload = fromBase64(rest.slice(space + 1));
    if (!payload || payload.length <= 4) throw new Failure(`checkpoint: the signature of key ${name} is not base64 of a key id and a signature`);
    const key = keys.find((k) => k.name === name && k.keyId === toHex(payload.slice(0, 4)));
    if (!key) continue;  // an unknown (name, id) is ignored, as the signed-note format requires
    if (!(await verifyEd25519(key.publicKey, utf8(text), payload.slice(4)))) {
      throw new Failure(`checkpoint: the signature of trusted key ${name} does not verify`);
    }
    signers.push(name);
  }
  if (signers.length === 0) throw new Failure('checkpoint: no trusted key signed the note');
  return { text, signers };
}

function parseCheckpoint(text) {
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3 || lines[0] === '') throw new Failure('checkpoint: a checkpoint has at least three lines: origin, size, root');
  if (!/^(0|[1-9][0-9]*)$/.test(lines[1])) throw new Failure('checkpoint: the tree size is not a decimal number without leading zeros');
  const root = fromBase64(lines[2]);
  if (!root || root.length !== 32) throw new Failure('checkpoint: the root is not base64 of 32 bytes');
  return { origin: lines[0], size: BigInt(lines[1]), root };
}

// --- Entries, the Merkle tree and the unit chain ----------------------------------------------------

// The header of an entry's leaf data (docs/entry-format.md section 3): seq, ordered_at, kind, submitter, outcome.
function decodeEntry(data) {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  const need = (count) => {
    if (at + count > data.length) throw new Failure('the leaf data ends inside an entry');
  };
  const text = () => {
    need(2);
    const length = view.getUint16(at);
    at += 2;
    need(length);
    const out = new TextDecoder().decode(data.slice(at, at + length));
    at += length;
    return out;
  };
  need(5 + 8 + 8 + 32);
  if (String.fromCharCode(...data.slice(0, 4)) !== 'RXLE') throw new Failure('the leaf data is not an rxledger entry (no RXLE magic)');
  if (data[4] !== 1) throw new Failure(`the entry has version ${data[4]}, not 1`);
  at = 5;
  const seq = view.getBigUint64(at);
  const orderedAt = view.getBigInt64(at + 8);
  at += 16 + 32;  // seq, ordered_at, submission id
  const kind = text();
  const submitter = text();
  text();  // key id
  need(32);
  at += 32;  // body SHA-256
  need(2);
  const signatureLength = view.getUint16(at);
  at += 2;
  need(signatureLength);
  at += signatureLength;
  const outcome = text();
  if (at !== data.length) throw new Failure('the leaf data has bytes after the entry');
  return { seq, orderedAt, kind, submitter, outcome };
}

const leafHash = (data) => sha256(concat(new Uint8Array([0x00]), data));
const nodeHash = (left, right) => sha256(concat(new Uint8Array([0x01]), left, right));

// The number of hashes in the inclusion proof of leaf `index` in a tree of `size` leaves (as
// ledger/merkle/merkle.cpp inclusion_proof_length): below the level where the paths to `index` and to the
// last leaf part, one sibling per level; above it, one per left subtree the index sits to the right of.
function proofLength(index, size) {
  const inner = (index ^ (size - 1n)).toString(2).replace(/^0+/, '').length;
  let border = 0;
  for (let rest = index >> BigInt(inner); rest > 0n; rest >>= 1n) border += Number(rest & 1n);
  return inner + border;
}

// RFC 9162 section 2.1.3.2: verifying an inclusion proof. Answers '' when it holds, else why not.
async function inclusionProblem(index, size, leaf, proof, root) {
  if (index >= size) return `leaf index ${index} is not below tree size ${size}`;
  const expected = proofLength(index, size);
  if (proof.length !== expected) return `proof has ${proof.length} ${proof.length === 1 ? 'hash' : 'hashes'}, expected ${expected}`;
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) return 'proof is longer than the tree is high';
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) return 'proof is shorter than the tree is high';
  if (!equalBytes(r, root)) return 'root mismatch: the proof does not lead to the given root';
  return '';
}

async function nextUnitLink(previous, leaf, eventIndex) {
  const index = new Uint8Array(4);
  new DataView(index.buffer).setUint32(0, eventIndex);
  return sha256(concat(previous, leaf, index));
}

function proofField(object, where) {
  const value = field(object, 'inclusion_proof', where);
  if (!Array.isArray(value)) throw new Failure(`${where}: "inclusion_proof" must be an array`);
  return value.map((item, i) => {
    const bytes = typeof item === 'string' ? fromBase64(item) : null;
    if (!bytes || bytes.length !== 32) throw new Failure(`${where}: inclusion proof hash ${i} is not base64 of 32 bytes`);
    return bytes;
  });
}

function receiptObject(document) {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) throw new Failure('the receipt is not a JSON object');
  if (document.receipt !== null && typeof document.receipt === 'object') return document.receipt;
  if ('format' in document) return document;
  throw new Failure('the answer holds no receipt (ask for one with receipt=1)');
}

async function check(receipt, keys, checked) {
  if (textField(receipt, 'format', 'receipt') !== receiptFormat) throw new Failure(`receipt: the format is not ${receiptFormat}`);
  const note = await verifyNote(textField(receipt, 'checkpoint', 'receipt'), keys);
  const checkpoint = parseCheckpoint(note.text);
  checked.push(`checkpoint ${checkpoint.origin} at size ${checkpoint.size} is signed by ${note.signers.join(', ')}`);

  const subject = field(receipt, 'subject', 'receipt');
  if (subject === null || typeof subject !== 'object') throw new Failure('receipt: "subject" must be an object');
  const unit = `(01)${textField(subject, 'gtin', 'subject')}(21)${textField(subject, 'serial', 'subject')}`;
  const head = hexHashField(subject, 'chain_link', 'subject');
  const entries = field(receipt, 'entries', 'receipt');
  if (!Array.isArray(entries) || entries.length === 0) throw new Failure('receipt: "entries" must be a non-empty array');

  let link = new Uint8Array(32);
  for (const item of entries) {
    if (item === null || typeof item !== 'object') throw new Failure('receipt: every entry must be an object');
    const seq = numberField(item, 'seq', 'entry');
    const where = `entry ${seq}`;
    const data = fromBase64(textField(item, 'leaf_data', where));
    if (!data) throw new Failure(`${where}: leaf_data is not base64`);
    let header;
    try {
      header = decodeEntry(data);
    } catch (error) {
      throw new Failure(`${where}: ${error.message}`);
    }
    if (header.seq !== seq) throw new Failure(`${where}: its leaf data is entry ${header.seq}`);
    const leaf = await leafHash(data);
    const problem = await inclusionProblem(seq, checkpoint.size, leaf, proofField(item, where), checkpoint.root);
    if (problem) {
      throw new Failure(`${where}: the inclusion proof does not lead to the checkpoint's root at size ${checkpoint.size} (${problem})`);
    }
    const eventIndex = numberField(item, 'event_index', where);
    if (eventIndex > 0xffffffffn) throw new Failure(`${where}: event_index is too large`);
    link = await nextUnitLink(link, leaf, Number(eventIndex));
    if (!equalBytes(link, hexHashField(item, 'unit_link', where))) {
      throw new Failure(`${where}: the unit link recomputed from the chain is ${toHex(link)}, the receipt says otherwise`);
    }
    const when = new Date(Number(header.orderedAt)).toISOString();
    checked.push(`entry ${seq} (${header.kind} by ${header.submitter} at ${when}, ${header.outcome}) is on the ledger`);
  }
  if (!equalBytes(link, head)) {
    throw new Failure(`unit ${unit}: its chain link ${toHex(head)} is not where the receipt's entries lead (${toHex(link)})`);
  }
  checked.push(`unit ${unit}: the chain of ${entries.length} links recomputes to its link ${toHex(head)}`);
}

// Checks a receipt (or an answer that carries one in "receipt") against verifier keys given as
// "name+keyid+key" strings (GET /v1/ledger/keys). Never throws.
export async function verifyReceipt(document, verifierKeyTexts) {
  const checked = [];
  try {
    const keys = [];
    for (const text of verifierKeyTexts) keys.push(await parseVerifierKey(text));
    await check(receiptObject(document), keys, checked);
    return { ok: true, checked, failure: '' };
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    return { ok: false, checked, failure: error.message };
  }
}
