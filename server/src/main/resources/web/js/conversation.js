// What one thread looks like on screen, kept apart from the DOM so the rules are in one place.
//
// Sources, in the order the screen trusts them:
//   * the thread state (`values` events, GET /threads/{id}/state): `messages`, then `interim_messages`;
//   * the tail: messages this page sent that the state does not hold yet, and answers still streaming;
//   * operation cards, placed after the message that called the tool;
//   * ghosts: answers (and, for rollback, questions) that a double-text cancelled. The server drops them, so
//     they live only here (and in localStorage); they are never removed silently.

const TERMINAL_OPERATION = new Set(['succeeded', 'failed', 'cancelled']);

export class Conversation {
  constructor(threadId) {
    this.threadId = threadId;
    this.canonical = [];
    this.interim = [];
    this.partials = new Map();
    this.pending = new Map();
    this.ghosts = [];
    this.cards = new Map();
    this.runs = new Map();
    this.seq = 0;
    this.sent = new Map();
  }

  // ---- the thread state -----------------------------------------------------------------------------

  setValues(values) {
    if (!values || typeof values !== 'object' || Array.isArray(values)) {
      return;
    }
    this.canonical = Array.isArray(values.messages) ? values.messages : [];
    this.interim = Array.isArray(values.interim_messages) ? values.interim_messages : [];
    const held = this.heldIds();
    for (const id of [...this.pending.keys()]) {
      if (held.has(id)) {
        this.pending.delete(id);
      }
    }
    for (const id of [...this.partials.keys()]) {
      if (held.has(id)) {
        this.partials.delete(id);
      }
    }
  }

  heldIds() {
    const ids = new Set();
    for (const m of this.canonical) {
      ids.add(m.id);
    }
    for (const m of this.interim) {
      ids.add(m.id);
    }
    return ids;
  }

  // ---- what this page sent and what streams in --------------------------------------------------------

  /** A message this page sends; shown at once, replaced by the state's copy when it arrives. */
  addPending(message) {
    const anchor = this.lastKey();
    this.sent.set(message.id, { message, anchor });
    this.pending.set(message.id, { message, runId: null, state: 'sending', lane: null, seq: ++this.seq });
  }

  dropPending(id) {
    this.pending.delete(id);
  }

  /** A run this page streams (or rejoined). */
  trackRun(runId, fields = {}) {
    let run = this.runs.get(runId);
    if (!run) {
      run = { runId, lane: null, status: 'running', userIds: [], lastEventId: null };
      this.runs.set(runId, run);
    }
    Object.assign(run, fields);
    for (const id of run.userIds) {
      const p = this.pending.get(id);
      if (p) {
        p.runId = runId;
        p.lane = run.lane;
        p.state = run.status === 'queued' ? 'queued' : 'sent';
      }
    }
    return run;
  }

  endRun(runId) {
    const run = this.runs.get(runId);
    if (run) {
      run.status = 'done';
    }
    // A stream that ended without its answer reaching the state (an error) keeps the text as a ghost.
    for (const p of [...this.partials.values()]) {
      if (p.runId === runId && p.content.trim()) {
        this.toGhosts([{ key: 'm:' + p.id, message: this.partialMessage(p), anchor: p.anchor }], 'failed');
      }
      if (p.runId === runId) {
        this.partials.delete(p.id);
      }
    }
    this.runs.delete(runId);
  }

  addToken(chunk, metadata, runId) {
    if (!chunk || typeof chunk !== 'object' || !chunk.id) {
      return;
    }
    if (chunk.type !== 'ai' && chunk.type !== 'AIMessageChunk') {
      return;
    }
    if (this.heldIds().has(chunk.id) || this.ghosts.some((g) => g.message.id === chunk.id)) {
      return;
    }
    let p = this.partials.get(chunk.id);
    if (!p) {
      p = { id: chunk.id, content: '', toolCalls: [], lane: null, runId, anchor: this.lastKey(), seq: ++this.seq };
      this.partials.set(chunk.id, p);
    }
    if (typeof chunk.content === 'string') {
      p.content += chunk.content;
    }
    if (Array.isArray(chunk.tool_calls) && chunk.tool_calls.length > 0) {
      p.toolCalls = chunk.tool_calls;
    }
    const lane = metadata && metadata.lane;
    if (lane) {
      p.lane = lane;
      const run = this.runs.get(runId);
      if (run && !run.lane) {
        this.trackRun(runId, { lane });
      }
    }
  }

