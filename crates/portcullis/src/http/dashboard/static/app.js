// The Portcullis dashboard: plain ES modules, no bundler, no framework. It is a
// client of the Management API like any other: it signs the member in with the
// authorization-code flow and PKCE (the hosted login page), keeps the access
// token in memory only, and makes every change through /api/v2 with it.

import * as actions from './actions.js';
import * as apis from './apis.js';
import * as apps from './apps.js';
import {
  api, audience, can, errorBox, finishSignIn, h, issuer, main, role, show, signIn, signOut,
} from './lib.js';
import * as logs from './logs.js';
import * as users from './users.js';
import * as roles from './roles.js';

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

function settingsScreen() {
  show('Settings',
    h('p', {}, 'The tenant\'s settings are the server\'s configuration (docs/configuration.md): the issuer, the database, e-mail, key rotation, script limits and trusted proxies are set in portcullis.toml or PORTCULLIS_* variables and shown here as each becomes editable.'),
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
  [/^#\/users(?:\?.*)?$/, () => users.list()],
  [/^#\/users\/new$/, users.create],
  [/^#\/users\/([^/?]+)$/, (id) => users.details(decodeURIComponent(id))],
  [/^#\/roles(?:\?.*)?$/, roles.list],
  [/^#\/roles\/([^/?]+)(?:\/(settings|permissions|users))?$/, (id, tab) => roles.details(decodeURIComponent(id), tab)],
  [/^#\/logs(?:\?.*)?$/, logs.list],
  [/^#\/actions$/, actions.list],
  [/^#\/actions\/([^/?]+)$/, (id) => actions.edit(decodeURIComponent(id))],
  [/^#\/rules$/, actions.rules],
  [/^#\/rules\/([^/?]+)$/, (id) => actions.rule(decodeURIComponent(id))],
  [/^#\/keys$/, actions.keys],
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
