// The chat page: wires the composer, the thread list and the run streams to the Conversation model.

import {
  ApiError, currentCredential, openStream, request, setCredential, uuid, whenUnauthorized,
} from './api.js';
import { Conversation, textOf } from './conversation.js';
import { humanize, renderItems, renderThreads, showNotice } from './view.js';

const STREAM_MODES = ['messages-tuple', 'values', 'custom'];
const KEYS = {
  thread: 'switchboard.thread',
  draft: 'switchboard.draft',
  strategy: 'switchboard.strategy',
  assistant: 'switchboard.assistant',
  runs: (t) => `switchboard.runs.${t}`,
  ghosts: (t) => `switchboard.ghosts.${t}`,
};
const SUGGESTIONS = {
  telco: ['What packages do you offer?', "What's my data balance?", 'Change my package to premium',
    'Buy a week pass for Spain'],
  other: ['Hello!', 'What can you do?'],
};

const $ = (id) => document.getElementById(id);
const ui = {
  app: $('app'), log: $('log'), items: $('items'), empty: $('empty'), input: $('input'), composer: $('composer'),
  strategy: $('strategy'), assistant: $('assistant'), threads: $('thread-list'), notices: $('notices'),
  title: $('thread-title'), status: $('thread-status'), info: $('server-info'), suggestions: $('suggestions'),
  newThread: $('new-thread'), openSidebar: $('open-sidebar'), closeSidebar: $('close-sidebar'), scrim: $('scrim'),
  signIn: $('sign-in'), signInForm: $('sign-in-form'), signInKey: $('sign-in-key'), signInWhy: $('sign-in-why'),
  signInError: $('sign-in-error'), signOut: $('sign-out'),
  approval: $('approval'), approvalText: $('approval-text'), approvalArgs: $('approval-args'),
  approve: $('approve'), edit: $('edit'), reject: $('reject'),
};

const app = {
  conv: null,
  draft: false,
  streams: new Map(),
  threads: [],
  assistant: null,
  renderQueued: false,
  auth: false,
  signingIn: null,
  approval: null,
};

/**
 * Settles when the page first has a conversation open. The composer works from the first paint, before the page
 * has read the server's defaults and opened a conversation: a message sent in that moment waits for it.
 */
let conversationOpened;
const firstConversation = new Promise((resolve) => { conversationOpened = resolve; });

// ---- storage: a full or disabled localStorage must never break the chat ----------------------------------

