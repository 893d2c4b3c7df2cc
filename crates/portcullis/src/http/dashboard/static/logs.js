// Monitoring > Logs: filter by type, user, application and time (Auth0's `q`
// syntax: `client_id:"…"`, `date:[from TO to]`), each event's JSON, a live tail
// (Auth0's checkpoint paging: `from` the last log_id seen).

import {
  all, api, can, enc, field, h, hashParams, pager, show, when,
} from './lib.js';

const PER_PAGE = 50;

const TYPES = [
  ['', 'Any type'], ['s', 'Success Login (s)'], ['f', 'Failed Login (f)'], ['fp', 'Wrong password (fp)'],
  ['fu', 'Unknown user (fu)'], ['seacft', 'Code exchanged (seacft)'], ['seccft', 'Client credentials (seccft)'],
  ['sertft', 'Refresh token exchanged (sertft)'], ['ss', 'Signed up (ss)'], ['slo', 'Logged out (slo)'],
  ['sapi', 'Management API change (sapi)'], ['fapi', 'Management API refused (fapi)'], ['limit_wc', 'Blocked account (limit_wc)'],
];

let tail = null;

/** An ISO instant as a datetime-local input's value, in the viewer's time zone. */
function local(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export async function list() {
  if (tail) clearInterval(tail);
  tail = null;
  const params = hashParams();
  const type = params.get('type') || '';
  const user = params.get('user') || '';
  const app = params.get('app') || '';
  // `from` and `to` are instants (ISO, UTC); the inputs show them in local time.
  const from = params.get('from') || '';
  const to = params.get('to') || '';
  const page = Number(params.get('page') || 0);
  const range = from || to ? `date:[${from || '*'} TO ${to || '*'}]` : '';
  const terms = [type && `type:${type}`, user && `user_id:"${user}"`, app && `client_id:"${app}"`, range]
    .filter(Boolean).join(' AND ');
  const [res, apps] = await Promise.all([
    api('GET', `logs?include_totals=true&page=${page}&per_page=${PER_PAGE}${terms ? `&q=${enc(terms)}` : ''}`),
    can('read:clients') ? all('clients', 'clients').catch(() => []) : [],
  ]);
  const logs = res.logs || res;
  const rows = h('tbody');
  const row = (l) => h('tr', {},
    h('td', {}, when(l.date)),
    h('td', {}, h('code', {}, l.type)),
    h('td', {}, l.description || '—'),
    h('td', {}, l.user_name || l.user_id || '—'),
    h('td', {}, l.client_name || l.client_id || '—'),
    h('td', {}, h('details', {}, h('summary', {}, 'JSON'), h('pre', { tabindex: 0 }, JSON.stringify(l, null, 2)))));
  rows.append(...logs.map(row));
  if (!logs.length) rows.append(h('tr', {}, h('td', { colspan: 6 }, 'No events match.')));
  const filters = h('form', { class: 'inline', role: 'search', onsubmit: (ev) => {
    ev.preventDefault();
    const e = ev.currentTarget.elements;
    const q = new URLSearchParams();
    if (e.type.value) q.set('type', e.type.value);
    if (e.user.value.trim()) q.set('user', e.user.value.trim());
    if (e.app.value) q.set('app', e.app.value);
    for (const name of ['from', 'to']) {
      if (e[name].value) q.set(name, new Date(e[name].value).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    }
    location.hash = `#/logs${q.toString() ? `?${q}` : ''}`;
  } },
  h('div', { class: 'filter' }, h('label', { for: 'type' }, 'Type'),
    h('select', { id: 'type', name: 'type' }, TYPES.map(([v, l]) => h('option', { value: v, selected: v === type }, l)))),
  h('div', { class: 'filter' }, field('user', 'User ID', { value: user, autocomplete: 'off' })),
  h('div', { class: 'filter' }, h('label', { for: 'app' }, 'Application'),
    h('select', { id: 'app', name: 'app' },
      h('option', { value: '' }, 'Any application'),
      apps.map((c) => h('option', { value: c.client_id, selected: c.client_id === app }, c.name)),
      app && !apps.some((c) => c.client_id === app) ? h('option', { value: app, selected: true }, app) : null)),
  h('div', { class: 'filter' }, field('from', 'From', { type: 'datetime-local', value: local(from) })),
  h('div', { class: 'filter' }, field('to', 'To', { type: 'datetime-local', value: local(to) })),
  h('button', { type: 'submit' }, 'Filter'));
  const live = h('input', { type: 'checkbox', id: 'live' });
  const announce = h('p', { class: 'hint', role: 'status' });
  live.addEventListener('change', () => {
    if (tail) clearInterval(tail);
    tail = null;
    if (!live.checked) return;
    let last = logs[0]?.log_id;
    tail = setInterval(async () => {
      const fresh = await api('GET', `logs?take=100${last ? `&from=${enc(last)}` : ''}${terms ? `&q=${enc(terms)}` : ''}`);
      const newer = fresh.filter((l) => !last || l.log_id > last);
      if (!newer.length) return;
      last = newer[newer.length - 1].log_id;
      for (const l of newer) rows.prepend(row(l));
      announce.textContent = `${newer.length} new event${newer.length > 1 ? 's' : ''}.`;
    }, 2000);
  });
  show('Logs', filters,
    h('label', { class: 'choice', for: 'live' }, live, h('span', {}, 'Live tail (new events appear at the top)')), announce,
    h('table', {}, h('thead', {}, h('tr', {}, ['Date', 'Type', 'Description', 'User', 'Application', 'Event'].map((t) => h('th', { scope: 'col' }, t)))), rows),
    pager('#/logs', Object.fromEntries([['type', type], ['user', user], ['app', app], ['from', from], ['to', to]].filter(([, v]) => v)), page, PER_PAGE, res.total, logs.length));
}

export function stopTail() {
  if (tail) clearInterval(tail);
  tail = null;
}
