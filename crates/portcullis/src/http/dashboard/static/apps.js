// Applications > Applications: list, create (the type picker), settings, the
// secret (shown once: Portcullis stores only its hash), quick start, delete.

import {
  invalid, all, api, can, destructive, enc, field, h, hashParams, issuer, lines, pager, readOnlyNote, show, status,
  submitting, table,
} from './lib.js';

export const APP_TYPES = [
  ['spa', 'Single-page application', 'A JavaScript front end in the browser (React, Vue, Angular).'],
  ['regular_web', 'Regular web application', 'A server-rendered site (Express, Django, Rails).'],
  ['native', 'Native application', 'A mobile or desktop app.'],
  ['non_interactive', 'Machine to machine', 'A service or script calling an API, no user.'],
];

const GRANTS = [
  ['authorization_code', 'Authorization Code'],
  ['refresh_token', 'Refresh Token'],
  ['implicit', 'Implicit'],
  ['client_credentials', 'Client Credentials'],
  ['password', 'Password'],
  ['http://auth0.com/oauth/grant-type/password-realm', 'Password Realm'],
  ['urn:ietf:params:oauth:grant-type:token-exchange', 'Token Exchange'],
  ['urn:ietf:params:oauth:grant-type:device_code', 'Device Code'],
];

export const typeName = (t) => (APP_TYPES.find(([v]) => v === t) || [, t || '—'])[1];

const PER_PAGE = 50;

export async function list() {
  const apps = await all('clients', 'clients');
  const search = h('input', { id: 'search', type: 'search', autocomplete: 'off', value: hashParams().get('q') || '' });
  const holder = h('div');
  const draw = (page) => {
    const q = search.value.trim().toLowerCase();
    const found = apps.filter((c) => !q || c.name.toLowerCase().includes(q) || c.client_id.toLowerCase().includes(q));
    const shown = found.slice(page * PER_PAGE, (page + 1) * PER_PAGE);
    holder.replaceChildren(table([
      ['Name', (c) => h('a', { href: `#/applications/${enc(c.client_id)}` }, c.name)],
      ['Type', (c) => h('span', { class: `type type-${c.app_type}` }, typeName(c.app_type))],
      ['Client ID', (c) => h('code', {}, c.client_id)],
    ], shown, q ? 'No application matches.' : 'No applications yet.'),
    pager('#/applications', q ? { q } : {}, page, PER_PAGE, found.length, shown.length) || '');
  };
  search.addEventListener('input', () => draw(0));
  draw(Number(hashParams().get('page') || 0));
  show('Applications',
    can('create:clients') ? h('p', {}, h('a', { class: 'button', href: '#/applications/new' }, 'Create application')) : readOnlyNote('create:clients'),
    h('label', { for: 'search' }, 'Search by name or client ID'), search, holder);
}

export function create() {
  const form = h('form', { novalidate: true, onsubmit: submitting(async (f) => {
    if (!f.elements.name.value.trim()) throw invalid('name', 'Give the application a name.');
    const made = await api('POST', 'clients', { name: f.elements.name.value.trim(), app_type: f.elements.app_type.value });
    if (made.client_secret) sessionStorage.setItem(`portcullis.secret.${made.client_id}`, made.client_secret);
    location.hash = `#/applications/${enc(made.client_id)}`;
  }) },
  field('name', 'Name', { required: true, autocomplete: 'off' }),
  h('fieldset', {}, h('legend', {}, 'Application type'),
    APP_TYPES.map(([value, label, hint], i) => h('label', { class: 'choice' },
      h('input', { type: 'radio', name: 'app_type', value, checked: i === 0 }),
      h('span', {}, h('strong', {}, label), h('span', { class: 'hint' }, hint))))),
  h('button', { type: 'submit' }, 'Create'));
  show('Create application', form);
}

/** The secret of a new or rotated application, once: only its hash is kept. */
function secretBox(c) {
  const key = `portcullis.secret.${c.client_id}`;
  const secret = sessionStorage.getItem(key);
  if (!secret) return null;
  sessionStorage.removeItem(key);
  return h('div', { class: 'note', role: 'note' },
    h('p', {}, h('strong', {}, 'Client secret: '), h('code', { class: 'secret' }, secret)),
    h('p', {}, 'Copy it now: it is shown once. Portcullis keeps only its hash, so no one can read it again, this screen included.'));
}

