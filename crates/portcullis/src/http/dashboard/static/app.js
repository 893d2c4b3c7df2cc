// The Portcullis dashboard: plain ES modules, no bundler, no framework. It is a
// client of the Management API like any other: it signs the member in with the
// authorization-code flow and PKCE (the hosted login page), keeps the access
// token in memory only, and makes every change through /api/v2 with it.
// Everything shown is built with textContent and DOM nodes, never innerHTML.

const home = new URL('.', location.href); // <issuer>admin/
const issuer = new URL('..', home).href; // <issuer>
const audience = `${issuer}api/v2/`;
const CLIENT_ID = 'portcullis-dashboard';
const main = document.getElementById('main');

let token = null;
let scopes = [];

// ---- DOM helpers -----------------------------------------------------------

/** An element with attributes (`on…` are listeners) and children (strings are text). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function show(title, ...content) {
  document.title = `${title} · Portcullis Dashboard`;
  main.replaceChildren(h('h1', {}, title), ...content);
  main.focus();
  const section = `#/${(location.hash || '#/').split('/')[1] || ''}`;
  for (const a of document.querySelectorAll('nav a')) {
    if (a.getAttribute('href') === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function when(epoch) {
  return new Date(epoch).toLocaleString();
}

// ---- sign-in (RFC 6749 §4.1 with RFC 7636 PKCE) ------------------------------

function b64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function random() {
  return b64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function signIn(prompt) {
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
async function finishSignIn() {
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

export function can(scope) {
  return scopes.includes(scope);
}

function role() {
  if (can('create:signing_keys')) return 'admin';
  if (can('update:clients')) return 'editor';
  return 'viewer';
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
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
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

// ---- screens -----------------------------------------------------------------

const APP_TYPES = [
  ['spa', 'Single-page application', 'A JavaScript front end in the browser (React, Vue, Angular).'],
  ['regular_web', 'Regular web application', 'A server-rendered site (Express, Django, Rails).'],
  ['native', 'Native application', 'A mobile or desktop app.'],
  ['non_interactive', 'Machine to machine', 'A service or script calling an API, no user.'],
];

function readOnlyNote(scope) {
  return can(scope) ? null : h('p', { class: 'note', role: 'note' }, 'Your role (', role(), ') can view this but not change it.');
}

function errorBox(e) {
  return h('p', { class: 'error', role: 'alert' }, e.message);
}

function clearErrors(form) {
  for (const old of form.querySelectorAll('.field-error')) old.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

/** Shows an API error beside the field it names (Auth0: "… on property NAME."). */
function fieldError(form, e) {
  clearErrors(form);
  const m = /on property ([\w.]+)/.exec(e.message || '');
  const field = m && form.elements.namedItem(m[1].split('.')[0]);
  const msg = h('p', { class: 'error field-error', role: 'alert', id: `err-${m ? m[1] : 'form'}` }, e.message);
  if (field && field.nodeType === 1) {
    field.setAttribute('aria-invalid', 'true');
    field.setAttribute('aria-describedby', msg.id);
    field.after(msg);
    field.focus();
  } else {
    form.prepend(msg);
  }
}

async function homeScreen() {
  const since = Date.now() - 24 * 3600 * 1000;
  let figures = h('p', { class: 'loading', role: 'status' }, 'Loading…');
  show('Home', h('dl', { class: 'facts' },
    h('dt', {}, 'Issuer'), h('dd', {}, issuer),
    h('dt', {}, 'Management API'), h('dd', {}, audience)), figures);
  if (!can('read:logs')) return figures.replaceWith(h('p', {}, 'Your role cannot read the logs.'));
  const logs = await api('GET', 'logs?per_page=100&sort=date:-1');
  const recent = logs.filter((l) => Date.parse(l.date) >= since);
  const count = (pred) => recent.filter((l) => pred(l.type)).length;
  figures.replaceWith(h('ul', { class: 'figures' },
    h('li', {}, h('strong', {}, count((t) => t === 's')), ' logins'),
    h('li', {}, h('strong', {}, count((t) => ['f', 'fp', 'fu'].includes(t))), ' failed logins'),
    h('li', {}, h('strong', {}, count((t) => t.startsWith('sec') || t === 'sertft')), ' token requests'),
    h('li', { class: 'hint' }, 'in the last day, of the latest 100 events')));
}