const store = {
  get(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key, value) {
    try {
      if (value === null || value === undefined) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch {
      // private mode or quota: the page still works, it just forgets on reload
    }
  },
  json(key) {
    const raw = store.get(key);
    if (!raw) return null;
    try {
      return JSON.parse(raw);
    } catch {
      return null;
    }
  },
  setJson(key, value) {
    store.set(key, value === null ? null : JSON.stringify(value));
  },
};

function notice(error, kind = 'error') {
  // A refused key is the sign-in form's business, not a banner's.
  if (error instanceof ApiError && error.status === 401 && app.auth) return;
  const text = error instanceof Error ? error.message : String(error);
  showNotice(ui.notices, text, kind);
}

// ---- rendering -------------------------------------------------------------------------------------------

function scheduleRender() {
  if (app.renderQueued) return;
  app.renderQueued = true;
  requestAnimationFrame(() => {
    app.renderQueued = false;
    render();
  });
}

function render() {
  const conv = app.conv;
  if (!conv) return;
  const stick = ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 80;
  const items = conv.items();
  renderItems(ui.items, items, { cancelOperation });
  ui.empty.hidden = items.length > 0;
  const title = titleOfMessages(conv.canonical);
  ui.title.textContent = title || 'New conversation';
  if (title !== app.shownTitle) {
    app.shownTitle = title;
    drawThreads();
  }
  ui.status.textContent = statusText(conv);
  ui.status.dataset.busy = ui.status.textContent ? 'true' : 'false';
  if (stick) ui.log.scrollTop = ui.log.scrollHeight;
}

function statusText(conv) {
  const running = [...conv.cards.values()].find((c) => c.status === 'running');
  if (running) return `Working: ${humanize(running.tool)} · ${running.percent}%`;
  const runs = [...conv.runs.values()];
  if (runs.some((r) => r.status === 'running')) return 'Answering…';
  if (runs.some((r) => r.status === 'queued')) return 'Queued';
  return '';
}

function titleOfMessages(messages) {
  const first = (messages || []).find((m) => m && m.type === 'human' && textOf(m).trim());
  if (!first) return '';
  const text = textOf(first).trim().replace(/\s+/g, ' ');
  return text.length > 60 ? text.slice(0, 57) + '…' : text;
}

// ---- threads ---------------------------------------------------------------------------------------------

async function refreshThreads() {
  try {
    const threads = await request('POST', '/threads/search', { limit: 50, sort_by: 'updated_at', sort_order: 'desc' });
    app.threads = (threads || []).map((t) => ({
      id: t.thread_id,
      title: titleOfMessages(t.values && t.values.messages) || (t.metadata && t.metadata.title) || 'Untitled conversation',
      named: !!titleOfMessages(t.values && t.values.messages),
      subtitle: when(t.updated_at) + (t.status === 'busy' ? ' · working' : ''),
      busy: t.status === 'busy',
    }));
  } catch (e) {
    notice(e);
  }
  drawThreads();
}

function drawThreads() {
  const current = app.conv && app.conv.threadId;
  // A thread's values reach the list when a run ends; the open one can name itself sooner.
  const ownTitle = app.conv && titleOfMessages(app.conv.canonical);
  const list = app.threads.map((t) => (t.id === current && ownTitle && !t.named ? { ...t, title: ownTitle } : t));
  if (app.draft && current && !list.some((t) => t.id === current)) {
    list.unshift({ id: current, title: 'New conversation', subtitle: 'Not started yet', draft: true });
  }
  renderThreads(ui.threads, list, current, { open: (id) => openThread(id), remove: removeThread });
}

function when(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  const seconds = (Date.now() - date.getTime()) / 1000;
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return date.toLocaleDateString([], { day: 'numeric', month: 'short' });
}

/**
 * Shows the open conversation in the address bar (`?thread=<id>`), so it can be bookmarked, shared and reloaded;
 * a switch the person made is a history entry (Back returns to the previous conversation).
 */
function showInAddressBar(threadId, how) {
  const url = new URL(location.href);
  if (url.searchParams.get('thread') === threadId) return;
  url.searchParams.set('thread', threadId);
  if (how === 'push') history.pushState({ thread: threadId }, '', url);
  else history.replaceState({ thread: threadId }, '', url);
}

async function openThread(threadId, how = 'push') {
  showApproval(null);
  showInAddressBar(threadId, how);
  for (const controller of app.streams.values()) controller.abort();
  app.streams.clear();
  const conv = new Conversation(threadId);
  app.conv = conv;
  conversationOpened();
  app.draft = false;
  store.set(KEYS.thread, threadId);
  conv.restoreGhosts(store.json(KEYS.ghosts(threadId)));
  closeSidebar();
  render();
  if (store.get(KEYS.draft) === threadId) {
    // Nothing sent yet, so the server has no such thread: asking would only log a 404.
    app.draft = true;
    drawThreads();
    return;
  }
  let state;
  try {
    state = await request('GET', `/threads/${threadId}/state`);
  } catch (e) {
    if (conv !== app.conv) return;
    if (e instanceof ApiError && e.status === 404) {
      // A conversation this page has not sent anything to yet: the first message creates it.
      app.draft = true;
      store.setJson(KEYS.runs(threadId), null);
      drawThreads();
      render();
      return;
    }
    notice(e);
    return;
  }
  if (conv !== app.conv) return;
  conv.setValues(state.values);
  showApproval(state.interrupts);
  drawThreads();
  render();
  await loadOperations(conv);
  await rejoin(conv);
}

async function loadOperations(conv) {
  try {
    const operations = await request('GET', `/threads/${conv.threadId}/operations`);
    if (conv !== app.conv) return;
    for (const op of operations || []) conv.updateCard(op, op.run_id);
    scheduleRender();
  } catch (e) {
    notice(e);
  }
}

/**
 * Continues every run of the thread that is still going: the ones this page remembers resume after the
 * last event it saw (Last-Event-ID) with the text streamed so far; others (started elsewhere) replay.
 */
async function rejoin(conv) {
  const saved = store.json(KEYS.runs(conv.threadId)) || {};
  let runs;
  try {
    runs = await request('GET', `/threads/${conv.threadId}/runs?limit=50`);
  } catch (e) {
    notice(e);
    return;
  }
  if (conv !== app.conv) return;
  const active = (runs || []).filter((r) => r.status === 'pending' || r.status === 'running');
  // Oldest first, so queued runs line up in the order they were sent.
  active.sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
  for (const r of active) {
    if (app.streams.has(r.run_id)) continue;
    const remembered = saved[r.run_id];
    if (remembered) conv.restoreRun(remembered);
    attach(conv, r.run_id, {
      lane: r.lane, status: r.status === 'pending' ? 'queued' : 'running',
      lastEventId: remembered && remembered.lastEventId !== null ? remembered.lastEventId : -1,
    });
  }
  persistRuns(conv);
  scheduleRender();
}

/** A new conversation exists only on this page until its first message creates it on the server. */
function openDraft(how = 'push') {
  const threadId = uuid();
  store.set(KEYS.draft, threadId);
  return openThread(threadId, how);
}

async function removeThread(threadId, title) {
  try {
    await request('DELETE', `/threads/${threadId}`);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) {
      notice(e);
      return;
    }
  }
  store.setJson(KEYS.runs(threadId), null);
  store.setJson(KEYS.ghosts(threadId), null);
  app.threads = app.threads.filter((t) => t.id !== threadId);
  notice(`Deleted “${title}”.`, 'info');
  if (app.conv && app.conv.threadId === threadId) {
    await openDraft('replace');
  }
  refreshThreads();
}