  /** The key of the last thing on screen: where something that starts now belongs. */
  lastKey() {
    const keys = this.items().filter((i) => i.kind !== 'typing').map((i) => i.key);
    return keys.length ? keys[keys.length - 1] : null;
  }

  partialMessage(p) {
    return {
      id: p.id, type: 'ai', content: p.content, tool_calls: p.toolCalls,
      additional_kwargs: p.lane === 'secondary' ? { lane: 'secondary' } : {},
    };
  }

  /**
   * `runId` was cancelled (status `interrupted` or `rolled_back`; `supersededBy` when a double-text did it).
   * Its unfinished answer becomes a ghost; a rollback also takes the question it asked out of the
   * conversation, so that becomes one too.
   */
  supersede(runId, status, supersededBy) {
    const run = this.runs.get(runId);
    const kind = status === 'rolled_back' ? 'rolled_back' : supersededBy ? 'interrupted' : 'stopped';
    const leaving = [];
    if (kind === 'rolled_back' && run) {
      for (const id of run.userIds) {
        const m = this.findMessage(id);
        if (m) {
          const sent = this.sent.get(id);
          leaving.push({ key: 'm:' + id, message: m, anchor: sent ? sent.anchor : undefined });
        }
      }
    }
    for (const p of this.partials.values()) {
      if (p.runId === runId && p.content.trim()) {
        leaving.push({ key: 'm:' + p.id, message: this.partialMessage(p), anchor: p.anchor });
      }
    }
    this.toGhosts(leaving, kind);
    for (const p of [...this.partials.values()]) {
      if (p.runId === runId) {
        this.partials.delete(p.id);
      }
    }
    if (run) {
      for (const id of run.userIds) {
        if (kind === 'rolled_back') {
          this.pending.delete(id);
        }
      }
      run.status = 'done';
    }
  }

  findMessage(id) {
    const inState = this.canonical.find((m) => m.id === id) || this.interim.find((m) => m.id === id);
    if (inState) {
      return inState;
    }
    const sent = this.sent.get(id);
    return sent ? sent.message : null;
  }

