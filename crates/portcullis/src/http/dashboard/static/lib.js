// What every screen of the dashboard shares: building DOM safely, the member's
// sign-in (authorization code with PKCE), the Management API, forms and their
// errors. Everything shown is built with textContent and DOM nodes, never
// innerHTML, so nothing an API returns can become markup.

export const home = new URL('.', location.href); // <issuer>admin/
export const issuer = new URL('..', home).href; // <issuer>
export const audience = `${issuer}api/v2/`;
export const CLIENT_ID = 'portcullis-dashboard';
export const main = document.getElementById('main');

let token = null;
let scopes = [];

// ---- DOM ---------------------------------------------------------------------

/** An element with attributes (`on…` are listeners) and children (strings are text). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces the screen: a title (also the document's), then `content`. */
export function show(title, ...content) {
  document.title = `${title} · Portcullis Dashboard`;
  const parts = content.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false);
  main.replaceChildren(h('h1', {}, title), ...parts);
  main.focus();
  const section = `#/${(location.hash || '#/').split('/')[1] || ''}`;
  for (const a of document.querySelectorAll('nav a')) {
    if (a.getAttribute('href') === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

/** A date in the viewer's locale. */
export function when(value) {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleString();
}

/** A table of `rows` with `columns` of [heading, cell(row)], or `empty` when none. */
export function table(columns, rows, empty) {
  return h('table', {},
    h('thead', {}, h('tr', {}, columns.map(([t]) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.length
      ? rows.map((r) => h('tr', {}, columns.map(([, cell]) => h('td', {}, cell(r)))))
      : h('tr', {}, h('td', { colspan: columns.length }, empty))));
}

/** A labelled input; `hint` is tied to it with aria-describedby. */
export function field(name, label, attrs = {}, hint) {
  const input = h(attrs.rows ? 'textarea' : 'input', {
    id: name, name, ...attrs, ...(hint ? { 'aria-describedby': `${name}-hint` } : {}),
  }, attrs.rows ? attrs.value ?? '' : null);
  if (attrs.rows) input.removeAttribute('value');
  return [h('label', { for: name }, label), input, hint ? h('p', { class: 'hint', id: `${name}-hint` }, hint) : null];
}

export function errorBox(e) {
  return h('p', { class: 'error', role: 'alert' }, e.message);
}

export function clearErrors(form) {
  for (const old of form.querySelectorAll('.field-error')) old.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

/** Shows an error beside the field it names (Auth0: "… on property NAME."), or atop the form. */
export function fieldError(form, e, name) {
  clearErrors(form);
  const m = /on property ([\w.]+)/.exec(e.message || '');
  const target = name || (m && m[1].split('.')[0]);
  const el = target && form.elements.namedItem(target);
  const msg = h('p', { class: 'error field-error', role: 'alert', id: `err-${target || 'form'}` }, e.message);
  if (el && el.nodeType === 1) {
    el.setAttribute('aria-invalid', 'true');
    el.setAttribute('aria-describedby', msg.id);
    el.after(msg);
    el.focus();
  } else {
    form.prepend(msg);
  }
}

/** `onsubmit` that runs `action(form)` and shows what it throws beside its field. */
export function submitting(action) {
  return async (ev) => {
    ev.preventDefault();
    const form = ev.currentTarget;
    const button = form.querySelector('button[type=submit]');
    if (button) button.disabled = true;
    try {
      clearErrors(form);
      await action(form);
    } catch (e) {
      fieldError(form, e, e.field);
    } finally {
      if (button) button.disabled = false;
    }
  };
}

/** An error about one field of a form, found before calling the API. */
export function invalid(fieldName, message) {
  const e = new Error(message);
  e.field = fieldName;
  return e;
}

/** Lines of a textarea, trimmed, blank ones dropped. */
export const lines = (v) => v.split('\n').map((s) => s.trim()).filter(Boolean);

/** A status line that screen readers announce. */
export function status(text) {
  return h('p', { class: 'status', role: 'status' }, text);
}

/** A button that asks before doing something that cannot be undone. */
export function destructive(label, question, action) {
  return h('button', {
    type: 'button', class: 'destructive', onclick: async (ev) => {
      if (!confirm(question)) return;
      try { await action(); } catch (e) { ev.target.after(errorBox(e)); }
    },
  }, label);
}

// ---- sign-in (RFC 6749 §4.1 with RFC 7636 PKCE) ------------------------------

function b64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function random() {
  return b64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** To the login page (or straight back, with a live dashboard session), then here again. */
export async function signIn(prompt) {
  const verifier = random();
  const state = random();
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem('portcullis.signin', JSON.stringify({ state, verifier, back: location.hash }));
  const q = new URLSearchParams({
    client_id: CLIENT_ID, response_type: 'code', redirect_uri: home.href, audience,
    scope: 'openid', state, code_challenge: challenge, code_challenge_method: 'S256',
  });
  if (prompt) q.set('prompt', prompt);
  location.assign(`${issuer}authorize?${q}`);
}

/** Finishes a sign-in the login page sent back; false when this load is not one. */
export async function finishSignIn() {
  const q = new URLSearchParams(location.search);
  if (!q.has('code') && !q.has('error')) return false;
  const saved = JSON.parse(sessionStorage.getItem('portcullis.signin') || 'null');
  sessionStorage.removeItem('portcullis.signin');
  history.replaceState(null, '', home.pathname + (saved?.back || '#/'));
  if (q.has('error')) throw new Error(q.get('error_description') || q.get('error'));
  if (!saved || saved.state !== q.get('state')) throw new Error('The sign-in answer did not match the request; sign in again.');
  const res = await fetch(`${issuer}oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', client_id: CLIENT_ID, code: q.get('code'),
      redirect_uri: home.href, code_verifier: saved.verifier,
    }),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error_description || body.error);
  token = body.access_token;
  scopes = (body.scope || '').split(' ');
  return true;
}

export function signOut() {
  location.assign(`${issuer}v2/logout?${new URLSearchParams({ client_id: CLIENT_ID, returnTo: home.href })}`);
}

/** Whether the member's token carries `scope`. */
export function can(scope) {
  return scopes.includes(scope);
}

export function role() {
  if (can('create:signing_keys')) return 'admin';
  if (can('update:clients')) return 'editor';
  return 'viewer';
}

/** Shown instead of the controls a member's role may not use. */
export function readOnlyNote(scope) {
  return can(scope) ? null : h('p', { class: 'note', role: 'note' }, `Your role (${role()}) can view this but not change it.`);
}

// ---- the Management API ----------------------------------------------------

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** Calls /api/v2; an expired or revoked token signs in again and comes back here. */
export async function api(method, path, body) {
  const res = await fetch(`${audience}${path.replace(/^\//, '')}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  if (res.status === 401) {
    await signIn();
    return new Promise(() => {});
  }
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

export const enc = encodeURIComponent;

/** Previous / next links for a list of `total` items shown `perPage` at a time. */
export function pager(base, params, page, perPage, total, shown) {
  const link = (p, label) => {
    const q = new URLSearchParams(params);
    q.set('page', String(p));
    return h('a', { href: `${base}?${q}`, class: 'button secondary' }, label);
  };
  const last = total === undefined ? shown < perPage : (page + 1) * perPage >= total;
  if (page === 0 && last) return null;
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    page > 0 ? link(page - 1, 'Previous page') : null,
    h('span', {}, total === undefined ? `Page ${page + 1}` : `Page ${page + 1} of ${Math.max(1, Math.ceil(total / perPage))}`),
    last ? null : link(page + 1, 'Next page'));
}

/** Every item of a paged list (Auth0's page, per_page, include_totals), up to `max`. */
export async function all(path, key, max = 2000) {
  const items = [];
  for (let page = 0; items.length < max; page += 1) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await api('GET', `${path}${sep}include_totals=true&per_page=100&page=${page}`);
    const got = res[key] || [];
    items.push(...got);
    if (got.length < 100 || items.length >= res.total) break;
  }
  return items;
}

/** The query of the current screen (`#/users?email=…`). */
export function hashParams() {
  return new URLSearchParams(location.hash.split('?')[1] || '');
}