// ---- runs ------------------------------------------------------------------------------------------------

function joinPath(conv, runId) {
  const modes = STREAM_MODES.map((m) => 'stream_mode=' + encodeURIComponent(m)).join('&');
  return `/threads/${conv.threadId}/runs/${runId}/stream?${modes}`;
}

function runIdFrom(location) {
  const match = /\/runs\/([0-9a-f-]{36})/i.exec(location || '');
  return match ? match[1] : null;
}

async function send(text) {
  if (!app.conv) await firstConversation;
  const conv = app.conv;
  const message = { id: uuid(), type: 'human', content: text };
  conv.addPending(message);
  render();
  ui.log.scrollTop = ui.log.scrollHeight;
  const strategy = ui.strategy.value;
  const body = {
    assistant_id: app.assistant,
    input: { messages: [message] },
    stream_mode: STREAM_MODES,
    stream_resumable: true,
    on_disconnect: 'continue',
    if_not_exists: 'create',
    multitask_strategy: strategy,
  };
  showApproval(null); // a message on a paused thread is the answer to it (yes, no, or something else)
  await startRun(conv, body, message, strategy);
}

/** Streams a new run of {@code body}; {@code message} is the human message it carries (null for a decision). */
async function startRun(conv, body, message, strategy) {
  const text = message ? message.content : '';
  const controller = new AbortController();
  let opened;
  try {
    opened = await openStream('POST', `/threads/${conv.threadId}/runs/stream`, body, { signal: controller.signal });
  } catch (e) {
    if (message) conv.dropPending(message.id);
    if (message && !ui.input.value.trim()) {
      ui.input.value = text;
      autosize();
    }
    if (e instanceof ApiError && e.code === 'thread_busy') {
      notice('Not sent: the agent is still answering and “Refuse it (reject)” is selected. '
        + 'Your message is back in the box; send it again when the answer is done, or pick another strategy.');
    } else if (!(e && e.name === 'AbortError')) {
      notice(e);
    }
    render();
    return;
  }
  const runId = runIdFrom(opened.location);
  if (conv !== app.conv || !runId) {
    controller.abort();
    return;
  }
  if (app.draft) {
    app.draft = false;
    store.set(KEYS.draft, null);
  }
  conv.trackRun(runId, { userIds: message ? [message.id] : [], status: 'running' });
  app.streams.set(runId, controller);
  persistRuns(conv);
  describeRun(conv, runId, strategy);
  refreshThreads();
  pump(conv, runId, controller, opened);
}

