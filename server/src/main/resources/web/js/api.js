// The Agent Protocol as this UI speaks it: JSON requests, and SSE read from fetch (EventSource can neither POST
// nor set Last-Event-ID on a first connect, and both are needed here).

/** A failed request, with a sentence a person can read. */
export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

const UNREACHABLE = "Can't reach the Switchboard server. Check that it is running, then try again.";

// ---- sign-in: an API key or a bearer token, kept for this browser tab only (sessionStorage) ------------------

const CREDENTIAL_KEY = 'switchboard.credential';
let credential = readCredential();
let onUnauthorized = null;

function readCredential() {
  try {
    return sessionStorage.getItem(CREDENTIAL_KEY);
  } catch {
    return null;
  }
}

/** The key or token this tab sends (null: none). */
export function currentCredential() {
  return credential;
}

/** Keeps `value` for this tab (null forgets it). It goes out as `Authorization: Bearer`, which takes both. */
export function setCredential(value) {
  credential = value || null;
  try {
    if (credential) sessionStorage.setItem(CREDENTIAL_KEY, credential);
    else sessionStorage.removeItem(CREDENTIAL_KEY);
  } catch {
    // storage off: the key lasts until the page reloads
  }
}

/** Called with the ApiError of a 401, so the page can ask for a key instead of showing the error. */
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

async function failure(response) {
  let detail = `${response.status} ${response.statusText}`.trim();
  let code = 'http_' + response.status;
  try {
    const body = await response.json();
    if (body && typeof body.detail === 'string') {
      detail = body.detail;
    }
    if (body && typeof body.explanation === 'string' && body.explanation) {
      detail = body.explanation;
    }
    if (body && typeof body.code === 'string') {
      code = body.code;
    }
  } catch {
    // not JSON: the status line is all there is to say
  }
  return new ApiError(response.status, code, detail);
}

const VISITOR_KEY = 'switchboard.visitor';

// crypto.randomUUID exists only in secure contexts; getRandomValues also over plain http on a LAN address.
function randomId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * This browser's visitor id. A server without sign-in gives each visitor a demo account of their own, so two
 * browsers never see each other's changes; with sign-in on, the server ignores it.
 */
let visitor = null;

export function visitorId() {
  if (visitor) {
    return visitor;
  }
  try {
    visitor = localStorage.getItem(VISITOR_KEY);
    if (!visitor || !/^[A-Za-z0-9._-]{8,128}$/.test(visitor)) {
      visitor = randomId();
      localStorage.setItem(VISITOR_KEY, visitor);
    }
  } catch {
    // storage blocked: one id for this page's life
    visitor = visitor || randomId();
  }
  return visitor;
}

async function send(method, path, body, { signal, headers } = {}) {
  const init = {
    method,
    signal,
    headers: { Accept: 'application/json', 'X-Switchboard-Visitor': visitorId(), ...(headers || {}) },
  };
  if (credential) {
    init.headers.Authorization = `Bearer ${credential}`;
  }
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    if (e && e.name === 'AbortError') {
      throw e;
    }
    throw new ApiError(0, 'unreachable', UNREACHABLE);
  }
  if (!response.ok) {
    const error = await failure(response);
    if (response.status === 401 && onUnauthorized) {
      onUnauthorized(error);
    }
    throw error;
  }
  return response;
}

/** One JSON request; resolves to the parsed body, or null for an empty answer (204). */
export async function request(method, path, body, options) {
  const response = await send(method, path, body, options);
  if (response.status === 204) {
    return null;
  }
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/**
 * Opens an SSE response. Resolves once the headers are in, with the run path from Content-Location (when the
 * server sends one) and an async iterator of {event, data, id}.
 */
export async function openStream(method, path, body, { signal, lastEventId } = {}) {
  const headers = { Accept: 'text/event-stream' };
  if (lastEventId !== undefined && lastEventId !== null) {
    headers['Last-Event-ID'] = String(lastEventId);
  }
  const response = await send(method, path, body, { signal, headers });
  return { location: response.headers.get('Content-Location'), events: readEvents(response.body) };
}

/** WHATWG event-stream parsing: fields per line, a blank line ends an event, ':' lines are comments. */
export async function* readEvents(stream) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data = [];
  let id = null;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        break;
      }
      buffer += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        let line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.endsWith('\r')) {
          line = line.slice(0, -1);
        }
        if (line === '') {
          if (data.length > 0) {
            const text = data.join('\n');
            let parsed = null;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = text;
            }
            yield { event: event || 'message', data: parsed, id };
          }
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) {
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let fieldValue = colon < 0 ? '' : line.slice(colon + 1);
        if (fieldValue.startsWith(' ')) {
          fieldValue = fieldValue.slice(1);
        }
        if (field === 'event') {
          event = fieldValue;
        } else if (field === 'data') {
          data.push(fieldValue);
        } else if (field === 'id') {
          id = fieldValue;
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/** A random v4 UUID; crypto.randomUUID exists only in secure contexts, getRandomValues everywhere. */
export function uuid() {
  if (globalThis.crypto && typeof crypto.randomUUID === 'function') {
    return crypto.randomUUID();
  }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
