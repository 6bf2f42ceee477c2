// Signed writes from the browser (docs/web.md): the participant's own Ed25519 key signs every write, as
// the CLI does, so "the signature is the authentication" holds for the pages too.
//
// The key file is the one `rxledger dev-consortium` and `rxledger keygen` write: two label lines (whose key
// it is, and its key id) and a PEM PKCS#8 Ed25519 private key. It is imported as a non-extractable
// WebCrypto key and held in this page's memory only: not in storage, gone on reload or when the tab closes.

import { fromBase64, sha256, toBase64, toHex, utf8 } from './bytes.js';
import { call } from './api.js';

// Reads a key file's text into {participant, keyId, key}. Throws an Error with a sentence for a file that
// is not a participant key file, or when the browser cannot use Ed25519.
export async function readKeyFile(text) {
  const participant = /^rxledger-participant:\s*(\S+)\s*$/m.exec(text)?.[1];
  const keyId = /^rxledger-key-id:\s*(\S+)\s*$/m.exec(text)?.[1];
  const pem = /-----BEGIN PRIVATE KEY-----([\s\S]*?)-----END PRIVATE KEY-----/.exec(text)?.[1];
  if (!participant || !keyId || !pem) {
    throw new Error('This is not an rxledger participant key file: it needs the rxledger-participant and ' +
      'rxledger-key-id lines and a PEM private key (var/dev/keys/<participant>.key).');
  }
  const der = fromBase64(pem.replace(/\s+/g, ''));
  if (!der) throw new Error('The private key in this file is not valid base64.');
  if (!crypto?.subtle) throw new Error('This browser offers no WebCrypto here; open the page over HTTPS.');
  let key;
  try {
    key = await crypto.subtle.importKey('pkcs8', der, { name: 'Ed25519' }, false, ['sign']);
  } catch (error) {
    const reason = error?.name === 'NotSupportedError' ? 'this browser cannot sign with Ed25519' : 'it is not an Ed25519 private key';
    throw new Error(`The key could not be loaded: ${reason}.`);
  }
  return { participant, keyId, key };
}

// The message a submission's signature covers (docs/entry-format.md section 1).
export async function signingMessage(kind, submitter, keyId, body) {
  return `rxledger-submission/v1\n${kind}\n${submitter}\n${keyId}\n${toHex(await sha256(utf8(body)))}\n`;
}

// Signs `bodyObject` as a submission of `kind` and posts it; answers as api.call does.
export async function signedPost(signer, path, kind, bodyObject) {
  const body = JSON.stringify(bodyObject);
  const message = await signingMessage(kind, signer.participant, signer.keyId, body);
  const signature = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, signer.key, utf8(message)));
  return call(path, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json', 'Rxl-Key-Id': signer.keyId, 'Rxl-Signature': toBase64(signature) },
  });
}

// A request id that makes each deliberate write distinct bytes (a dispense after an undo is a new entry,
// not a retry of the first).
export function requestId() {
  const random = new Uint8Array(8);
  crypto.getRandomValues(random);
  return `web-${Date.now()}-${toHex(random)}`;
}

// Wires a key panel: a file input, a status line and a "forget" button. `onChange(signer or null)` runs
// whenever the key changes.
export function keyPanel({ fileInput, status, forget }, onChange) {
  const show = (signer, error) => {
    status.classList.toggle('error', Boolean(error));
    status.textContent = error
      ? error
      : signer
        ? `Signing key ${signer.keyId} of ${signer.participant} is loaded (held in this tab's memory only).`
        : 'No signing key loaded: you can look things up, but writes need your key.';
    forget.hidden = !signer;
  };
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    try {
      const signer = await readKeyFile(await file.text());
      show(signer, null);
      onChange(signer);
    } catch (error) {
      show(null, error.message);
      onChange(null);
    } finally {
      fileInput.value = '';
    }
  });
  forget.addEventListener('click', () => {
    show(null, null);
    onChange(null);
  });
  show(null, null);
}