/** Learns the run's lane and whether it waits in the queue, so the message is labelled before it answers. */
async function describeRun(conv, runId, strategy) {
  try {
    const run = await request('GET', `/threads/${conv.threadId}/runs/${runId}`);
    const tracked = conv.runs.get(runId);
    if (!tracked || conv !== app.conv) return;
    const fields = { lane: run.lane || tracked.lane };
    // Only an enqueued message waits its turn; one that interrupts or rolls back is pending for a moment.
    if (run.status === 'pending' && !tracked.started && strategy === 'enqueue') fields.status = 'queued';
    conv.trackRun(runId, fields);
    persistRuns(conv);
    scheduleRender();
  } catch {
    // a run rolled back this fast has nothing to label
  }
}

function attach(conv, runId, { lane = null, status = 'running', lastEventId = -1 } = {}) {
  if (app.streams.has(runId)) return;
  conv.trackRun(runId, { lane, status, lastEventId: lastEventId === -1 ? null : lastEventId });
  const controller = new AbortController();
  app.streams.set(runId, controller);
  pump(conv, runId, controller, null);
}

/** Reads one run's events until `end`, reconnecting with Last-Event-ID when the connection drops. */
async function pump(conv, runId, controller, opened) {
  let failures = 0;
  let warned = false;
  for (;;) {
    if (conv !== app.conv) {
      controller.abort();
      return;
    }
    try {
      if (!opened) {
        const run = conv.runs.get(runId);
        const last = run && run.lastEventId !== null && run.lastEventId !== undefined ? run.lastEventId : -1;
        opened = await openStream('GET', joinPath(conv, runId), undefined, { signal: controller.signal, lastEventId: last });
      }
      for await (const event of opened.events) {
        if (conv !== app.conv) {
          controller.abort();
          return;
        }
        failures = 0;
        handleEvent(conv, runId, event);
        if (event.event === 'end') {
          finishRun(conv, runId);
          return;
        }
      }
      opened = null;
      failures++;
    } catch (e) {
      opened = null;
      if (controller.signal.aborted || (e && e.name === 'AbortError')) return;
      if (e instanceof ApiError && e.status === 404) {
        // Rolled back (deleted) or expired: the thread state already says what remains.
        finishRun(conv, runId);
        return;
      }
      failures++;
      if (!warned) {
        notice('The connection to the answer dropped; reconnecting…', 'info');
        warned = true;
      }
    }
    if (failures > 6) {
      notice('Lost the connection to the answer. Reload the page to pick it up again.');
      finishRun(conv, runId);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(8000, 250 * 2 ** failures)));
  }
}

function handleEvent(conv, runId, event) {
  const run = conv.runs.get(runId);
  if (run && event.id !== null && event.id !== undefined && event.id !== '') {
    const id = Number(event.id);
    if (Number.isFinite(id)) run.lastEventId = id;
  }
  const data = event.data;
  switch (event.event) {
    case 'metadata':
      conv.trackRun(runId, { status: 'running', started: true });
      break;
    case 'messages':
      if (Array.isArray(data)) conv.addToken(data[0], data[1], runId);
      if (run) run.started = true;
      break;
    case 'values':
      if (data && Array.isArray(data.__interrupt__)) {
        // A paused run's last values event is its interrupt, not a state: the conversation stays as it is.
        if (conv === app.conv) showApproval(data.__interrupt__);
      } else {
        conv.setValues(data);
      }
      if (run) run.started = true;
      break;
    case 'custom':
      handleCustom(conv, runId, data || {});
      break;
    case 'error':
      notice(`The agent could not finish this answer: ${(data && (data.message || data.error)) || 'unknown error'}.`);
      break;
    default:
      break;
  }
  persistRuns(conv);
  scheduleRender();
}

