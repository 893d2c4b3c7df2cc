// Actions > Library and Flows, Auth0 Rules, and Signing keys. The code editor
// is a textarea with line numbers beside it (no library): tab indents, the
// gutter follows the scroll; JavaScript is checked by the server when saved.

import {
  invalid, api, can, destructive, enc, field, h, readOnlyNote, show, status, submitting, table, when,
} from './lib.js';

const TRIGGERS = [['post-login', 'Login'], ['credentials-exchange', 'Machine to Machine']];

const STARTER = `/**
 * @param {Event} event - Details about the user and the context in which they are logging in.
 * @param {PostLoginAPI} api - Interface whose methods can be used to change the behavior of the login.
 */
exports.onExecutePostLogin = async (event, api) => {
};
`;

// JavaScript's tokens worth colouring: comments, strings, keywords, numbers.
const TOKENS = /(\/\/[^\n]*|\/\*[\s\S]*?\*\/)|('(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`)|\b(const|let|var|function|return|if|else|for|while|async|await|new|try|catch|throw|exports|require|true|false|null|undefined|typeof|of|in|this)\b|\b(\d+(?:\.\d+)?)\b/g;
const KINDS = [null, 'tok-comment', 'tok-string', 'tok-keyword', 'tok-number'];

/** `code` as text nodes and coloured spans (never markup). */
function highlighted(code) {
  const out = [];
  let at = 0;
  for (const m of code.matchAll(TOKENS)) {
    if (m.index > at) out.push(document.createTextNode(code.slice(at, m.index)));
    const kind = KINDS.findIndex((_, i) => i > 0 && m[i] !== undefined);
    out.push(h('span', { class: KINDS[kind] }, m[0]));
    at = m.index + m[0].length;
  }
  out.push(document.createTextNode(code.slice(at) + '\n'));
  return out;
}

/**
 * A code editor with JavaScript highlighting and line numbers: a textarea
 * whose text is transparent over a highlighted copy of itself, and a gutter;
 * Tab inserts two spaces (Escape, then Tab, leaves: no keyboard trap).
 */
export function codeEditor(name, label, value, readonly) {
  const area = h('textarea', {
    id: name, name, rows: 16, class: 'code', spellcheck: 'false', autocapitalize: 'off', readonly,
    'aria-describedby': `${name}-hint`,
  });
  area.value = value;
  const gutter = h('pre', { class: 'gutter', 'aria-hidden': 'true' });
  const colours = h('pre', { class: 'colours', 'aria-hidden': 'true' });
  const sync = () => {
    gutter.textContent = Array.from({ length: area.value.split('\n').length }, (_, i) => i + 1).join('\n');
    colours.replaceChildren(...highlighted(area.value));
    gutter.scrollTop = area.scrollTop;
    colours.scrollTop = area.scrollTop;
    colours.scrollLeft = area.scrollLeft;
  };
  area.addEventListener('input', sync);
  area.addEventListener('scroll', () => {
    gutter.scrollTop = area.scrollTop;
    colours.scrollTop = area.scrollTop;
    colours.scrollLeft = area.scrollLeft;
  });
  area.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') { area.dataset.escape = '1'; return; }
    if (ev.key === 'Tab' && !ev.shiftKey && !area.dataset.escape && !readonly) {
      ev.preventDefault();
      area.setRangeText('  ', area.selectionStart, area.selectionEnd, 'end');
      sync();
    }
    delete area.dataset.escape;
  });
  sync();
  return [h('label', { for: name }, label), h('div', { class: 'editor' }, gutter, h('div', { class: 'layers' }, colours, area)),
    h('p', { class: 'hint', id: `${name}-hint` }, 'JavaScript. Tab indents; press Escape, then Tab, to leave the editor.')];
}

