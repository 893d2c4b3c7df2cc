// Monitoring > Streams (Auth0's /log-streams): the audit events pushed to a
// webhook, Datadog, Splunk or Sumo Logic, filtered by category. Secrets
// (authorization header, API keys, tokens, Sumo's address) are write-only:
// never shown, kept unless replaced.

import {
  api, can, destructive, enc, field, h, readOnlyNote, show, submitting, table,
} from './lib.js';

const TYPES = [['http', 'Custom Webhook'], ['datadog', 'Datadog'], ['splunk', 'Splunk'], ['sumo', 'Sumo Logic']];

/** Auth0's categories, with what they hold. */
const CATEGORIES = [
  ['auth.login.success', 'Login - Success'], ['auth.login.fail', 'Login - Failure'],
  ['auth.login.notification', 'Login - Notification'], ['auth.logout.success', 'Logout - Success'],
  ['auth.logout.fail', 'Logout - Failure'], ['auth.signup.success', 'Signup - Success'],
  ['auth.signup.fail', 'Signup - Failure'], ['auth.silent_auth.success', 'Silent Authentication - Success'],
  ['auth.silent_auth.fail', 'Silent Authentication - Failure'], ['auth.token_exchange.success', 'Token Exchange - Success'],
  ['auth.token_exchange.fail', 'Token Exchange - Failure'], ['management.success', 'Management API - Success'],
  ['management.fail', 'Management API - Failure'], ['system.notification', 'System - Notification'],
  ['user.success', 'User / Behavioral - Success'], ['user.fail', 'User / Behavioral - Failure'],
  ['user.notification', 'User / Behavioral - Notification'], ['other', 'Other'],
];

export async function list() {
  const streams = await api('GET', 'log-streams');
  show('Log Streams',
    h('p', {}, 'Audit events delivered in order, at least once, to the monitoring you run. A stream whose receiver keeps failing is suspended, and turns active again by itself once a delivery succeeds.'),
    can('create:log_streams') ? h('p', {}, h('a', { class: 'button', href: '#/log-streams/new' }, 'Create stream')) : null,
    table([
      ['Name', (s) => h('a', { href: `#/log-streams/${enc(s.id)}` }, s.name)],
      ['Type', (s) => (TYPES.find(([t]) => t === s.type) || [, s.type])[1]],
      ['Status', (s) => h('span', { class: s.status === 'active' ? 'badge nowrap' : 'nowrap' }, s.status)],
    ], streams, 'No streams yet.'));
}

/** The sink's fields for `type`; secrets are empty with "Unchanged" when editing. */
function sinkFields(type, sink, editing, ro) {
  const secret = (name, label, hint) => field(name, label, {
    type: 'password', readonly: ro, autocomplete: 'new-password', placeholder: editing ? 'Unchanged' : '',
  }, editing ? `${hint ? `${hint} ` : ''}Leave empty to keep the stored value.` : hint);
  switch (type) {
    case 'http': return [
      field('httpEndpoint', 'Payload URL', { type: 'url', value: sink.httpEndpoint || '', readonly: ro, required: true, autocomplete: 'off' }, 'HTTPS (http only to this machine).'),
      h('label', { for: 'httpContentFormat' }, 'Content format'),
      h('select', { id: 'httpContentFormat', name: 'httpContentFormat', disabled: ro },
        [['JSONLINES', 'JSON Lines'], ['JSONARRAY', 'JSON Array'], ['JSONOBJECT', 'JSON Object (one event per request)']]
          .map(([v, l]) => h('option', { value: v, selected: (sink.httpContentFormat || 'JSONLINES') === v }, l))),
      field('httpContentType', 'Content type', { value: sink.httpContentType || 'application/json', readonly: ro, autocomplete: 'off' }),
      secret('httpAuthorization', 'Authorization token', 'Sent as the Authorization header.'),
    ];
    case 'datadog': return [
      h('label', { for: 'datadogRegion' }, 'Region'),
      h('select', { id: 'datadogRegion', name: 'datadogRegion', disabled: ro },
        ['us', 'eu', 'us3', 'us5'].map((r) => h('option', { value: r, selected: sink.datadogRegion === r }, r.toUpperCase()))),
      secret('datadogApiKey', 'API key'),
    ];
    case 'splunk': return [
      field('splunkDomain', 'Domain', { value: sink.splunkDomain || '', readonly: ro, required: true, autocomplete: 'off' }),
      field('splunkPort', 'Port', { type: 'number', min: 1, max: 65535, value: sink.splunkPort || '8088', readonly: ro }),
      secret('splunkToken', 'HTTP Event Collector token'),
    ];
    default: return [secret('sumoSourceAddress', 'HTTP source address', 'The URL of the HTTP source (it carries its token).')];
  }
}