function handleCustom(conv, runId, data) {
  if (data.type === 'run_cancelled') {
    conv.supersede(data.run_id || runId, data.status, data.superseded_by);
    store.setJson(KEYS.ghosts(conv.threadId), conv.ghostsForStorage());
    return;
  }
  if (typeof data.type === 'string' && data.type.startsWith('operation_')) {
    const card = conv.updateCard(data, runId);
    if (card && !card.toolCallId && !card.describing) {
      // The event names the operation, not the tool call; the card belongs after the call that started it.
      card.describing = true;
      request('GET', `/operations/${card.operationId}`)
        .then((op) => {
          conv.updateCard({ operation_id: op.operation_id, tool_call_id: op.tool_call_id, run_id: op.run_id });
          scheduleRender();
        })
        .catch(() => {});
    }
  }
}

// ---- approvals: a paused run waits for the person's decision ----------------------------------------------

/** Shows the approval a pause asks for (LangChain's action_requests), or hides the card when there is none. */
function showApproval(interrupts) {
  const list = Array.isArray(interrupts) ? interrupts
    : interrupts && typeof interrupts === 'object' ? Object.values(interrupts).flat() : [];
  const request = list.find((i) => i && i.value && Array.isArray(i.value.action_requests));
  app.approval = request ? request.value : null;
  ui.approval.hidden = !request;
  ui.approvalArgs.hidden = true;
  if (!request) return;
  const actions = request.value.action_requests;
  ui.approvalText.textContent = actions.map((a) => a.description || a.name).join('\n');
  const allowed = new Set((request.value.review_configs || []).flatMap((r) => r.allowed_decisions || []));
  ui.approve.hidden = !allowed.has('approve');
  ui.edit.hidden = !allowed.has('edit') || actions.length !== 1;
  ui.reject.hidden = !allowed.has('reject');
}

async function decide(type) {
  const conv = app.conv;
  const pending = app.approval;
  if (!conv || !pending) return;
  let decisions;
  if (type === 'edit') {
    if (ui.approvalArgs.hidden) {
      ui.approvalArgs.value = JSON.stringify(pending.action_requests[0].args || {}, null, 2);
      ui.approvalArgs.hidden = false;
      ui.approvalArgs.focus();
      return;
    }
    let args;
    try {
      args = JSON.parse(ui.approvalArgs.value);
    } catch {
      notice('The edited arguments are not valid JSON.');
      return;
    }
    decisions = [{ type: 'edit', edited_action: { name: pending.action_requests[0].name, args } }];
  } else {
    decisions = pending.action_requests.map(() => (type === 'approve' ? { type: 'approve' }
      : { type: 'reject', message: 'The customer rejected it.' }));
  }
  showApproval(null);
  await startRun(conv, {
    assistant_id: app.assistant,
    command: { resume: { decisions } },
    stream_mode: STREAM_MODES,
    stream_resumable: true,
    on_disconnect: 'continue',
    multitask_strategy: 'enqueue',
  }, null, 'enqueue');
}

function finishRun(conv, runId) {
  app.streams.delete(runId);
  conv.endRun(runId);
  persistRuns(conv);
  store.setJson(KEYS.ghosts(conv.threadId), conv.ghostsForStorage());
  scheduleRender();
  if (conv === app.conv) {
    refreshThreads();
    // The server may have started runs of its own meanwhile (an operation's report); follow them too.
    setTimeout(() => {
      if (conv === app.conv && app.streams.size === 0) rejoin(conv);
    }, 300);
  }
}

function persistRuns(conv) {
  const out = {};
  for (const runId of conv.runs.keys()) {
    const saved = conv.runForStorage(runId);
    if (saved) out[runId] = saved;
  }
  store.setJson(KEYS.runs(conv.threadId), Object.keys(out).length ? out : null);
}

