// Authentication > Connections: database connections (password policy,
// usernames, sign-up, brute-force protection) and upstream providers
// (OpenID Connect, OAuth 2.0, Google, GitHub, Microsoft, Apple), and the
// applications each is enabled for. A PATCH replaces `options` whole, as in
// Auth0, so the forms send the stored options with their changes.

import {
  all, api, can, destructive, enc, field, h, readOnlyNote, show, submitting, table,
} from './lib.js';

const STRATEGIES = [
  ['auth0', 'Database'], ['oidc', 'OpenID Connect'], ['oauth2', 'OAuth 2.0'],
  ['google-oauth2', 'Google'], ['github', 'GitHub'], ['windowslive', 'Microsoft'], ['apple', 'Apple'],
];
const POLICIES = [
  ['none', 'None (at least 1 character)'], ['low', 'Low (at least 6 characters)'],
  ['fair', 'Fair (8, with lower-case, upper-case and a number)'],
  ['good', 'Good (8, with three of lower-case, upper-case, number, special)'],
  ['excellent', 'Excellent (10, three of the four, no character three times in a row)'],
];

const kind = (s) => (STRATEGIES.find(([v]) => v === s) || [s, s])[1];

export async function list() {
  const conns = await all('connections', 'connections');
  show('Connections',
    h('p', {}, 'Where users sign in: database connections hold users and their passwords; the others sign people in at another identity provider. Callback URL to give a provider: ',
      h('code', {}, `${new URL('login/callback', window.location.href.split('admin/')[0])}`), '.'),
    can('create:connections') ? h('p', {}, h('a', { class: 'button', href: '#/connections/new' }, 'Create connection')) : readOnlyNote('create:connections'),
    table([
      ['Name', (c) => h('a', { href: `#/connections/${enc(c.id)}` }, c.display_name || c.name)],
      ['Identifier', (c) => h('code', {}, c.name)],
      ['Type', (c) => kind(c.strategy)],
    ], conns, 'No connections yet.'));
}

export function create() {
  show('Create connection', h('form', { novalidate: true, onsubmit: submitting(async (f) => {
    const e = f.elements;
    const body = { name: e.name.value.trim(), strategy: e.strategy.value };
    if (body.strategy !== 'auth0') {
      body.options = { client_id: e.client_id.value.trim() };
      if (e.client_secret.value) body.options.client_secret = e.client_secret.value;
      if (e.discovery_url.value.trim()) body.options.discovery_url = e.discovery_url.value.trim();
    }
    const made = await api('POST', 'connections', body);
    location.hash = `#/connections/${enc(made.id)}`;
  }) },
  field('name', 'Name', { required: true, autocomplete: 'off' },
    'Letters, digits and single hyphens; it cannot be changed later. Applications name it in connection= and realm=.'),
  h('label', { for: 'strategy' }, 'Type'),
  h('select', { id: 'strategy', name: 'strategy' }, STRATEGIES.map(([v, l]) => h('option', { value: v }, l))),
  h('fieldset', {}, h('legend', {}, 'Identity provider (not for a database connection)'),
    field('client_id', 'Client ID', { autocomplete: 'off' }),
    field('client_secret', 'Client secret', { type: 'password', autocomplete: 'new-password' }),
    field('discovery_url', 'Discovery URL (OpenID Connect)', { autocomplete: 'off', placeholder: 'https://login.example.com/.well-known/openid-configuration' })),
  h('button', { type: 'submit' }, 'Create')));
}

export async function details(id, tab = 'settings') {
  const c = await api('GET', `connections/${enc(id)}`);
  const tabs = [['settings', 'Settings'], ['applications', 'Applications']];
  const nav = h('nav', { class: 'tabs', 'aria-label': 'Connection sections' },
    tabs.map(([t, label]) => h('a', { href: `#/connections/${enc(id)}/${t}`, 'aria-current': t === tab ? 'page' : false }, label)));
  const body = tab === 'applications' ? await applications(c) : settingsForm(c);
  show(c.display_name || c.name, nav, body);
}

function checkbox(name, label, checked, hint, ro) {
  return h('label', { class: 'choice' },
    h('input', { type: 'checkbox', name, id: name, checked, disabled: ro }),
    h('span', {}, h('strong', {}, label), hint ? h('span', { class: 'hint' }, hint) : null));
}

function databaseFields(o, ro) {
  const history = (o.password_history && o.password_history.enable) ? (o.password_history.size ?? 5) : 0;
  const min = o.password_complexity_options ? o.password_complexity_options.min_length : '';
  return h('fieldset', {}, h('legend', {}, 'Passwords and sign-up'),
    h('label', { for: 'passwordPolicy' }, 'Password policy'),
    h('select', { id: 'passwordPolicy', name: 'passwordPolicy', disabled: ro },
      POLICIES.map(([v, l]) => h('option', { value: v, selected: (o.passwordPolicy ?? 'none') === v }, l))),
    field('min_length', 'Minimum length (replaces the policy\'s)', { type: 'number', min: 1, max: 128, value: min ?? '', readonly: ro }),
    field('history', 'Previous passwords refused (0 to 24)', { type: 'number', min: 0, max: 24, value: history, readonly: ro }),
    checkbox('requires_username', 'Requires username', !!o.requires_username, 'Users have a username besides their e-mail address and sign in with either.', ro),
    checkbox('disable_signup', 'Disable sign-ups', !!o.disable_signup, 'Only administrators create users.', ro),
    checkbox('brute_force_protection', 'Brute-force protection', o.brute_force_protection !== false, 'Block an account from an address after 10 failed passwords.', ro));
}

