// Talking to the node: the session's API token, requests, and errors told in words.
//
// The token lives in sessionStorage: this tab only, gone when the tab closes, never sent anywhere but
// this node's API (same origin). Every answer that is not a success becomes an ApiError whose message is
// the problem document's title and detail (RFC 9457), never raw JSON.

const tokenName = 'rxledger.token';

export const session = {
  token() {
    return sessionStorage.getItem(tokenName) ?? '';
  },
  signIn(token) {
    sessionStorage.setItem(tokenName, token.trim());
  },
  signOut() {
    sessionStorage.removeItem(tokenName);
  },
  signedIn() {
    return this.token() !== '';
  },
};

export class ApiError extends Error {
  // status: the HTTP status (0 when the node could not be reached); problem: the parsed problem
  // document, or null.
  constructor(status, message, problem = null) {
    super(message);
    this.status = status;
    this.problem = problem;
  }
}

// The sentence for a problem document: its title, then its detail when that adds something.
export function problemText(problem, status) {
  const title = typeof problem?.title === 'string' ? problem.title : '';
  const detail = typeof problem?.detail === 'string' ? problem.detail : '';
  if (title && detail && detail !== title) return `${title}: ${detail}`;
  if (title || detail) return title || detail;
  return `The node answered with status ${status}.`;
}

// Sends a request to this node's API. Answers {status, headers, body}: body is the parsed JSON for a JSON
// answer, else the text. Throws ApiError for a non-success answer or an unreachable node.
export async function call(path, { method = 'GET', headers = {}, body, accept = 'application/json', auth = true } = {}) {
  const sent = { Accept: accept, ...headers };
  if (auth && session.signedIn()) sent.Authorization = `Bearer ${session.token()}`;
  let response;
  try {
    response = await fetch(path, { method, headers: sent, body, cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new ApiError(0, 'Could not reach the node. Check the network connection and try again.');
  }
  const type = response.headers.get('Content-Type') ?? '';
  let parsed;
  if (type.includes('json')) {
    try {
      parsed = await response.json();
    } catch {
      parsed = null;
    }
  } else {
    parsed = await response.text();
  }
  if (!response.ok) {
    const problem = parsed !== null && typeof parsed === 'object' ? parsed : null;
    let message = problemText(problem, response.status);
    if (response.status === 401) message += ' Sign in again with a valid token.';
    throw new ApiError(response.status, message, problem);
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

// The path of a Link header's rel="next" target, or null.
export function nextLink(headers) {
  const link = headers.get('Link');
  if (!link) return null;
  const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
  return match ? match[1] : null;
}

// A path segment: every character outside RFC 3986's unreserved set is percent-encoded.
export function segment(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