async function cancelOperation(operationId, button) {
  const conv = app.conv;
  const card = conv.cards.get(operationId);
  if (!card) return;
  button.disabled = true;
  try {
    const answer = await request('POST', `/operations/${operationId}/cancel`);
    conv.updateCard(answer);
    if (answer.cancel === 'accepted') {
      card.cancelRequested = true;
      card.note = 'Cancelling…';
    } else {
      card.cancelRefused = true;
      card.note = answer.explanation || 'It had already finished.';
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) {
      card.cancelRefused = true;
      card.note = 'Past the point of no return: it will finish.';
      notice(`${humanize(card.tool)} can no longer be cancelled: ${e.message}`, 'info');
    } else {
      notice(e);
    }
  } finally {
    button.disabled = false;
    scheduleRender();
  }
}

// ---- set-up ----------------------------------------------------------------------------------------------

async function loadInfo() {
  let info = {};
  try {
    info = (await request('GET', '/info')) || {};
  } catch (e) {
    notice(e);
  }
  app.auth = !!(info.flags && info.flags.auth);
  app.info = info;
  return info;
}

/** The assistants the server hosts, in the picker; after sign-in, since /info does not ask for a key. */
function drawAssistants(info) {
  const graphs = String((info.metadata && info.metadata.graphs) || '').split(',').map((g) => g.trim()).filter(Boolean);
  graphs.sort();
  const asked = new URLSearchParams(location.search).get('assistant');
  const remembered = store.get(KEYS.assistant);
  const choice = [asked, remembered, 'telco'].find((g) => g && graphs.includes(g)) || graphs[0] || asked || 'telco';
  ui.assistant.textContent = '';
  for (const g of graphs.length ? graphs : [choice]) {
    const option = document.createElement('option');
    option.value = g;
    option.textContent = g;
    ui.assistant.append(option);
  }
  ui.assistant.value = choice;
  app.assistant = choice;
  ui.info.textContent = [info.model ? `Model: ${info.model}` : '', info.version ? `v${info.version}` : '']
    .filter(Boolean).join(' · ');
  ui.signOut.hidden = !app.auth;
  drawSuggestions();
}

// ---- sign-in ---------------------------------------------------------------------------------------------

/**
 * Asks for an API key (or a bearer token) until the server accepts one; resolves then. `why` says what
 * happened (a key that stopped working says so).
 */
function signIn(why) {
  if (app.signingIn) return app.signingIn;
  ui.signInWhy.textContent = why || 'This server asks for an API key or an access token.';
  ui.signInError.textContent = '';
  ui.signInKey.value = '';
  ui.signIn.hidden = false;
  ui.signInKey.focus();
  app.signingIn = new Promise((resolve) => {
    const submit = async (e) => {
      e.preventDefault();
      const value = ui.signInKey.value.trim();
      if (!value) return;
      setCredential(value);
      try {
        await request('POST', '/assistants/search', { limit: 1 });
      } catch (err) {
        setCredential(null);
        ui.signInError.textContent = err instanceof ApiError && err.status === 401
          ? 'That key was not accepted. Check it and try again.'
          : (err instanceof Error ? err.message : String(err));
        ui.signInKey.select();
        return;
      }
      ui.signInForm.removeEventListener('submit', submit);
      ui.signIn.hidden = true;
      app.signingIn = null;
      resolve();
    };
    ui.signInForm.addEventListener('submit', submit);
  });
  return app.signingIn;
}

/** A 401 after start-up (a key revoked, another tab signed out): ask again, then pick up where the page was. */
function unauthorized() {
  if (app.signingIn || !app.booted) return;
  setCredential(null);
  signIn('Your key was not accepted any more. Sign in again to continue.').then(async () => {
    if (app.conv) await openThread(app.conv.threadId, 'replace');
    refreshThreads();
  });
}

function signOut() {
  setCredential(null);
  for (const controller of app.streams.values()) controller.abort();
  app.streams.clear();
  signIn('Signed out. Enter a key to continue.').then(async () => {
    if (app.conv) await openThread(app.conv.threadId, 'replace');
    refreshThreads();
  });
}

