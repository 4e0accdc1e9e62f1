// The analysts' review page: lists cases, opens one, labels it, all through the /v1 API with the analyst's key.
// Every value from the API is set as text (never as HTML): case details are attacker-controlled.
'use strict';

(() => {
  /** sessionStorage only: the key leaves with the tab, and no other tab or later visit sees it. */
  const KEY_STORAGE = 'vigil.review.apiKey';
  const PAGE_SIZE = 25;
  const DETAIL_NAMES = {
    ip: 'IP address',
    deviceId: 'Device id',
    asset: 'Asset',
    chain: 'Chain',
    amount: 'Amount',
    amountUsd: 'Amount (USD)',
    address: 'Destination address',
    country: 'Country',
    city: 'City',
    lat: 'Latitude',
    lon: 'Longitude',
    userAgent: 'User agent',
    success: 'Login succeeded',
    mfa: 'MFA used',
    channel: 'Channel',
  };

  const $ = (id) => document.getElementById(id);
  const state = { next: null, selectedId: null };

  class ApiError extends Error {
    constructor(status, error) {
      super(error && error.message ? error.message : `HTTP ${status}`);
      this.status = status;
      this.code = error && error.code ? error.code : 'http_error';
      this.details = error && Array.isArray(error.details) ? error.details : [];
    }
  }

  const apiKey = () => sessionStorage.getItem(KEY_STORAGE);

  async function api(path, options = {}) {
    const headers = { Authorization: `Bearer ${apiKey()}`, Accept: 'application/json' };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, { method: options.method || 'GET', headers, body: options.body, cache: 'no-store' });
    } catch (err) {
      throw new ApiError(0, { code: 'network_error', message: `The service could not be reached (${err.message}).` });
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      // Not JSON (a proxy's error page): the status line says enough.
    }
    if (!response.ok) {
      const error = body && body.error ? body.error : { code: 'http_error', message: `${response.status} ${response.statusText}` };
      if (response.status === 429) {
        const retry = response.headers.get('Retry-After');
        if (retry) error.message = `${error.message} (retry after ${retry} s)`;
      }
      throw new ApiError(response.status, error);
    }
    return body;
  }

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props)) {
      if (name === 'text') node.textContent = value;
      else if (name === 'className') node.className = value;
      else node.setAttribute(name, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  const badge = (value, text = value) => el('span', { className: `badge ${value}`, text });

  /** `2026-11-21T11:23:45.123Z` → `2026-11-21 11:23:45`: UTC, as every team reads the same time. */
  const utc = (iso) => (typeof iso === 'string' ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '') : '');

  const formatScore = (score) => (typeof score === 'number' ? score.toFixed(3) : 'none');

  function formatValue(value) {
    if (value === null || value === undefined) return 'unknown';
    if (typeof value === 'number') return String(Math.round(value * 10000) / 10000);
    if (typeof value === 'boolean') return value ? 'yes' : 'no';
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  }

  function showError(err) {
    const box = $('error');
    box.replaceChildren();
    const status = err.status ? `${err.status} ` : '';
    box.append(el('strong', { text: `${status}${err.code}: ` }), document.createTextNode(err.message));
    if (err.details.length) {
      box.append(el('ul', {}, ...err.details.map((d) => el('li', { text: `${Array.isArray(d.path) && d.path.length ? d.path.join('.') : '(body)'}: ${d.message}` }))));
    }
    if (err.status === 401) box.append(el('p', { text: 'The key was refused: enter it again.' }));
    box.hidden = false;
  }

  const clearError = () => {
    $('error').hidden = true;
    $('error').replaceChildren();
  };

  /** Runs an API action with errors shown; a 401 drops the key and asks for it again. */
  async function guarded(action) {
    clearError();
    try {
      return await action();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.status === 401) signOut();
      showError(err);
      return undefined;
    }
  }

  function signIn() {
    $('key-section').hidden = true;
    $('workspace').hidden = false;
    $('key-state').hidden = false;
  }

  function signOut() {
    sessionStorage.removeItem(KEY_STORAGE);
    $('workspace').hidden = true;
    $('key-state').hidden = true;
    $('key-section').hidden = false;
    $('case-rows').replaceChildren();
    $('case').hidden = true;
    $('api-key').value = '';
    $('api-key').focus();
  }

  function listQuery(cursor) {
    const form = new FormData($('filters'));
    const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
    for (const name of ['status', 'type', 'decision']) {
      const value = form.get(name);
      if (value) params.set(name, value);
    }
    if (cursor) params.set('cursor', cursor);
    return `/v1/cases?${params}`;
  }

  function caseRow(c) {
    const open = el('button', { type: 'button', className: 'link', text: c.id, 'aria-label': `Open case ${c.id}` });
    open.addEventListener('click', () => openCase(c.id));
    const reasons = (c.reasons || []).slice(0, 3).map((r) => r.code).join(', ');
    const row = el(
      'tr',
      { 'data-id': c.id },
      el('td', { className: 'id' }, open),
      el('td', { className: 'time', text: utc(c.openedAt) }),
      el('td', { text: c.type }),
      el('td', {}, badge(c.decision)),
      el('td', { className: 'num', text: formatScore(c.score) }),
      el('td', { className: 'reasons', text: reasons || '—' }),
      el('td', {}, c.status === 'labelled' ? badge(c.label, `labelled ${c.label}`) : badge('open')),
    );
    if (c.id === state.selectedId) row.classList.add('selected');
    return row;
  }

  async function loadCases(append) {
    const page = await guarded(() => api(listQuery(append ? state.next : null)));
    if (!page) return;
    if (!append) $('case-rows').replaceChildren();
    $('case-rows').append(...page.cases.map(caseRow));
    state.next = page.next;
    $('load-more').hidden = !page.next;
    const shown = $('case-rows').children.length;
    $('queue-status').textContent = shown === 0 ? 'No cases match.' : `${shown} case${shown === 1 ? '' : 's'} shown${page.next ? ', more below' : ''}.`;
  }

  function fact(list, name, value) {
    list.append(el('dt', { text: name }), el('dd', {}, value instanceof Node ? value : document.createTextNode(value)));
  }

  function renderCase(c) {
    $('case-title').textContent = `Case ${c.id}`;
    const summary = $('case-summary');
    summary.replaceChildren();
    fact(summary, 'User', c.userId);
    fact(summary, 'Type', c.type);
    fact(summary, 'Event time (UTC)', utc(c.ts));
    fact(summary, 'Opened (UTC)', utc(c.openedAt));
    fact(summary, 'Decision', badge(c.decision));
    fact(summary, 'Score', formatScore(c.score));
    fact(summary, 'Model', c.model ? `${c.model.name} · version ${c.model.version}` : 'none (fail mode)');
    fact(summary, 'Status', c.status === 'labelled' ? `labelled ${c.label} by ${c.labelledBy} at ${utc(c.labelledAt)}` : 'open');
    if (c.note) fact(summary, 'Note', c.note);

    const details = $('case-details');
    details.replaceChildren();
    const entries = Object.entries(c.details || {});
    if (entries.length === 0) fact(details, '—', 'no details recorded');
    for (const [name, value] of entries) fact(details, DETAIL_NAMES[name] || name, formatValue(value));

    const rows = (c.reasons || []).map((r) =>
      el(
        'tr',
        {},
        el('td', {}, el('code', { text: r.code })),
        el('td', { className: 'num', text: r.feature ? formatValue(r.value) : '' }),
        el('td', { className: 'num', text: typeof r.contribution === 'number' ? `${r.contribution > 0 ? '+' : ''}${formatValue(r.contribution)}` : '' }),
        el('td', { text: r.text }),
      ),
    );
    $('reason-rows').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: '4', text: 'No reasons recorded.' }))]));

    const form = $('label-form');
    form.reset();
    for (const radio of form.elements.label) radio.checked = radio.value === c.label;
    $('note').value = c.note || '';
    $('label-status').textContent = '';
  }

  async function openCase(id) {
    const c = await guarded(() => api(`/v1/cases/${encodeURIComponent(id)}`));
    if (!c) return;
    state.selectedId = id;
    for (const row of $('case-rows').children) row.classList.toggle('selected', row.dataset.id === id);
    renderCase(c);
    $('case').hidden = false;
    $('case-title').focus();
  }

  function closeCase() {
    const id = state.selectedId;
    state.selectedId = null;
    $('case').hidden = true;
    for (const row of $('case-rows').children) row.classList.remove('selected');
    const button = [...$('case-rows').querySelectorAll('button')].find((b) => b.textContent === id);
    (button || $('queue-title')).focus();
  }

  async function saveLabel(event) {
    event.preventDefault();
    const form = $('label-form');
    const label = form.elements.label.value;
    if (!label) {
      showError(new ApiError(0, { code: 'label_missing', message: 'Choose fraud or legit before saving.' }));
      form.elements.label[0].focus();
      return;
    }
    const note = $('note').value.trim();
    const submit = form.querySelector('button[type="submit"]');
    submit.disabled = true;
    try {
      const id = state.selectedId;
      const result = await guarded(() =>
        api(`/v1/cases/${encodeURIComponent(id)}/label`, { method: 'POST', body: JSON.stringify(note ? { label, note } : { label }) }),
      );
      if (!result) return;
      const detail = await guarded(() => api(`/v1/cases/${encodeURIComponent(id)}`));
      if (detail) renderCase(detail);
      const reached = result.featureState === 'applied' ? 'the user’s and the address’s features now include it' : 'the feature store no longer knows this event';
      $('label-status').textContent = `Labelled ${result.label}; ${reached}.`;
      await loadCases(false);
    } finally {
      submit.disabled = false;
    }
  }

  function start() {
    $('key-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const key = $('api-key').value.trim();
      if (!key) {
        showError(new ApiError(0, { code: 'key_missing', message: 'Enter an API key with the review scope.' }));
        $('api-key').focus();
        return;
      }
      sessionStorage.setItem(KEY_STORAGE, key);
      $('api-key').value = '';
      signIn();
      void loadCases(false);
    });
    $('forget-key').addEventListener('click', () => {
      clearError();
      signOut();
    });
    $('filters').addEventListener('submit', (event) => {
      event.preventDefault();
      void loadCases(false);
    });
    for (const select of $('filters').querySelectorAll('select')) select.addEventListener('change', () => void loadCases(false));
    $('load-more').addEventListener('click', () => void loadCases(true));
    $('close-case').addEventListener('click', closeCase);
    $('case').addEventListener('keydown', (event) => {
      if (event.key === 'Escape') closeCase();
    });
    $('label-form').addEventListener('submit', (event) => void saveLabel(event));

    if (apiKey()) {
      signIn();
      void loadCases(false);
    } else {
      $('api-key').focus();
    }
  }

  start();
})();
