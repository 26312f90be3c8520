// Turns the display list into DOM. Elements are keyed, so a token only touches its own bubble and a progress
// event only its card; everything is text (textContent), never HTML from the server.

const STATE_LABELS = {
  sending: 'Sending…',
  queued: 'Queued: runs after the current answer',
  interrupted: 'Interrupted by a newer message',
  stopped: 'Stopped before it finished',
  rolled_back: 'Rolled back: removed from the conversation',
  failed: 'Stopped: the answer did not finish',
};

const OPERATION_STATUS = {
  running: 'In progress',
  succeeded: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export function humanize(tool) {
  const words = String(tool || 'operation').replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Renders `items` into the list `root`, reusing elements by key. */
export function renderItems(root, items, handlers) {
  const existing = new Map();
  for (const child of root.children) {
    existing.set(child.dataset.key, child);
  }
  const keep = new Set();
  let previous = null;
  for (const item of items) {
    keep.add(item.key);
    let node = existing.get(item.key);
    const signature = JSON.stringify(item);
    if (!node) {
      node = build(item, handlers);
      node.dataset.key = item.key;
      node.dataset.signature = signature;
    } else if (node.dataset.signature !== signature) {
      update(node, item, handlers);
      node.dataset.signature = signature;
    }
    const expected = previous ? previous.nextElementSibling : root.firstElementChild;
    if (expected !== node) {
      root.insertBefore(node, expected);
    }
    previous = node;
  }
  for (const [key, node] of existing) {
    if (!keep.has(key)) node.remove();
  }
}

function build(item, handlers) {
  const li = el('li', 'item');
  update(li, item, handlers);
  return li;
}

function update(li, item, handlers) {
  if (item.kind === 'message') {
    updateMessage(li, item);
  } else if (item.kind === 'card') {
    updateCard(li, item, handlers);
  } else {
    updateTyping(li, item);
  }
}

function updateMessage(li, item) {
  li.className = `item message ${item.role} state-${item.state}` + (item.lane ? ` lane-${item.lane}` : '');
  li.dataset.role = item.role;
  li.dataset.state = item.state;
  li.dataset.lane = item.lane || 'main';
  li.dataset.id = item.id;
  let bubble = li.querySelector('.bubble');
  if (!bubble) {
    li.textContent = '';
    const meta = el('div', 'meta');
    bubble = el('div', 'bubble');
    li.append(meta, bubble);
  }
  const meta = li.querySelector('.meta');
  meta.textContent = '';
  meta.append(el('span', 'who', item.role === 'human' ? 'You' : 'Agent'));
  if (item.lane === 'secondary') {
    const badge = el('span', 'badge lane-badge', 'secondary lane');
    badge.title = 'Answered on the secondary lane, while an operation was running';
    meta.append(badge);
  }
  if (item.synthesisOf) {
    meta.append(el('span', 'badge result-badge', 'Result: ' + humanize(item.synthesisOf)));
  }
  const label = STATE_LABELS[item.state];
  if (label) {
    meta.append(el('span', `badge state-badge state-${item.state}`, label));
  }
  if (bubble.textContent !== item.text) {
    bubble.textContent = item.text;
  }
  const ghost = ['interrupted', 'stopped', 'rolled_back', 'failed'].includes(item.state);
  li.setAttribute('aria-label', (item.role === 'human' ? 'You' : 'Agent') + (label && ghost ? ` (${label})` : ''));
  bubble.classList.toggle('streaming', item.state === 'streaming');
  // A message still being written is announced once it is done, not token by token.
  if (item.state === 'streaming') li.setAttribute('aria-busy', 'true');
  else li.removeAttribute('aria-busy');
}

function updateCard(li, item, handlers) {
  li.className = `item card op status-${item.status}` + (item.closed ? ' closed' : '');
  li.dataset.role = 'operation';
  li.dataset.status = item.status;
  li.dataset.operationId = item.operationId;
  li.setAttribute('role', 'group');
  li.setAttribute('aria-label', `Operation: ${humanize(item.tool)}`);
  if (!li.querySelector('.op-head')) {
    li.textContent = '';
    const head = el('div', 'op-head');
    head.append(el('span', 'op-icon'), el('span', 'op-tool'), el('span', 'op-status'));
    const step = el('div', 'op-step');
    const bar = el('div', 'bar');
    bar.setAttribute('role', 'progressbar');
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', '100');
    bar.append(el('div', 'fill'));
    const foot = el('div', 'op-foot');
    const cancel = el('button', 'op-cancel', 'Cancel');
    cancel.type = 'button';
    cancel.addEventListener('click', () => handlers.cancelOperation(li.dataset.operationId, cancel));
    foot.append(el('span', 'op-percent'), el('span', 'op-note'), cancel);
    li.append(head, step, bar, foot);
  }
  li.querySelector('.op-icon').setAttribute('aria-hidden', 'true');
  li.querySelector('.op-tool').textContent = humanize(item.tool);
  li.querySelector('.op-status').textContent = OPERATION_STATUS[item.status] || item.status;
  li.querySelector('.op-step').textContent = stepText(item);
  const bar = li.querySelector('.bar');
  bar.setAttribute('aria-valuenow', String(item.percent));
  bar.setAttribute('aria-label', `${humanize(item.tool)} progress`);
  bar.querySelector('.fill').style.width = `${Math.max(0, Math.min(100, item.percent))}%`;
  li.querySelector('.op-percent').textContent = `${item.percent}%`;
  // A note ("Cancelling…", "past the point of no return") is about a running operation; its end says the rest.
  li.querySelector('.op-note').textContent = item.status === 'running' ? item.note || '' : '';
  const cancel = li.querySelector('.op-cancel');
  cancel.hidden = !item.cancellable;
  cancel.setAttribute('aria-label', `Cancel ${humanize(item.tool)}`);
}

function stepText(item) {
  const after = item.closed ? ' · the answer is below' : '';
  switch (item.status) {
    case 'running':
      return item.step || 'Starting…';
    case 'succeeded':
      return 'Done' + after;
    case 'cancelled':
      return 'Cancelled before it changed anything' + after;
    case 'failed':
      return 'Failed' + (item.error ? `: ${item.error}` : '') + after;
    default:
      return item.step || '';
  }
}

function updateTyping(li, item) {
  li.className = 'item typing' + (item.lane ? ` lane-${item.lane}` : '');
  li.dataset.role = 'typing';
  li.setAttribute('aria-label', 'The agent is working');
  if (!li.firstChild) {
    const dots = el('span', 'dots');
    dots.append(el('i'), el('i'), el('i'));
    li.append(dots);
  }
}

/** The sidebar list: one button per thread and a delete button beside it. */
export function renderThreads(root, threads, currentId, handlers) {
  root.textContent = '';
  for (const t of threads) {
    const li = el('li', 'thread' + (t.id === currentId ? ' current' : ''));
    li.dataset.threadId = t.id;
    const open = el('button', 'thread-open');
    open.type = 'button';
    open.setAttribute('aria-label', `Open conversation: ${t.title}`);
    if (t.id === currentId) open.setAttribute('aria-current', 'true');
    open.append(el('span', 'thread-title', t.title));
    const sub = el('span', 'thread-sub', t.subtitle);
    if (t.busy) sub.prepend(el('span', 'busy-dot'));
    open.append(sub);
    open.addEventListener('click', () => handlers.open(t.id));
    li.append(open);
    if (!t.draft) {
      const del = el('button', 'thread-delete');
      del.type = 'button';
      del.setAttribute('aria-label', `Delete conversation: ${t.title}`);
      del.innerHTML = '<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path d="M5 7h14M10 7V5h4v2M7 7l1 12h8l1-12" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/></svg>';
      // Two clicks delete: the first asks, so a stray click or tap loses nothing.
      let timer = null;
      del.addEventListener('click', () => {
        if (del.dataset.confirm === 'true') {
          clearTimeout(timer);
          handlers.remove(t.id, t.title);
          return;
        }
        del.dataset.confirm = 'true';
        del.classList.add('confirm');
        del.setAttribute('aria-label', `Confirm: delete conversation ${t.title}`);
        del.dataset.icon = del.innerHTML;
        del.textContent = 'Delete?';
        timer = setTimeout(() => {
          del.dataset.confirm = 'false';
          del.classList.remove('confirm');
          del.setAttribute('aria-label', `Delete conversation: ${t.title}`);
          del.innerHTML = del.dataset.icon;
        }, 4000);
      });
      li.append(del);
    }
    root.append(li);
  }
}

/** A readable notice; errors stay until dismissed or replaced, information fades. */
export function showNotice(root, text, kind = 'error') {
  for (const old of root.querySelectorAll('.notice')) {
    if (old.dataset.text === text) old.remove();
  }
  const box = el('div', `notice ${kind}`);
  box.dataset.text = text;
  box.append(el('span', 'notice-text', text));
  const close = el('button', 'notice-close', '×');
  close.type = 'button';
  close.setAttribute('aria-label', 'Dismiss notice');
  close.addEventListener('click', () => box.remove());
  box.append(close);
  root.append(box);
  while (root.children.length > 3) root.firstElementChild.remove();
  if (kind !== 'error') {
    setTimeout(() => box.remove(), 6000);
  }
}
