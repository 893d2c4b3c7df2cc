// User Management > Users: search (Auth0's v3 query syntax), create, details (profile, the two
// metadata editors, sessions and refresh tokens with revoke, the user's logs),
// block and unblock, a password reset (e-mailed, or as a link to hand on),
// the user's roles and permissions (roles.js), delete.

import {
  ApiError, errorBox, invalid, api, can, destructive, enc, field, h, hashParams, pager, readOnlyNote, show, submitting, table, when,
} from './lib.js';
import { ofUser as rolesOfUser } from './roles.js';

const PER_PAGE = 50;

/**
 * What was typed in the search box as Auth0's v3 `q`: a query as it is when it
 * names a field (`app_metadata.plan:gold`), an e-mail address exactly, a
 * phrase exactly, or one word as the start of a name or address.
 */
export function toQuery(text) {
  if (/^([\w.]+:|NOT\s|[-!(])/.test(text) || /\s(AND|OR)\s/.test(text)) return text;
  const quoted = `"${text.replace(/["\\]/g, '\\$&')}"`;
  if (text.includes('@')) return `email:${quoted}`;
  if (/\s/.test(text)) return quoted;
  return `${text.replace(/[\\"()*?:[\]{}!&|-]/g, '\\$&')}*`;
}

export async function list() {
  const params = hashParams();
  const q = params.get('q') || '';
  const page = Number(params.get('page') || 0);
  const path = q
    ? `users?q=${enc(toQuery(q))}&search_engine=v3&include_totals=true&page=${page}&per_page=${PER_PAGE}`
    : `users?include_totals=true&page=${page}&per_page=${PER_PAGE}`;
  let res;
  let problem = null;
  try {
    res = await api('GET', path);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 400) throw e;
    res = [];
    problem = e;
  }
  const users = res.users || res;
  const search = h('form', { role: 'search', class: 'inline', onsubmit: (ev) => {
    ev.preventDefault();
    const text = ev.currentTarget.elements.q.value.trim();
    location.hash = text ? `#/users?q=${enc(text)}` : '#/users';
  } }, field('q', 'Search users', {
    type: 'search', value: q, autocomplete: 'off', 'aria-invalid': problem ? 'true' : 'false',
  }, 'An e-mail address, the start of a name, or a query such as app_metadata.plan:"gold" AND blocked:false.'),
  h('button', { type: 'submit' }, 'Search'));
  const keep = q ? { q } : {};
  show('Users',
    can('create:users') ? h('p', {}, h('a', { class: 'button', href: '#/users/new' }, 'Create user')) : readOnlyNote('create:users'),
    search,
    problem ? errorBox(problem) : null,
    table([
      ['E-mail', (u) => h('a', { href: `#/users/${enc(u.user_id)}` }, u.email)],
      ['Name', (u) => u.name || '—'],
      ['Logins', (u) => u.logins_count ?? 0],
      ['Latest login', (u) => (u.last_login ? when(u.last_login) : 'Never')],
      ['Status', (u) => (u.blocked ? h('span', { class: 'badge' }, 'Blocked') : 'Active')],
    ], users, q ? 'No user matches this search.' : 'No users yet.'),
    pager('#/users', keep, page, PER_PAGE, res.total, users.length));
}

export function create() {
  show('Create user', h('form', { novalidate: true, onsubmit: submitting(async (f) => {
    const e = f.elements;
    const made = await api('POST', 'users', {
      connection: 'Username-Password-Authentication', email: e.email.value.trim(), password: e.password.value,
    });
    location.hash = `#/users/${enc(made.user_id)}`;
  }) },
  field('email', 'E-mail address', { type: 'email', required: true, autocomplete: 'off' }),
  field('password', 'Password', { type: 'password', required: true, autocomplete: 'new-password' },
    'At least 8 characters, with lower-case and upper-case letters and a number.'),
  h('p', { class: 'hint' }, 'Connection: Username-Password-Authentication'),
  h('button', { type: 'submit' }, 'Create')));
}