async function applicationsScreen() {
  const list = await api('GET', 'clients');
  const filter = h('input', { id: 'search', type: 'search', placeholder: 'Search by name or client ID' });
  const rows = h('tbody');
  const draw = () => {
    const q = filter.value.trim().toLowerCase();
    const shown = list.filter((c) => !q || c.name.toLowerCase().includes(q) || c.client_id.toLowerCase().includes(q));
    rows.replaceChildren(...shown.map((c) => h('tr', {},
      h('td', {}, h('a', { href: `#/applications/${encodeURIComponent(c.client_id)}` }, c.name)),
      h('td', {}, (APP_TYPES.find(([t]) => t === c.app_type) || [, c.app_type || '—'])[1]),
      h('td', {}, h('code', {}, c.client_id)))));
    if (!shown.length) rows.append(h('tr', {}, h('td', { colspan: 3 }, 'No application matches.')));
  };
  filter.addEventListener('input', draw);
  draw();
  show('Applications',
    can('create:clients') ? h('p', {}, h('a', { class: 'button', href: '#/applications/new' }, 'Create application')) : readOnlyNote('create:clients'),
    h('label', { for: 'search' }, 'Search'), filter,
    h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Type'), h('th', {}, 'Client ID'))), rows));
}

function newApplicationScreen() {
  const form = h('form', { novalidate: true },
    h('label', { for: 'name' }, 'Name'),
    h('input', { id: 'name', name: 'name', required: true, autocomplete: 'off' }),
    h('fieldset', {}, h('legend', {}, 'Application type'),
      APP_TYPES.map(([value, label, hint], i) => h('label', { class: 'choice' },
        h('input', { type: 'radio', name: 'app_type', value, checked: i === 0 }),
        h('span', {}, h('strong', {}, label), h('span', { class: 'hint' }, hint))))),
    h('button', { type: 'submit' }, 'Create'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const made = await api('POST', 'clients', { name: form.elements.name.value, app_type: form.elements.app_type.value });
      location.hash = `#/applications/${encodeURIComponent(made.client_id)}`;
    } catch (e) {
      fieldError(form, e);
    }
  });
  show('Create application', form);
}

const lines = (v) => v.split('\n').map((s) => s.trim()).filter(Boolean);