function upstreamFields(c, ro) {
  const o = c.options;
  return h('fieldset', {}, h('legend', {}, 'Identity provider'),
    field('client_id', 'Client ID', { value: o.client_id || '', readonly: ro, autocomplete: 'off' }),
    field('client_secret', 'Client secret', { type: 'password', autocomplete: 'new-password', readonly: ro },
      'Stored sealed and never shown; leave empty to keep the current one.'),
    c.strategy === 'oidc' ? field('discovery_url', 'Discovery URL', { value: o.discovery_url || '', readonly: ro, autocomplete: 'off' }) : null,
    field('icon_url', 'Logo on the login page (https URL)', { value: o.icon_url || '', readonly: ro, autocomplete: 'off' }));
}

/** The options to send: the stored ones with the form's changes. */
function options(c, e) {
  const o = { ...c.options };
  const set = (k, v) => { if (v === '' || v === undefined) delete o[k]; else o[k] = v; };
  if (c.strategy === 'auth0') {
    o.passwordPolicy = e.passwordPolicy.value;
    set('password_complexity_options', e.min_length.value ? { min_length: Number(e.min_length.value) } : undefined);
    const size = Number(e.history.value || 0);
    set('password_history', size > 0 ? { enable: true, size } : undefined);
    o.requires_username = e.requires_username.checked;
    o.disable_signup = e.disable_signup.checked;
    o.brute_force_protection = e.brute_force_protection.checked;
  } else {
    set('client_id', e.client_id.value.trim());
    if (e.client_secret.value) o.client_secret = e.client_secret.value;
    if (e.discovery_url) set('discovery_url', e.discovery_url.value.trim());
    set('icon_url', e.icon_url.value.trim());
  }
  return o;
}

function settingsForm(c) {
  const ro = !can('update:connections');
  const form = h('form', { novalidate: true, onsubmit: submitting(async (f) => {
    const e = f.elements;
    await api('PATCH', `connections/${enc(c.id)}`, { display_name: e.display_name.value.trim(), options: options(c, e) });
    document.getElementById('saved').textContent = 'Saved.';
  }) },
  field('display_name', 'Display name', { value: c.display_name || c.name, readonly: ro },
    c.strategy === 'auth0' ? null : 'The login page shows "Continue with" and this name.'),
  field('identifier', 'Name', { value: c.name, readonly: true }),
  field('type', 'Type', { value: kind(c.strategy), readonly: true }),
  c.strategy === 'auth0' ? databaseFields(c.options, ro) : upstreamFields(c, ro),
  ro ? readOnlyNote('update:connections') : h('button', { type: 'submit' }, 'Save changes'),
  h('p', { class: 'status', role: 'status', id: 'saved' }));
  const what = c.strategy === 'auth0' ? ' and every user in it' : '';
  const danger = can('delete:connections') ? h('section', { class: 'danger', 'aria-labelledby': 'danger' },
    h('h2', { id: 'danger' }, 'Danger zone'),
    destructive('Delete connection', `Delete ${c.name}${what}? This cannot be undone.`, async () => {
      await api('DELETE', `connections/${enc(c.id)}`);
      location.hash = '#/connections';
    })) : null;
  return h('div', {}, form, danger);
}

async function applications(c) {
  const ro = !can('update:connections');
  const apps = await all('clients', 'clients');
  const enabled = new Set();
  let from = '';
  for (;;) {
    const page = await api('GET', `connections/${enc(c.id)}/clients?take=100${from ? `&from=${enc(from)}` : ''}`);
    page.clients.forEach((x) => enabled.add(x.client_id));
    if (!page.next) break;
    from = page.next;
  }
  const rows = apps.filter((a) => a.app_type !== 'non_interactive');
  return h('div', {},
    h('p', {}, 'The applications whose users may sign in with this connection.'),
    table([
      ['Application', (a) => a.name],
      ['Enabled', (a) => h('label', { class: 'choice' },
        h('input', { type: 'checkbox', name: 'enabled', value: a.client_id, checked: enabled.has(a.client_id), disabled: ro,
          onchange: async (ev) => {
            const status = document.getElementById('saved');
            try {
              await api('PATCH', `connections/${enc(c.id)}/clients`, [{ client_id: a.client_id, status: ev.target.checked }]);
              status.textContent = `${ev.target.checked ? 'Enabled' : 'Disabled'} for ${a.name}.`;
            } catch (e) {
              ev.target.checked = !ev.target.checked;
              status.textContent = `Not saved: ${e.message}`;
            }
          } }),
        h('span', {}, `Enabled for ${a.name}`))],
    ], rows, 'No applications that sign users in yet.'),
    ro ? readOnlyNote('update:connections') : null,
    h('p', { class: 'status', role: 'status', id: 'saved' }));
}