  /**
   * Each leaving item keeps its place: it is anchored to what the screen showed just before it when it first
   * appeared (streams on other connections may have moved things since), else to what precedes it now.
   */
  toGhosts(leaving, kind) {
    if (leaving.length === 0) {
      return;
    }
    const keys = this.items().map((i) => i.key);
    const order = (key) => {
      const i = keys.indexOf(key);
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    leaving.sort((a, b) => order(a.key) - order(b.key));
    for (const item of leaving) {
      if (this.ghosts.some((g) => g.message.id === item.message.id)) {
        continue;
      }
      const at = keys.indexOf(item.key);
      const anchor = item.anchor !== undefined ? item.anchor
        : at > 0 ? keys[at - 1] : at === 0 ? null : keys[keys.length - 1] || null;
      this.ghosts.push({ message: stripForGhost(item.message), anchor, kind, seq: ++this.seq });
    }
  }

  // ---- operations -------------------------------------------------------------------------------------

  /** From an operation_* custom event or from GET /operations. */
  updateCard(op, runId) {
    const id = op.operation_id;
    if (!id) {
      return null;
    }
    let card = this.cards.get(id);
    if (!card) {
      card = {
        operationId: id, tool: op.tool || 'operation', status: 'running', percent: 0, step: '', toolCallId: null,
        runId: runId || null, cancelRequested: false, cancelRefused: false, note: '',
      };
      this.cards.set(id, card);
    }
    if (op.tool) card.tool = op.tool;
    // Answers race each other (a cancel's HTTP reply can arrive after the stream said the operation ended):
    // an ended operation never goes back to running.
    const stale = TERMINAL_OPERATION.has(card.status) && !TERMINAL_OPERATION.has(op.status || 'running');
    if (!stale) {
      if (op.status) card.status = op.status;
      if (typeof op.percent === 'number') card.percent = op.percent;
      if (typeof op.step === 'string') card.step = op.step;
      if (typeof op.message === 'string' && op.message) card.step = op.message;
    }
    if (op.tool_call_id) card.toolCallId = op.tool_call_id;
    if (op.run_id) card.runId = op.run_id;
    if (op.cancel_requested) card.cancelRequested = true;
    if (typeof op.error === 'string' && op.error) card.error = op.error;
    return card;
  }

  // ---- what the screen shows --------------------------------------------------------------------------

  /** The display list, in order: {key, kind: 'message'|'card'|'typing', …}. */
  items() {
    const held = new Set();
    const base = [];
    for (const m of this.canonical) {
      if (!held.has(m.id)) {
        base.push(m);
        held.add(m.id);
      }
    }
    for (const m of this.interim) {
      if (!held.has(m.id)) {
        base.push(m);
        held.add(m.id);
      }
    }
    const ghostIds = new Set(this.ghosts.map((g) => g.message.id));
    const tail = [];
    for (const p of this.pending.values()) {
      if (!held.has(p.message.id) && !ghostIds.has(p.message.id)) {
        tail.push({ seq: p.seq, item: messageItem(p.message, p.state, p.lane) });
      }
    }
    for (const p of this.partials.values()) {
      if (!held.has(p.id) && !ghostIds.has(p.id) && p.content) {
        tail.push({ seq: p.seq, item: messageItem(this.partialMessage(p), 'streaming', p.lane) });
      }
    }
    tail.sort((a, b) => a.seq - b.seq);

    const cardsAfter = this.placeCards(base);
    const ghostsAfter = new Map();
    for (const g of this.ghosts) {
      const k = g.anchor === null ? '^' : g.anchor;
      if (!ghostsAfter.has(k)) ghostsAfter.set(k, []);
      ghostsAfter.get(k).push(g);
    }
    const out = [];
    const emitted = new Set();
    const emit = (item) => {
      if (emitted.has(item.key)) return;
      emitted.add(item.key);
      out.push(item);
      for (const g of ghostsAfter.get(item.key) || []) {
        emit(messageItem(g.message, g.kind, laneOf(g.message)));
      }
    };
    for (const g of ghostsAfter.get('^') || []) {
      emit(messageItem(g.message, g.kind, laneOf(g.message)));
    }
    const synthesisOf = new Map();
    for (let i = 0; i < base.length; i++) {
      const m = base[i];
      if (isDisplayed(m) && !ghostIds.has(m.id)) {
        const item = messageItem(m, 'final', laneOf(m));
        if (synthesisOf.has(i)) item.synthesisOf = synthesisOf.get(i);
        emit(item);
      }
      for (const card of cardsAfter.get(i) || []) {
        const answerAt = card.closedAt;
        if (answerAt !== undefined) synthesisOf.set(answerAt, card.tool);
        emit(cardItem(card));
      }
    }
    for (const card of cardsAfter.get(-1) || []) {
      emit(cardItem(card));
    }
    // Ghosts whose anchor left the screen still show, after the conversation they belonged to.
    for (const g of this.ghosts) {
      emit(messageItem(g.message, g.kind, laneOf(g.message)));
    }
    for (const t of tail) {
      emit(t.item);
    }
    for (const run of this.runs.values()) {
      if (run.status !== 'running') continue;
      const streaming = [...this.partials.values()].some((p) => p.runId === run.runId && p.content && !held.has(p.id));
      const awaiting = [...this.cards.values()].some((c) => c.runId === run.runId && c.status === 'running');
      if (!streaming && !awaiting) {
        emit({ key: 'typing:' + run.runId, kind: 'typing', lane: run.lane });
      }
    }
    return out;
  }

  /** Cards by the index of the message that called their tool (-1: not in the state yet). */
  placeCards(base) {
    const after = new Map();
    const used = new Set();
    for (const card of this.cards.values()) {
      let at = -1;
      if (card.toolCallId) {
        at = base.findIndex((m) => (m.tool_calls || []).some((c) => c.id === card.toolCallId));
      }
      if (at < 0) {
        for (let i = base.length - 1; i >= 0; i--) {
          if (!used.has(i) && (base[i].tool_calls || []).some((c) => c.name === card.tool)) {
            at = i;
            break;
          }
        }
      }
      if (at >= 0) used.add(at);
      // The synthesis closes the card: the first answer with text after the operation's result.
      card.closed = false;
      delete card.closedAt;
      if (at >= 0 && TERMINAL_OPERATION.has(card.status)) {
        for (let j = at + 1; j < base.length; j++) {
          const m = base[j];
          if (m.type === 'ai' && laneOf(m) !== 'secondary' && textOf(m).trim()) {
            card.closed = true;
            card.closedAt = j;
            break;
          }
        }
      }
      if (!after.has(at)) after.set(at, []);
      after.get(at).push(card);
    }
    return after;
  }

  // ---- persistence ------------------------------------------------------------------------------------

  ghostsForStorage() {
    return this.ghosts.slice(-60).map((g) => ({ message: g.message, anchor: g.anchor, kind: g.kind }));
  }

  restoreGhosts(saved) {
    if (!Array.isArray(saved)) return;
    for (const g of saved) {
      if (g && g.message && g.message.id) {
        this.ghosts.push({ message: g.message, anchor: g.anchor ?? null, kind: g.kind, seq: ++this.seq });
      }
    }
  }

  /** What a reload needs to continue a run exactly: its last event id and the text streamed so far. */
  runForStorage(runId) {
    const run = this.runs.get(runId);
    if (!run) return null;
    const partials = [...this.partials.values()].filter((p) => p.runId === runId)
      .map((p) => ({ id: p.id, content: p.content, lane: p.lane, toolCalls: p.toolCalls }));
    return { runId, lastEventId: run.lastEventId, lane: run.lane, userIds: run.userIds, partials };
  }

  restoreRun(saved) {
    const run = this.trackRun(saved.runId, {
      lastEventId: saved.lastEventId ?? null, lane: saved.lane ?? null, userIds: saved.userIds || [],
      status: 'running',
    });
    const held = this.heldIds();
    for (const p of saved.partials || []) {
      if (!held.has(p.id)) {
        this.partials.set(p.id, {
          id: p.id, content: p.content || '', toolCalls: p.toolCalls || [], lane: p.lane || null,
          runId: saved.runId, seq: ++this.seq,
        });
      }
    }
    return run;
  }
}

function stripForGhost(m) {
  return { id: m.id, type: m.type, content: textOf(m), additional_kwargs: m.additional_kwargs || {} };
}

export function textOf(m) {
  if (typeof m.content === 'string') return m.content;
  if (Array.isArray(m.content)) {
    return m.content.map((part) => (typeof part === 'string' ? part : part && part.text) || '').join('');
  }
  return '';
}

function laneOf(m) {
  return m.additional_kwargs && m.additional_kwargs.lane === 'secondary' ? 'secondary' : null;
}

function isDisplayed(m) {
  if (m.type === 'human') return textOf(m).trim() !== '';
  if (m.type === 'ai') return textOf(m).trim() !== '';
  return false;
}

function messageItem(m, state, lane) {
  return {
    key: 'm:' + m.id, kind: 'message', id: m.id, role: m.type === 'human' ? 'human' : 'ai',
    text: textOf(m), state, lane: lane || laneOf(m),
  };
}

function cardItem(card) {
  return {
    key: 'op:' + card.operationId, kind: 'card', operationId: card.operationId, tool: card.tool,
    status: card.status, percent: card.percent, step: card.step, note: card.note, error: card.error || '',
    closed: !!card.closed,
    cancellable: card.status === 'running' && !card.cancelRequested && !card.cancelRefused,
  };
}