function quickStart(c) {
  const domain = new URL(issuer).host;
  const snippets = {
    spa: ['auth0-spa-js', `import { createAuth0Client } from '@auth0/auth0-spa-js';

const auth0 = await createAuth0Client({
  domain: '${domain}',
  clientId: '${c.client_id}',
  authorizationParams: { redirect_uri: window.location.origin },
  useRefreshTokens: true,
});
await auth0.loginWithRedirect();`],
    regular_web: ['express-openid-connect', `const { auth } = require('express-openid-connect');

app.use(auth({
  issuerBaseURL: '${issuer}',
  baseURL: 'http://localhost:3000',
  clientID: '${c.client_id}',
  clientSecret: process.env.CLIENT_SECRET,
  secret: process.env.SESSION_SECRET,
  authRequired: false,
}));`],
    native: ['auth0-python (device or native apps use the same endpoints)', `from auth0.authentication import GetToken

token = GetToken('${domain}', '${c.client_id}')
# exchange the code your app received (with its PKCE verifier):
token.authorization_code_pkce(code_verifier, code, redirect_uri)`],
    non_interactive: ['an API with express-oauth2-jwt-bearer, called with client credentials', `// The caller:
const res = await fetch('${issuer}oauth/token', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ grant_type: 'client_credentials', client_id: '${c.client_id}',
    client_secret: process.env.CLIENT_SECRET, audience: 'https://api.example.com/' }),
});

// The API:
const { auth } = require('express-oauth2-jwt-bearer');
app.use(auth({ issuerBaseURL: '${issuer}', audience: 'https://api.example.com/' }));`],
  };
  const [lib, code] = snippets[c.app_type] || snippets.spa;
  return h('section', { 'aria-labelledby': 'qs' }, h('h2', { id: 'qs' }, 'Quick start'),
    h('p', {}, `With ${lib}, filled in for this application:`),
    h('pre', { tabindex: 0, 'aria-label': 'Quick start code' }, h('code', {}, code)));
}