export async function list() {
  const [{ actions }, ...bindings] = await Promise.all([
    api('GET', 'actions/actions?per_page=100'),
    ...TRIGGERS.map(([t]) => api('GET', `actions/triggers/${t}/bindings`)),
  ]);
  const create = can('create:actions') ? h('form', { class: 'inline', novalidate: true, onsubmit: submitting(async (f) => {
    const e = f.elements;
    const made = await api('POST', 'actions/actions', {
      name: e.name.value.trim(), code: STARTER,
      supported_triggers: [{ id: e.trigger.value, version: 'v3' }],
    });
    location.hash = `#/actions/${enc(made.id)}`;
  }) },
  field('name', 'New action name', { autocomplete: 'off', required: true }),
  h('label', { for: 'trigger' }, 'Trigger'),
  h('select', { id: 'trigger', name: 'trigger' }, TRIGGERS.map(([v, l]) => h('option', { value: v }, l))),
  h('button', { type: 'submit' }, 'Create action')) : readOnlyNote('create:actions');
  show('Actions', create,
    h('h2', {}, 'Library'),
    table([
      ['Name', (a) => h('a', { href: `#/actions/${enc(a.id)}` }, a.name)],
      ['Trigger', (a) => a.supported_triggers?.[0]?.id || '—'],
      ['Status', (a) => (a.deployed_version ? `Deployed (v${a.deployed_version.number ?? ''})` : 'Draft')],
      ['Updated', (a) => when(a.updated_at)],
    ], actions, 'No actions yet.'),
    h('h2', {}, 'Flows'),
    TRIGGERS.map(([t, label], i) => flow(t, label, bindings[i].bindings || [], actions)));
}

/**
 * A trigger's bound actions, in order; reordered by dragging a row onto
 * another, or with Move up / Move down (the keyboard's way, and the screen
 * reader's).
 */
function flow(trigger, label, bound, actions) {
  const editable = can('update:actions');
  const save = async (list) => {
    await api('PATCH', `actions/triggers/${trigger}/bindings`, {
      bindings: list.map((b) => ({ ref: { type: 'action_id', value: b.action.id }, display_name: b.display_name || b.action.name })),
    });
    await list_();
  };
  const list_ = () => list();
  let dragged = null;
  const deployed = actions.filter((a) => a.deployed_version && a.supported_triggers?.some((s) => s.id === trigger));
  const addable = deployed.filter((a) => !bound.some((b) => b.action.id === a.id));
  return h('section', { class: 'flow', 'aria-labelledby': `flow-${trigger}` },
    h('h3', { id: `flow-${trigger}` }, `${label} (${trigger})`),
    bound.length ? h('ol', {}, bound.map((b, i) => h('li', editable ? {
      draggable: 'true',
      ondragstart: (ev) => { dragged = i; ev.dataTransfer.effectAllowed = 'move'; ev.dataTransfer.setData('text/plain', String(i)); },
      ondragover: (ev) => { if (dragged !== null) { ev.preventDefault(); ev.currentTarget.classList.add('drop'); } },
      ondragleave: (ev) => ev.currentTarget.classList.remove('drop'),
      ondragend: () => { dragged = null; },
      ondrop: (ev) => {
        ev.preventDefault();
        const from = dragged;
        dragged = null;
        if (from === null || from === i) return;
        const l = [...bound];
        const [moved] = l.splice(from, 1);
        l.splice(i, 0, moved);
        save(l);
      },
    } : {},
      editable ? h('span', { class: 'grip', 'aria-hidden': 'true', title: 'Drag to reorder' }, '⠿') : null,
      h('span', {}, b.display_name || b.action.name),
      editable ? [
        h('button', { type: 'button', class: 'link', disabled: i === 0, 'aria-label': `Move up: ${b.display_name}`, onclick: () => { const l = [...bound]; [l[i - 1], l[i]] = [l[i], l[i - 1]]; save(l); } }, 'Move up'),
        h('button', { type: 'button', class: 'link', disabled: i === bound.length - 1, 'aria-label': `Move down: ${b.display_name}`, onclick: () => { const l = [...bound]; [l[i + 1], l[i]] = [l[i], l[i + 1]]; save(l); } }, 'Move down'),
        h('button', { type: 'button', class: 'link', 'aria-label': `Remove ${b.display_name} from the flow`, onclick: () => save(bound.filter((_, j) => j !== i)) }, 'Remove'),
      ] : null))) : h('p', {}, 'No action runs at this trigger.'),
    editable && addable.length ? h('form', { class: 'inline', onsubmit: submitting(async (f) => {
      const a = addable.find((x) => x.id === f.elements[`add-${trigger}`].value);
      await save([...bound, { action: a, display_name: a.name }]);
    }) },
    h('label', { for: `add-${trigger}` }, 'Add a deployed action'),
    h('select', { id: `add-${trigger}`, name: `add-${trigger}` }, addable.map((a) => h('option', { value: a.id }, a.name))),
    h('button', { type: 'submit', id: `add-to-${trigger}` }, 'Add to flow')) : null);
}

