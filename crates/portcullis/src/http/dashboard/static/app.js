// The Portcullis dashboard: plain ES modules, no bundler, no framework. It is a
// client of the Management API like any other: it signs the member in with the
// authorization-code flow and PKCE (the hosted login page), keeps the access
// token in memory only, and makes every change through /api/v2 with it.

import * as actions from './actions.js';
import * as apis from './apis.js';
import * as apps from './apps.js';
import * as branding from './branding.js';
import * as emails from './emails.js';
import * as connections from './connections.js';
import {
  all, api, audience, can, errorBox, field, finishSignIn, h, invalid, issuer, lines, main, readOnlyNote, role, show, signIn, signOut,
  submitting,
} from './lib.js';
import * as logs from './logs.js';
import * as users from './users.js';
import * as roles from './roles.js';
import * as streams from './streams.js';

async function homeScreen() {
  const figures = h('p', { class: 'loading', role: 'status' }, 'Loading…');
  show('Home',
    h('dl', { class: 'facts' },
      h('dt', {}, 'Issuer (domain)'), h('dd', {}, issuer),
      h('dt', {}, 'Management API'), h('dd', {}, audience),
      h('dt', {}, 'Your role'), h('dd', {}, role())),
    h('h2', {}, 'The last day'), figures,
    h('h2', {}, 'Get started'),
    h('ol', {},
      h('li', {}, h('a', { href: '#/apis/new' }, 'Create an API'), ' for the backend your applications call.'),
      h('li', {}, h('a', { href: '#/applications/new' }, 'Create an application'), ' and register its callback URLs.'),
      h('li', {}, h('a', { href: '#/users/new' }, 'Create a user'), ' and sign in to it.')));
  if (!can('read:logs')) {
    figures.replaceWith(h('p', {}, 'Your role cannot read the logs.'));
    return;
  }
  const since = Date.now() - 24 * 3600 * 1000;
  const recent = (await api('GET', 'logs?per_page=100')).filter((l) => Date.parse(l.date) >= since);
  const count = (pred) => recent.filter((l) => pred(l.type)).length;
  figures.replaceWith(h('ul', { class: 'figures' },
    h('li', {}, h('strong', {}, count((t) => t === 's')), 'logins'),
    h('li', {}, h('strong', {}, count((t) => ['f', 'fp', 'fu'].includes(t))), 'failed logins'),
    h('li', {}, h('strong', {}, count((t) => t.startsWith('sec') || t === 'sertft')), 'token requests'),
    h('li', { class: 'hint' }, recent.length === 100 ? 'counted in the latest 100 events' : 'from the audit log')));
}

/** Settings: the tenant's settings (Auth0's /tenants/settings), editable with
 * update:tenant_settings, and the server's configuration, shown. */
async function settingsScreen() {
  const [s, apiList] = await Promise.all([
    api('GET', 'tenants/settings'),
    all('resource-servers', 'resource_servers').catch(() => []),
  ]);
  const ro = !can('update:tenant_settings');
  const form = h('form', { novalidate: true, onsubmit: submitting(async (f) => {
    const e = f.elements;
    const hours = (name) => {
      const v = Number(e[name].value);
      if (!e[name].value || Number.isNaN(v)) throw invalid(name, 'Enter a number of hours.');
      return v;
    };
    await api('PATCH', 'tenants/settings', {
      friendly_name: e.friendly_name.value.trim(),
      support_email: e.support_email.value.trim(),
      support_url: e.support_url.value.trim(),
      default_audience: e.default_audience.value,
      default_directory: e.default_directory.value,
      session_lifetime: hours('session_lifetime'),
      idle_session_lifetime: hours('idle_session_lifetime'),
      allowed_logout_urls: lines(e.allowed_logout_urls.value),
      default_redirection_uri: e.default_redirection_uri.value.trim(),
      error_page: { url: e.error_page_url.value.trim() || undefined, show_log_link: false },
    });
    document.getElementById('saved').textContent = 'Saved.';
  }) },
  h('fieldset', {}, h('legend', {}, 'General'),
    field('friendly_name', 'Friendly name', { value: s.friendly_name || '', readonly: ro, autocomplete: 'off' }),
    field('support_email', 'Support e-mail', { type: 'email', value: s.support_email || '', readonly: ro, autocomplete: 'off' }),
    field('support_url', 'Support URL', { value: s.support_url || '', readonly: ro, autocomplete: 'off' })),
  h('fieldset', {}, h('legend', {}, 'API Authorization Settings'),
    h('label', { for: 'default_audience' }, 'Default Audience'),
    h('select', { id: 'default_audience', name: 'default_audience', disabled: ro, 'aria-describedby': 'default_audience-hint' },
      h('option', { value: '' }, 'None'),
      apiList.filter((a) => !a.is_system).map((a) => h('option', { value: a.identifier, selected: a.identifier === s.default_audience }, `${a.name} (${a.identifier})`))),
    h('p', { class: 'hint', id: 'default_audience-hint' }, 'The API a user\'s token is for when the application names none.'),
    h('label', { for: 'default_directory' }, 'Default Directory'),
    h('select', { id: 'default_directory', name: 'default_directory', disabled: ro, 'aria-describedby': 'default_directory-hint' },
      h('option', { value: '' }, 'None'),
      h('option', { value: 'Username-Password-Authentication', selected: s.default_directory === 'Username-Password-Authentication' }, 'Username-Password-Authentication')),
    h('p', { class: 'hint', id: 'default_directory-hint' }, 'The connection the password grant uses.')),
  h('fieldset', {}, h('legend', {}, 'Login Session Management'),
    field('idle_session_lifetime', 'Inactivity timeout (hours)', { type: 'number', min: 0.1, step: 'any', value: s.idle_session_lifetime, readonly: ro },
      'A session unused for this long ends.'),
    field('session_lifetime', 'Require log in after (hours)', { type: 'number', min: 1, step: 'any', value: s.session_lifetime, readonly: ro },
      'A session ends this long after sign-in, however much it is used.')),
  h('fieldset', {}, h('legend', {}, 'Advanced'),
    field('allowed_logout_urls', 'Allowed Logout URLs', { rows: 3, value: (s.allowed_logout_urls || []).join('\n'), readonly: ro },
      'One per line: where /v2/logout may return when no application is named.'),
    field('default_redirection_uri', 'Default Login Route', { value: s.default_redirection_uri || '', readonly: ro, autocomplete: 'off' },
      'HTTPS. Where hosted pages send people when there is no application to return to.'),
    field('error_page_url', 'Custom error page URL', { value: s.error_page?.url || '', readonly: ro, autocomplete: 'off' },
      'Errors that cannot go back to an application send people here, with error and error_description.')),
  ro ? readOnlyNote('update:tenant_settings') : h('button', { type: 'submit' }, 'Save changes'),
  h('p', { class: 'status', role: 'status', id: 'saved' }));
  show('Settings',
    form,
    h('h2', {}, 'Server configuration'),
    h('p', {}, 'The server\'s own configuration (docs/configuration.md): the issuer, the database, e-mail, key rotation, script limits and trusted proxies are set in portcullis.toml or PORTCULLIS_* variables.'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Issuer'), h('dd', {}, issuer),
      h('dt', {}, 'Discovery'), h('dd', {}, h('a', { href: `${issuer}.well-known/openid-configuration` }, `${issuer}.well-known/openid-configuration`))));
}