async function applicationScreen(id) {
  const c = await api('GET', `clients/${encodeURIComponent(id)}`);
  const editable = can('update:clients');
  const rt = c.refresh_token || {};
  const field = (name, label, value, attrs = {}) => [
    h('label', { for: name }, label),
    h('input', { id: name, name, value: value ?? '', readonly: !editable, ...attrs })];
  const area = (name, label, value, hint) => [
    h('label', { for: name }, label),
    h('textarea', { id: name, name, rows: 3, readonly: !editable, 'aria-describedby': `${name}-hint` }, (value || []).join('\n')),
    h('p', { class: 'hint', id: `${name}-hint` }, hint)];
  const form = h('form', { novalidate: true },
    field('name', 'Name', c.name),
    h('label', { for: 'client_id' }, 'Client ID'),
    h('input', { id: 'client_id', value: c.client_id, readonly: true }),
    h('label', { for: 'domain' }, 'Domain'),
    h('input', { id: 'domain', value: new URL(issuer).host, readonly: true }),
    area('callbacks', 'Allowed Callback URLs', c.callbacks, 'One per line; matched exactly.'),
    area('allowed_logout_urls', 'Allowed Logout URLs', c.allowed_logout_urls, 'One per line.'),
    area('web_origins', 'Allowed Web Origins', c.web_origins, 'One per line, for silent sign-in from the browser.'),
    h('fieldset', {}, h('legend', {}, 'Refresh Token Rotation'),
      h('label', { class: 'choice' },
        h('input', { type: 'checkbox', name: 'rotating', checked: rt.rotation_type === 'rotating', disabled: !editable }),
        h('span', {}, 'Rotate refresh tokens on every use (reuse revokes the family)')),
      field('leeway', 'Reuse interval (seconds)', rt.leeway, { type: 'number', min: 0 }),
      field('token_lifetime', 'Absolute lifetime (seconds)', rt.token_lifetime, { type: 'number', min: 1 }),
      field('idle_token_lifetime', 'Idle lifetime (seconds)', rt.idle_token_lifetime, { type: 'number', min: 1 })),
    editable ? h('button', { type: 'submit' }, 'Save changes') : readOnlyNote('update:clients'),
    h('p', { class: 'status', role: 'status', id: 'saved' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = form.elements;
    const num = (el) => (el.value === '' ? undefined : Number(el.value));
    try {
      await api('PATCH', `clients/${encodeURIComponent(id)}`, {
        name: f.name.value,
        callbacks: lines(f.callbacks.value),
        allowed_logout_urls: lines(f.allowed_logout_urls.value),
        web_origins: lines(f.web_origins.value),
        refresh_token: {
          rotation_type: f.rotating.checked ? 'rotating' : 'non-rotating',
          leeway: num(f.leeway), token_lifetime: num(f.token_lifetime), idle_token_lifetime: num(f.idle_token_lifetime),
        },
      });
      clearErrors(form);
      document.getElementById('saved').textContent = 'Saved.';
    } catch (e) {
      fieldError(form, e);
    }
  });
  const danger = can('delete:clients') ? h('section', { class: 'danger', 'aria-labelledby': 'danger' },
    h('h2', { id: 'danger' }, 'Danger zone'),
    h('button', {
      type: 'button', class: 'destructive', onclick: async () => {
        if (!confirm(`Delete ${c.name}? Its users can no longer sign in to it, and this cannot be undone.`)) return;
        try { await api('DELETE', `clients/${encodeURIComponent(id)}`); location.hash = '#/applications'; } catch (e) { main.append(errorBox(e)); }
      },
    }, 'Delete application')) : null;
  show(c.name, form, danger);
}

function comingScreen(title, cli) {
  show(title, h('p', {}, 'This screen is not built yet. Until it is, the same operations are in the Management API and the CLI: ', h('code', {}, cli), '.'));
}

const routes = [
  [/^#?\/?$/, homeScreen],
  [/^#\/applications$/, applicationsScreen],
  [/^#\/applications\/new$/, newApplicationScreen],
  [/^#\/applications\/(.+)$/, (id) => applicationScreen(decodeURIComponent(id))],
  [/^#\/apis/, () => comingScreen('APIs', 'portcullis apis')],
  [/^#\/users/, () => comingScreen('Users', 'portcullis users')],
  [/^#\/logs/, () => comingScreen('Logs', 'portcullis logs')],
  [/^#\/actions/, () => comingScreen('Actions', 'portcullis actions')],
  [/^#\/rules/, () => comingScreen('Rules', 'portcullis rules')],
  [/^#\/keys/, () => comingScreen('Signing keys', 'portcullis keys')],
  [/^#\/settings/, () => comingScreen('Settings', 'portcullis.toml')],
];

async function route() {
  const hash = location.hash || '#/';
  for (const [pattern, screen] of routes) {
    const m = pattern.exec(hash);
    if (m) {
      try {
        main.replaceChildren(h('p', { class: 'loading', role: 'status' }, 'Loading…'));
        await screen(...m.slice(1));
      } catch (e) {
        show('Something went wrong', errorBox(e));
      }
      return;
    }
  }
  show('Not found', h('p', {}, 'No such screen. ', h('a', { href: '#/' }, 'Go home')));
}

// ---- start -----------------------------------------------------------------

async function start() {
  try {
    if (!(await finishSignIn())) return signIn();
  } catch (e) {
    main.replaceChildren(h('h1', {}, 'Could not sign in'), errorBox(e),
      h('p', {}, h('button', { type: 'button', onclick: () => signIn('login') }, 'Sign in again')));
    return;
  }
  document.getElementById('who').textContent = `Signed in (${role()})`;
  const out = document.getElementById('signout');
  out.hidden = false;
  out.addEventListener('click', () => {
    location.assign(`${issuer}v2/logout?${new URLSearchParams({ client_id: CLIENT_ID, returnTo: home.href })}`);
  });
  const menu = document.querySelector('.menu');
  menu.addEventListener('click', () => {
    const open = menu.getAttribute('aria-expanded') !== 'true';
    menu.setAttribute('aria-expanded', String(open));
    document.getElementById('nav').classList.toggle('open', open);
  });
  window.addEventListener('hashchange', route);
  await route();
}

start();