export async function edit(id) {
  const a = await api('GET', `actions/actions/${enc(id)}`);
  const editable = can('update:actions');
  const secrets = (a.secrets || []).map((s) => s.name);
  const form = h('form', { novalidate: true, onsubmit: submitting(async (f) => {
    const e = f.elements;
    const body = { code: e.code.value };
    const newSecret = e.secret_name.value.trim();
    if (newSecret) body.secrets = [...secrets.map((name) => ({ name })), { name: newSecret, value: e.secret_value.value }];
    await api('PATCH', `actions/actions/${enc(id)}`, body);
    if (f.dataset.deploy) {
      await api('POST', `actions/actions/${enc(id)}/deploy`);
      delete f.dataset.deploy;
    }
    edit(id);
  }) },
  codeEditor('code', 'Code', a.code || '', !editable),
  h('fieldset', {}, h('legend', {}, 'Secrets'),
    secrets.length ? h('ul', {}, secrets.map((s) => h('li', {}, h('code', {}, s), ' (value hidden)'))) : h('p', {}, 'No secrets.'),
    editable ? [field('secret_name', 'New secret name', { autocomplete: 'off' }), field('secret_value', 'Value', { type: 'password', autocomplete: 'off' })] : null),
  editable ? h('div', { class: 'row' },
    h('button', { type: 'submit', id: 'save-draft' }, 'Save draft'),
    h('button', { type: 'submit', id: 'deploy', onclick: (ev) => { ev.target.form.dataset.deploy = '1'; } }, 'Save and deploy')) : readOnlyNote('update:actions'));
  const event = {
    user: { user_id: 'auth0|test', email: 'test@example.com', app_metadata: {}, user_metadata: {} },
    client: { client_id: 'test-client', name: 'Test application' },
    request: { ip: '127.0.0.1' },
    transaction: { requested_scopes: ['openid'] },
  };
  const output = h('pre', { tabindex: 0, class: 'output', 'aria-live': 'polite' });
  const test = h('form', { novalidate: true, onsubmit: submitting(async (f) => {
    let payload;
    try { payload = JSON.parse(f.elements.payload.value); } catch (err) {
      throw invalid('payload', `Not valid JSON: ${err.message}`);
    }
    // The test runs the draft, so the editor's code is saved as the draft first.
    if (editable) await api('PATCH', `actions/actions/${enc(id)}`, { code: document.getElementById('code').value });
    const r = await api('POST', `actions/actions/${enc(id)}/test`, { payload });
    output.textContent = JSON.stringify(r.payload, null, 2);
  }) },
  field('payload', 'Event', { rows: 8, class: 'code', spellcheck: 'false', value: JSON.stringify(event, null, 2) }, 'The event the action is run with; edit it freely.'),
  h('button', { type: 'submit', id: 'run-test' }, editable ? 'Save draft and run test' : 'Run test'), h('h3', {}, 'Result'), output);
  const versions = a.deployed_version ? h('p', {}, `Deployed version ${a.deployed_version.number ?? ''}, ${when(a.deployed_version.deployed_at || a.deployed_version.created_at)}.`) : h('p', {}, 'Not deployed yet.');
  const history = await api('GET', `actions/actions/${enc(id)}/versions`).catch(() => ({ versions: [] }));
  const versionList = h('section', { 'aria-labelledby': 'versions' }, h('h2', { id: 'versions' }, 'Versions'),
    table([
      ['Version', (v) => `v${v.number}${v.deployed ? ' (deployed)' : ''}`],
      ['Deployed', (v) => when(v.created_at)],
      ['Code', (v) => h('details', {}, h('summary', {}, `Code of v${v.number}`), h('pre', { tabindex: 0 }, v.code))],
    ], history.versions || [], 'No version deployed yet.'));
  show(a.name, versions, form, h('h2', {}, 'Test'), test, versionList,
    can('delete:actions') ? h('section', { class: 'danger', 'aria-labelledby': 'danger' }, h('h2', { id: 'danger' }, 'Danger zone'),
      destructive('Delete action', `Delete ${a.name}? It stops running at its trigger.`, async () => {
        await api('DELETE', `actions/actions/${enc(id)}`);
        location.hash = '#/actions';
      })) : null);
}

