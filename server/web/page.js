// What both desks share: signing in with an API token, signing out, and the signing-key panel.

import { call, session } from './api.js';
import { keyPanel } from './signing.js';
import { showError } from './show.js';

// Shows `signedInView` when the session has a token and the sign-in form otherwise. A new token is checked
// against the node (a cheap authenticated read) before it is kept. `onSignIn` runs once signed in.
export function wireSignIn(onSignIn) {
  const form = document.getElementById('sign-in-form');
  const tokenInput = document.getElementById('token');
  const error = document.getElementById('sign-in-error');
  const signInView = document.getElementById('sign-in');
  const signedInView = document.getElementById('signed-in');
  const signOut = document.getElementById('sign-out');

  const render = () => {
    const signedIn = session.signedIn();
    signInView.hidden = signedIn;
    signedInView.hidden = !signedIn;
    signOut.hidden = !signedIn;
    if (signedIn) onSignIn();
    else tokenInput.focus();
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const token = tokenInput.value.trim();
    if (!token) return;
    session.signIn(token);
    try {
      await call('/v1/recalls?perPage=1');
    } catch (failure) {
      session.signOut();
      showError(error, failure.status === 401 ? new Error('This token is not valid on this node. Check it and try again.') : failure);
      tokenInput.select();
      return;
    }
    tokenInput.value = '';
    render();
  });
  signOut.addEventListener('click', () => {
    session.signOut();
    location.reload();  // forgets the signing key and everything shown
  });
  render();
}

// The signing-key panel of a page (elements key-file, key-status, key-forget). Answers a getter for the
// current signer (or null).
export function wireKeyPanel(onChange = () => {}) {
  let signer = null;
  keyPanel(
    {
      fileInput: document.getElementById('key-file'),
      status: document.getElementById('key-status'),
      forget: document.getElementById('key-forget'),
    },
    (loaded) => {
      signer = loaded;
      onChange(signer);
    },
  );
  return () => signer;
}