const routes = [
  [/^#?\/?$/, homeScreen],
  [/^#\/applications(?:\?.*)?$/, apps.list],
  [/^#\/applications\/new$/, apps.create],
  [/^#\/applications\/([^/?]+)$/, (id) => apps.settings(decodeURIComponent(id))],
  [/^#\/apis$/, apis.list],
  [/^#\/apis\/new$/, apis.create],
  [/^#\/apis\/([^/?]+)(?:\/(settings|permissions|m2m))?$/, (id, tab) => apis.settings(decodeURIComponent(id), tab)],
  [/^#\/connections$/, connections.list],
  [/^#\/connections\/new$/, connections.create],
  [/^#\/connections\/([^/?]+)(?:\/(settings|applications))?$/, (id, tab) => connections.details(decodeURIComponent(id), tab)],
  [/^#\/users(?:\?.*)?$/, () => users.list()],
  [/^#\/users\/new$/, users.create],
  [/^#\/users\/([^/?]+)$/, (id) => users.details(decodeURIComponent(id))],
  [/^#\/roles(?:\?.*)?$/, roles.list],
  [/^#\/roles\/([^/?]+)(?:\/(settings|permissions|users))?$/, (id, tab) => roles.details(decodeURIComponent(id), tab)],
  [/^#\/logs(?:\?.*)?$/, logs.list],
  [/^#\/log-streams$/, streams.list],
  [/^#\/log-streams\/new$/, streams.create],
  [/^#\/log-streams\/([^/?]+)$/, (id) => streams.details(decodeURIComponent(id))],
  [/^#\/branding$/, branding.screen],
  [/^#\/actions$/, actions.list],
  [/^#\/actions\/([^/?]+)$/, (id) => actions.edit(decodeURIComponent(id))],
  [/^#\/rules$/, actions.rules],
  [/^#\/rules\/([^/?]+)$/, (id) => actions.rule(decodeURIComponent(id))],
  [/^#\/keys$/, actions.keys],
  [/^#\/emails$/, emails.list],
  [/^#\/emails\/templates\/([a-z_]+)$/, (name) => emails.edit(name)],
  [/^#\/emails\/provider$/, emails.providerScreen],
  [/^#\/settings$/, settingsScreen],
];

async function route() {
  logs.stopTail();
  const hash = location.hash || '#/';
  for (const [pattern, screen] of routes) {
    const m = pattern.exec(hash);
    if (!m) continue;
    main.replaceChildren(h('p', { class: 'loading', role: 'status' }, 'Loading…'));
    try {
      await screen(...m.slice(1));
    } catch (e) {
      show(e.status === 404 ? 'Not found' : 'Something went wrong', errorBox(e), h('p', {}, h('a', { href: '#/' }, 'Go home')));
    }
    return;
  }
  show('Not found', h('p', {}, 'No such screen. ', h('a', { href: '#/' }, 'Go home')));
}

async function start() {
  try {
    if (!(await finishSignIn())) {
      await signIn();
      return;
    }
  } catch (e) {
    main.replaceChildren(h('h1', {}, 'Could not sign in'), errorBox(e),
      h('p', {}, h('button', { type: 'button', onclick: () => signIn('login') }, 'Sign in again')));
    return;
  }
  document.getElementById('who').textContent = `Signed in as ${role()}`;
  const out = document.getElementById('signout');
  out.hidden = false;
  out.addEventListener('click', signOut);
  const menu = document.querySelector('.menu');
  const nav = document.getElementById('nav');
  menu.addEventListener('click', () => {
    const open = menu.getAttribute('aria-expanded') !== 'true';
    menu.setAttribute('aria-expanded', String(open));
    nav.classList.toggle('open', open);
  });
  nav.addEventListener('click', (ev) => {
    if (ev.target.closest('a')) {
      menu.setAttribute('aria-expanded', 'false');
      nav.classList.remove('open');
    }
  });
  document.body.classList.add('ready');
  window.addEventListener('hashchange', route);
  await route();
}

start();