const RULE_STARTER = `function (user, context, callback) {
  // Change the user or the context here, then:
  callback(null, user, context);
}
`;

export async function rules() {
  const list = await api('GET', 'rules');
  const editable = can('update:rules');
  const create = can('create:rules') ? h('form', { class: 'inline', novalidate: true, onsubmit: submitting(async (f) => {
    const made = await api('POST', 'rules', { name: f.elements.name.value.trim(), script: RULE_STARTER, enabled: false });
    location.hash = `#/rules/${enc(made.id)}`;
  }) }, field('name', 'New rule name', { autocomplete: 'off', required: true }),
  h('button', { type: 'submit' }, 'Create rule')) : readOnlyNote('create:rules');
  show('Rules', h('p', { class: 'hint' }, 'Auth0 Rules run in order at every login, before the Login flow\'s Actions.'), create,
    table([
      ['Order', (r) => r.order],
      ['Name', (r) => h('a', { href: `#/rules/${enc(r.id)}` }, r.name)],
      ['Enabled', (r) => h('input', {
        type: 'checkbox', checked: r.enabled, disabled: !editable, 'aria-label': `Enabled: ${r.name}`, onchange: async (ev) => {
          try { await api('PATCH', `rules/${enc(r.id)}`, { enabled: ev.target.checked }); } catch (e) { ev.target.checked = !ev.target.checked; ev.target.after(h('span', { class: 'error', role: 'alert' }, e.message)); }
        },
      })],
    ], list, 'No rules.'));
}

export async function rule(id) {
  const r = await api('GET', `rules/${enc(id)}`);
  const editable = can('update:rules');
  show(r.name, h('form', { novalidate: true, onsubmit: submitting(async (f) => {
    const e = f.elements;
    await api('PATCH', `rules/${enc(id)}`, {
      name: e.name.value.trim(), script: e.script.value, order: Number(e.order.value), enabled: e.enabled.checked,
    });
    f.querySelector('[role=status]').textContent = 'Saved.';
  }) },
  field('name', 'Name', { value: r.name, readonly: !editable }),
  field('order', 'Order', { type: 'number', min: 0, value: r.order, readonly: !editable }, 'Rules run from the lowest order up.'),
  h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'enabled', checked: r.enabled, disabled: !editable }), h('span', {}, 'Enabled')),
  codeEditor('script', 'Script', r.script || '', !editable),
  editable ? h('button', { type: 'submit' }, 'Save') : readOnlyNote('update:rules'),
  h('p', { class: 'status', role: 'status' })),
  can('delete:rules') ? h('section', { class: 'danger', 'aria-labelledby': 'danger' }, h('h2', { id: 'danger' }, 'Danger zone'),
    destructive('Delete rule', `Delete the rule ${r.name}? It stops running at the next login.`, async () => {
      await api('DELETE', `rules/${enc(id)}`);
      location.hash = '#/rules';
    })) : null);
}

export async function keys() {
  const list = await api('GET', 'keys/signing');
  const state = (k) => (k.current ? 'Current' : k.next ? 'Next' : k.previous ? 'Previous' : k.revoked ? 'Revoked' : '—');
  show('Signing keys',
    h('p', {}, 'The current key signs every token. The next key is already published, so applications know it before it signs; the previous one stays published so tokens it signed keep verifying until they expire.'),
    can('create:signing_keys') ? destructive('Rotate signing key',
      'Rotate the signing key? The next key starts signing now and the current one becomes the previous: tokens already issued keep working. Applications that pinned the current key (instead of reading the JWKS) stop verifying new tokens.',
      async () => { await api('POST', 'keys/signing/rotate'); keys(); }) : readOnlyNote('create:signing_keys'),
    table([
      ['Key ID', (k) => h('code', {}, k.kid)],
      ['Algorithm', (k) => k.alg],
      ['State', state],
      ['Current since', (k) => (k.current_since ? when(k.current_since) : '—')],
      ['', (k) => (k.previous && can('update:signing_keys') ? destructive('Revoke', `Revoke key ${k.kid}? Every token it signed stops verifying at once: users of apps holding such tokens must sign in again.`, async () => {
        await api('PUT', `keys/signing/${enc(k.kid)}/revoke`);
        keys();
      }) : '')],
    ], list, 'No keys.'),
    status(''));
}