/** A JSON object editor that refuses anything but a JSON object, in place. */
function metadataForm(u, name, label) {
  const editable = can('update:users');
  return h('form', { novalidate: true, onsubmit: submitting(async (f) => {
    let value;
    try {
      value = JSON.parse(f.elements[name].value || '{}');
    } catch (err) {
      throw invalid(name, `Not valid JSON: ${err.message}`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw invalid(name, 'Metadata must be a JSON object, such as {"plan": "pro"}.');
    }
    // Auth0 merges metadata; to drop a key, set it to null.
    await api('PATCH', `users/${enc(u.user_id)}`, { [name]: value });
    f.querySelector('[role=status]').textContent = 'Saved.';
  }) },
  field(name, label, { rows: 6, class: 'code', spellcheck: 'false', readonly: !editable, value: JSON.stringify(u[name] || {}, null, 2) },
    'A JSON object; keys are merged into what is stored, and a key set to null is removed.'),
  editable ? h('button', { type: 'submit' }, `Save ${label.toLowerCase()}`) : null,
  h('p', { class: 'status', role: 'status' }));
}

/** The link of a ticket, in a read-only field a member can copy from. */
function ticketLink(url, hint) {
  const out = h('div', { class: 'ticket' },
    field('reset_link', 'Password-reset link', { value: url, readonly: true }, hint));
  out.querySelector('input').addEventListener('focus', (ev) => ev.target.select());
  return out;
}

/**
 * Send a password reset: a Management API ticket (`POST /tickets/password-change`,
 * so the log shows the member), e-mailed by the server or shown to hand on.
 */
function passwordReset(u) {
  const database = (u.identities || []).some((i) => i.provider === 'auth0');
  if (!database) return null;
  if (!can('create:user_tickets')) return h('section', { 'aria-labelledby': 'pw' }, h('h2', { id: 'pw' }, 'Password'), readOnlyNote('create:user_tickets'));
  const out = h('div', { class: 'result', 'aria-live': 'polite' });
  const ticket = async (ev, sendEmail) => {
    out.replaceChildren();
    try {
      const r = await api('POST', 'tickets/password-change', { user_id: u.user_id, send_email: sendEmail });
      if (!sendEmail) {
        out.append(ticketLink(r.ticket, 'Works once, for 5 days. Hand it only to the person you have checked is this user.'));
      } else if (r.email_sent) {
        out.append(h('p', { class: 'status', role: 'status' }, `A password-reset link was e-mailed to ${u.email}. It works once, for 5 days.`));
      } else {
        out.append(h('p', { class: 'error', role: 'alert' }, 'The e-mail could not be sent (see Logs).'),
          ticketLink(r.ticket, 'Give the user this link another way. It works once, for 5 days.'));
      }
    } catch (e) { out.append(h('p', { class: 'error', role: 'alert' }, e.message)); }
  };
  return h('section', { 'aria-labelledby': 'pw' },
    h('h2', { id: 'pw' }, 'Password'),
    h('p', { class: 'actions' },
      h('button', {
        type: 'button', onclick: (ev) => {
          if (confirm(`E-mail ${u.email} a link to choose a new password?`)) ticket(ev, true);
        },
      }, 'Send password reset e-mail'),
      h('button', { type: 'button', class: 'secondary', onclick: (ev) => ticket(ev, false) }, 'Create a reset link')),
    out);
}

export async function details(id) {
  const u = await api('GET', `users/${enc(id)}`);
  const [sessions, tokens, logs] = await Promise.all([
    can('read:sessions') ? api('GET', `users/${enc(id)}/sessions`).catch(() => ({ sessions: [] })) : { sessions: [] },
    can('read:refresh_tokens') ? api('GET', `users/${enc(id)}/refresh-tokens`).catch(() => ({ tokens: [] })) : { tokens: [] },
    can('read:logs') ? api('GET', `users/${enc(id)}/logs?per_page=20`).catch(() => []) : [],
  ]);
  const editable = can('update:users');
  const reload = () => details(id);
  const rbac = await rolesOfUser(u, reload);
  show(u.email,
    h('dl', { class: 'facts' },
      h('dt', {}, 'User ID'), h('dd', {}, h('code', {}, u.user_id)),
      h('dt', {}, 'Name'), h('dd', {}, u.name || '—'),
      h('dt', {}, 'E-mail verified'), h('dd', {}, u.email_verified ? 'Yes' : 'No'),
      h('dt', {}, 'Created'), h('dd', {}, when(u.created_at)),
      h('dt', {}, 'Latest login'), h('dd', {}, u.last_login ? when(u.last_login) : 'Never'),
      h('dt', {}, 'Status'), h('dd', {}, u.blocked ? 'Blocked' : 'Active')),
    editable ? h('p', {}, h('button', {
      type: 'button', class: u.blocked ? '' : 'destructive', onclick: async (ev) => {
        if (!u.blocked && !confirm(`Block ${u.email}? They cannot sign in until unblocked.`)) return;
        try { await api('PATCH', `users/${enc(id)}`, { blocked: !u.blocked }); reload(); } catch (e) { ev.target.after(h('p', { class: 'error', role: 'alert' }, e.message)); }
      },
    }, u.blocked ? 'Unblock' : 'Block')) : readOnlyNote('update:users'),
    passwordReset(u),
    rbac,
    h('h2', {}, 'Metadata'),
    metadataForm(u, 'user_metadata', 'User metadata'),
    metadataForm(u, 'app_metadata', 'App metadata'),
    h('h2', {}, 'Sessions'),
    table([
      ['Session', (s) => h('code', {}, s.id)],
      ['Started', (s) => when(s.created_at || s.authenticated_at)],
      ['', (s) => (can('delete:sessions') ? destructive('Revoke', 'End this session? The user signs in again on that device.', async () => { await api('DELETE', `sessions/${enc(s.id)}`); reload(); }) : '')],
    ], sessions.sessions || [], 'No live sessions.'),
    h('h2', {}, 'Refresh tokens'),
    table([
      ['Token', (t) => h('code', {}, t.id)],
      ['Application', (t) => t.client_id],
      ['Created', (t) => when(t.created_at)],
      ['', (t) => (can('delete:refresh_tokens') ? destructive('Revoke', 'Revoke this refresh token? The application must sign the user in again.', async () => { await api('DELETE', `refresh-tokens/${enc(t.id)}`); reload(); }) : '')],
    ], tokens.tokens || [], 'No refresh tokens.'),
    h('h2', {}, 'Logs'),
    table([
      ['Type', (l) => h('code', {}, l.type)],
      ['Description', (l) => l.description || '—'],
      ['Date', (l) => when(l.date)],
    ], Array.isArray(logs) ? logs : logs.logs || [], 'No events.'),
    can('delete:users') ? h('section', { class: 'danger', 'aria-labelledby': 'danger' },
      h('h2', { id: 'danger' }, 'Danger zone'),
      destructive('Delete user', `Delete ${u.email}? Their sessions and tokens end, and this cannot be undone.`, async () => {
        await api('DELETE', `users/${enc(id)}`);
        location.hash = '#/users';
      })) : null);
}