export async function settings(id) {
  const c = await api('GET', `clients/${enc(id)}`);
  const editable = can('update:clients');
  const ro = !editable;
  const rt = c.refresh_token || {};
  const jwt = c.jwt_configuration || {};
  const form = h('form', { novalidate: true, onsubmit: submitting(async (f) => {
    const e = f.elements;
    const num = (el) => (el.value === '' ? undefined : Number(el.value));
    for (const name of ['callbacks', 'allowed_logout_urls', 'web_origins']) {
      for (const u of lines(e[name].value)) {
        try { new URL(u); } catch { throw invalid(name, `Not a URL: ${u}`); }
      }
    }
    await api('PATCH', `clients/${enc(id)}`, {
      name: e.name.value.trim(),
      callbacks: lines(e.callbacks.value),
      allowed_logout_urls: lines(e.allowed_logout_urls.value),
      web_origins: lines(e.web_origins.value),
      allowed_origins: lines(e.allowed_origins.value),
      grant_types: GRANTS.map(([g]) => g).filter((g) => e[`grant-${g}`].checked),
      token_endpoint_auth_method: e.token_endpoint_auth_method.value,
      oidc_conformant: e.oidc_conformant.checked,
      jwt_configuration: { lifetime_in_seconds: num(e.id_token_lifetime), alg: e.alg.value },
      refresh_token: {
        rotation_type: e.rotating.checked ? 'rotating' : 'non-rotating',
        leeway: num(e.leeway), token_lifetime: num(e.token_lifetime), idle_token_lifetime: num(e.idle_token_lifetime),
      },
    });
    document.getElementById('saved').textContent = 'Saved.';
  }) },
  field('name', 'Name', { value: c.name, readonly: ro }),
  field('client_id', 'Client ID', { value: c.client_id, readonly: true }),
  field('domain', 'Domain', { value: new URL(issuer).host, readonly: true }),
  field('app_type', 'Application type', { value: typeName(c.app_type), readonly: true }),
  field('callbacks', 'Allowed Callback URLs', { rows: 3, value: (c.callbacks || []).join('\n'), readonly: ro }, 'One per line; a redirect must match one exactly.'),
  field('allowed_logout_urls', 'Allowed Logout URLs', { rows: 3, value: (c.allowed_logout_urls || []).join('\n'), readonly: ro }, 'One per line.'),
  field('web_origins', 'Allowed Web Origins', { rows: 2, value: (c.web_origins || []).join('\n'), readonly: ro }, 'One per line: origins that may sign in silently.'),
  field('allowed_origins', 'Allowed Origins (CORS)', { rows: 2, value: (c.allowed_origins || []).join('\n'), readonly: ro }, 'One per line.'),
  h('fieldset', {}, h('legend', {}, 'Grant types'),
    GRANTS.map(([g, label]) => h('label', { class: 'choice' },
      h('input', { type: 'checkbox', name: `grant-${g}`, checked: (c.grant_types || []).includes(g), disabled: ro }),
      h('span', {}, label)))),
  h('label', { for: 'token_endpoint_auth_method' }, 'Token endpoint authentication'),
  h('select', { id: 'token_endpoint_auth_method', name: 'token_endpoint_auth_method', disabled: ro },
    [['none', 'None (public: PKCE)'], ['client_secret_post', 'Client secret (post)'], ['client_secret_basic', 'Client secret (basic)']]
      .map(([v, l]) => h('option', { value: v, selected: c.token_endpoint_auth_method === v }, l))),
  h('fieldset', {}, h('legend', {}, 'ID token'),
    field('id_token_lifetime', 'Lifetime (seconds)', { type: 'number', min: 1, value: jwt.lifetime_in_seconds, readonly: ro }),
    h('label', { for: 'alg' }, 'Signing algorithm'),
    h('select', { id: 'alg', name: 'alg', disabled: ro },
      ['RS256', 'PS256', 'ES256', 'EdDSA'].map((a) => h('option', { value: a, selected: (jwt.alg || 'RS256') === a }, a))),
    h('label', { class: 'choice' },
      h('input', { type: 'checkbox', name: 'oidc_conformant', checked: c.oidc_conformant !== false, disabled: ro }),
      h('span', {}, 'OIDC Conformant'))),
  h('fieldset', {}, h('legend', {}, 'Refresh Token Rotation'),
    h('label', { class: 'choice' },
      h('input', { type: 'checkbox', name: 'rotating', id: 'rotating', checked: rt.rotation_type === 'rotating', disabled: ro }),
      h('span', {}, 'Rotation: every use returns a new refresh token; reusing an old one revokes them all')),
    field('leeway', 'Reuse interval (seconds)', { type: 'number', min: 0, value: rt.leeway, readonly: ro }),
    field('token_lifetime', 'Absolute expiration (seconds)', { type: 'number', min: 1, value: rt.token_lifetime, readonly: ro }),
    field('idle_token_lifetime', 'Inactivity expiration (seconds)', { type: 'number', min: 1, value: rt.idle_token_lifetime, readonly: ro })),
  editable ? h('button', { type: 'submit' }, 'Save changes') : readOnlyNote('update:clients'),
  h('p', { class: 'status', role: 'status', id: 'saved' }));
  const confidential = c.token_endpoint_auth_method !== 'none';
  const secret = confidential && editable ? h('section', { 'aria-labelledby': 'sec' },
    h('h2', { id: 'sec' }, 'Client secret'),
    h('p', {}, 'Shown once, when it is made. Rotating it stops the old secret at once.'),
    destructive('Rotate secret', `Rotate the secret of ${c.name}? Every server using the old secret stops working until it has the new one.`, async () => {
      const r = await api('POST', `clients/${enc(id)}/rotate-secret`);
      sessionStorage.setItem(`portcullis.secret.${id}`, r.client_secret);
      settings(id);
    })) : null;
  const danger = can('delete:clients') ? h('section', { class: 'danger', 'aria-labelledby': 'danger' },
    h('h2', { id: 'danger' }, 'Danger zone'),
    destructive('Delete application', `Delete ${c.name}? Its users can no longer sign in to it, and this cannot be undone.`, async () => {
      await api('DELETE', `clients/${enc(id)}`);
      location.hash = '#/applications';
    })) : null;
  show(c.name, secretBox(c), form, secret, quickStart(c), danger, status(''));
}