/** The sink from the form: only fields with a value (secrets when typed). */
function sinkOf(type, e) {
  const names = {
    http: ['httpEndpoint', 'httpContentFormat', 'httpContentType', 'httpAuthorization'],
    datadog: ['datadogRegion', 'datadogApiKey'],
    splunk: ['splunkDomain', 'splunkPort', 'splunkToken'],
    sumo: ['sumoSourceAddress'],
  }[type];
  const sink = {};
  for (const n of names) {
    const v = e[n].value.trim();
    if (v) sink[n] = v;
  }
  return sink;
}

function filterBoxes(filters, ro) {
  const on = new Set((filters || []).map((f) => f.name));
  return h('fieldset', {}, h('legend', {}, 'Filter by event category (none: every event)'),
    CATEGORIES.map(([name, label]) => h('label', { class: 'choice' },
      h('input', { type: 'checkbox', name: 'category', value: name, checked: on.has(name), disabled: ro }),
      h('span', {}, label))));
}

const chosen = (f) => [...f.querySelectorAll('input[name=category]:checked')].map((c) => ({ type: 'category', name: c.value }));

export async function create() {
  let type = 'http';
  const sinkBox = h('div', {}, sinkFields(type, {}, false, false));
  const form = h('form', { novalidate: true, onsubmit: submitting(async (f) => {
    const e = f.elements;
    const s = await api('POST', 'log-streams', {
      name: e.name.value.trim() || undefined, type, filters: chosen(f), sink: sinkOf(type, e),
    });
    location.hash = `#/log-streams/${enc(s.id)}`;
  }) },
  field('name', 'Name', { autocomplete: 'off' }),
  h('label', { for: 'type' }, 'Type'),
  h('select', {
    id: 'type', name: 'type', onchange: (ev) => { type = ev.target.value; sinkBox.replaceChildren(...sinkFields(type, {}, false, false).flat(Infinity).filter(Boolean)); },
  }, TYPES.map(([v, l]) => h('option', { value: v }, l))),
  sinkBox,
  filterBoxes([], false),
  h('button', { type: 'submit' }, 'Create stream'));
  show('New Log Stream', h('p', {}, h('a', { href: '#/log-streams' }, '← Log Streams')), form);
}

export async function details(id) {
  const s = await api('GET', `log-streams/${enc(id)}`);
  const ro = !can('update:log_streams');
  const form = h('form', { novalidate: true, onsubmit: submitting(async (f) => {
    const e = f.elements;
    await api('PATCH', `log-streams/${enc(id)}`, {
      name: e.name.value.trim(), status: e.status.value, filters: chosen(f), sink: sinkOf(s.type, e),
    });
    await details(id);
    document.getElementById('saved').textContent = 'Saved.';
  }) },
  field('name', 'Name', { value: s.name, readonly: ro, autocomplete: 'off' }),
  h('label', { for: 'status' }, 'Status'),
  h('select', { id: 'status', name: 'status', disabled: ro, 'aria-describedby': 'status-hint' },
    h('option', { value: 'active', selected: s.status !== 'paused' }, s.status === 'suspended' ? 'Suspended — restart now' : 'Active'),
    h('option', { value: 'paused', selected: s.status === 'paused' }, 'Paused')),
  h('p', { class: 'hint', id: 'status-hint' }, s.status === 'suspended'
    ? 'Deliveries failed repeatedly; they are retried every minute. Saving tries again at once.'
    : 'Paused streams keep their place: resumed, they deliver what happened meanwhile.'),
  sinkFields(s.type, s.sink || {}, true, ro),
  filterBoxes(s.filters, ro),
  ro ? readOnlyNote('update:log_streams') : h('button', { type: 'submit' }, 'Save'),
  h('p', { class: 'status', role: 'status', id: 'saved' }));
  show(s.name,
    h('p', {}, h('a', { href: '#/log-streams' }, '← Log Streams')),
    form,
    can('delete:log_streams')
      ? destructive('Delete stream', `Delete the stream ${s.name}? Events stop being delivered to it.`, async () => {
        await api('DELETE', `log-streams/${enc(id)}`);
        location.hash = '#/log-streams';
      })
      : null);
}