/** The strategy the server applies when a client names none, from its OpenAPI document. */
async function loadDefaultStrategy() {
  let fallback = 'enqueue';
  try {
    const doc = await request('GET', '/openapi.json');
    const declared = doc.components.schemas.RunCreate.properties.multitask_strategy.default;
    if (typeof declared === 'string') fallback = declared;
  } catch {
    // an older server without the document: enqueue is the Agent Server's default
  }
  for (const option of ui.strategy.options) {
    if (option.value === fallback) option.textContent += ' · default';
  }
  const remembered = store.get(KEYS.strategy);
  ui.strategy.value = [...ui.strategy.options].some((o) => o.value === remembered) ? remembered : fallback;
}

function drawSuggestions() {
  ui.suggestions.textContent = '';
  for (const text of SUGGESTIONS[app.assistant] || SUGGESTIONS.other) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'suggestion';
    b.textContent = text;
    b.addEventListener('click', () => {
      ui.input.value = text;
      autosize();
      ui.input.focus();
    });
    ui.suggestions.append(b);
  }
}

function autosize() {
  ui.input.style.height = 'auto';
  ui.input.style.height = Math.min(ui.input.scrollHeight, 200) + 'px';
}

function openSidebar() {
  ui.app.classList.add('sidebar-open');
  ui.scrim.hidden = false;
  ui.openSidebar.setAttribute('aria-expanded', 'true');
}

function closeSidebar() {
  ui.app.classList.remove('sidebar-open');
  ui.scrim.hidden = true;
  ui.openSidebar.setAttribute('aria-expanded', 'false');
}

function wire() {
  ui.approve.addEventListener('click', () => decide('approve'));
  ui.edit.addEventListener('click', () => decide('edit'));
  ui.reject.addEventListener('click', () => decide('reject'));
  ui.composer.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = ui.input.value.trim();
    if (!text) return;
    ui.input.value = '';
    autosize();
    ui.input.focus();
    send(text);
  });
  ui.input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      ui.composer.requestSubmit();
    }
  });
  ui.input.addEventListener('input', autosize);
  ui.strategy.addEventListener('change', () => store.set(KEYS.strategy, ui.strategy.value));
  ui.assistant.addEventListener('change', () => {
    app.assistant = ui.assistant.value;
    store.set(KEYS.assistant, app.assistant);
    drawSuggestions();
  });
  ui.newThread.addEventListener('click', () => {
    openDraft();
    ui.input.focus();
  });
  ui.openSidebar.addEventListener('click', openSidebar);
  ui.closeSidebar.addEventListener('click', closeSidebar);
  ui.scrim.addEventListener('click', closeSidebar);
  ui.signOut.addEventListener('click', signOut);
  whenUnauthorized(unauthorized);
  window.addEventListener('popstate', () => {
    const id = new URLSearchParams(location.search).get('thread');
    if (id && /^[0-9a-f-]{36}$/i.test(id) && (!app.conv || app.conv.threadId !== id)) openThread(id, 'none');
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') closeSidebar();
  });
  // Anything that slips through becomes a notice, not console noise.
  window.addEventListener('unhandledrejection', (e) => {
    e.preventDefault();
    notice(e.reason instanceof Error ? e.reason : 'Something went wrong.');
  });
}

async function boot() {
  wire();
  const info = await loadInfo();
  if (app.auth && !currentCredential()) {
    await signIn();
  }
  drawAssistants(info);
  await loadDefaultStrategy();
  // ?thread=<id> opens a given conversation (the terminal chat prints its id); else the last one open here.
  const linked = new URLSearchParams(location.search).get('thread');
  const valid = linked && /^[0-9a-f-]{36}$/i.test(linked) ? linked : null;
  const last = valid || store.get(KEYS.thread);
  app.booted = true;
  await (last ? openThread(last, 'replace') : openDraft('replace'));
  refreshThreads();
  ui.input.focus();
}

boot();
