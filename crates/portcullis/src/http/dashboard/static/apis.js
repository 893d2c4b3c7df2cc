// Applications > APIs: list, create, settings (Allow Offline Access among
// them), the Permissions editor, and the Machine to Machine Applications tab
// (client grants: which applications may get a token for the API, with which
// scopes).

import {
  invalid, all, api, can, destructive, enc, field, h, readOnlyNote, show, submitting, table,
} from './lib.js';

export async function list() {
  const apis = await all('resource-servers', 'resource_servers');
  show('APIs',
    can('create:resource_servers') ? h('p', {}, h('a', { class: 'button', href: '#/apis/new' }, 'Create API')) : readOnlyNote('create:resource_servers'),
    table([
      ['Name', (a) => h('a', { href: `#/apis/${enc(a.id)}` }, a.name)],
      ['Identifier (audience)', (a) => h('code', {}, a.identifier)],
      ['Kind', (a) => (a.is_system ? 'System' : 'Custom')],
    ], apis, 'No APIs yet.'));
}

export function create() {
  show('Create API', h('form', { novalidate: true, onsubmit: submitting(async (f) => {
    const e = f.elements;
    const made = await api('POST', 'resource-servers', {
      name: e.name.value.trim(), identifier: e.identifier.value.trim(), signing_alg: e.signing_alg.value,
    });
    location.hash = `#/apis/${enc(made.id)}`;
  }) },
  field('name', 'Name', { required: true, autocomplete: 'off' }),
  field('identifier', 'Identifier', { required: true, autocomplete: 'off', placeholder: 'https://api.example.com/' },
    'The audience applications ask tokens for. It cannot be changed later.'),
  h('label', { for: 'signing_alg' }, 'Signing algorithm'),
  h('select', { id: 'signing_alg', name: 'signing_alg' }, ['RS256', 'PS256', 'ES256', 'EdDSA'].map((a) => h('option', { value: a }, a))),
  h('button', { type: 'submit' }, 'Create')));
}

export async function settings(id, tab = 'settings') {
  const a = await api('GET', `resource-servers/${enc(id)}`);
  const tabs = [['settings', 'Settings'], ['permissions', 'Permissions'], ['m2m', 'Machine to Machine Applications']];
  const nav = h('nav', { class: 'tabs', 'aria-label': 'API sections' },
    tabs.map(([t, label]) => h('a', { href: `#/apis/${enc(id)}/${t}`, 'aria-current': t === tab ? 'page' : false }, label)));
  const body = tab === 'permissions' ? permissions(a) : tab === 'm2m' ? await machineApps(a) : settingsForm(a);
  show(a.name, nav, body);
}

/** Auth0's token_dialect from the profile and the permissions checkbox. */
function dialect(profile, withPermissions) {
  return withPermissions ? `${profile}_authz` : profile;
}

function settingsForm(a) {
  const ro = !can('update:resource_servers') || a.is_system;
  const form = h('form', { novalidate: true, onsubmit: submitting(async (f) => {
    const e = f.elements;
    await api('PATCH', `resource-servers/${enc(a.id)}`, {
      name: e.name.value.trim(),
      token_lifetime: Number(e.token_lifetime.value),
      token_lifetime_for_web: Number(e.token_lifetime_for_web.value),
      signing_alg: e.signing_alg.value,
      allow_offline_access: e.allow_offline_access.checked,
      skip_consent_for_verifiable_first_party_clients: e.skip_consent.checked,
      enforce_policies: e.enforce_policies.checked,
      token_dialect: dialect(e.token_profile.value, e.enforce_policies.checked && e.add_permissions.checked),
    });
    document.getElementById('saved').textContent = 'Saved.';
  }) },
  a.is_system ? h('p', { class: 'note', role: 'note' }, 'The Management API is the system API: it is not edited here.') : null,
  field('name', 'Name', { value: a.name, readonly: ro }),
  field('identifier', 'Identifier', { value: a.identifier, readonly: true }),
  field('token_lifetime', 'Token expiration (seconds)', { type: 'number', min: 1, value: a.token_lifetime, readonly: ro }),
  field('token_lifetime_for_web', 'Token expiration for browser flows (seconds)', { type: 'number', min: 1, value: a.token_lifetime_for_web, readonly: ro }),
  h('label', { for: 'signing_alg' }, 'Signing algorithm'),
  h('select', { id: 'signing_alg', name: 'signing_alg', disabled: ro },
    ['RS256', 'PS256', 'ES256', 'EdDSA'].map((x) => h('option', { value: x, selected: a.signing_alg === x }, x))),
  h('fieldset', {}, h('legend', {}, 'Access settings'),
    h('label', { class: 'choice' },
      h('input', { type: 'checkbox', name: 'allow_offline_access', id: 'allow_offline_access', checked: a.allow_offline_access, disabled: ro }),
      h('span', {}, h('strong', {}, 'Allow Offline Access'), h('span', { class: 'hint' }, 'Applications may get refresh tokens for this API (scope offline_access).'))),
    h('label', { class: 'choice' },
      h('input', { type: 'checkbox', name: 'skip_consent', checked: a.skip_consent_for_verifiable_first_party_clients, disabled: ro }),
      h('span', {}, 'Skip consent for first-party applications'))),
  h('fieldset', {}, h('legend', {}, 'RBAC Settings'),
    h('label', { class: 'choice' },
      h('input', { type: 'checkbox', name: 'enforce_policies', id: 'enforce_policies', checked: a.enforce_policies, disabled: ro }),
      h('span', {}, h('strong', {}, 'Enable RBAC'), h('span', { class: 'hint' }, 'Users get only the permissions they hold through their roles or directly (User Management > Roles).'))),
    h('label', { class: 'choice' },
      h('input', { type: 'checkbox', name: 'add_permissions', id: 'add_permissions', checked: (a.token_dialect || '').endsWith('_authz'), disabled: ro }),
      h('span', {}, h('strong', {}, 'Add Permissions in the Access Token'), h('span', { class: 'hint' }, 'With RBAC on, access tokens carry a permissions claim listing every permission the user holds for this API.'))),
    h('label', { for: 'token_profile' }, 'Token profile'),
    h('select', { id: 'token_profile', name: 'token_profile', disabled: ro },
      [['access_token', 'Auth0'], ['rfc9068_profile', 'RFC 9068']].map(([v, l]) => h('option', { value: v, selected: (a.token_dialect || 'access_token').startsWith(v) }, l)))),
  ro ? readOnlyNote('update:resource_servers') : h('button', { type: 'submit' }, 'Save changes'),
  h('p', { class: 'status', role: 'status', id: 'saved' }));
  const danger = can('delete:resource_servers') && !a.is_system ? h('section', { class: 'danger', 'aria-labelledby': 'danger' },
    h('h2', { id: 'danger' }, 'Danger zone'),
    destructive('Delete API', `Delete ${a.name}? Applications can no longer get tokens for ${a.identifier}, and this cannot be undone.`, async () => {
      await api('DELETE', `resource-servers/${enc(a.id)}`);
      location.hash = '#/apis';
    })) : null;
  return h('div', {}, form, danger);
}

function permissions(a) {
  const ro = !can('update:resource_servers') || a.is_system;
  const scopes = [...(a.scopes || [])];
  const save = async () => {
    await api('PATCH', `resource-servers/${enc(a.id)}`, { scopes });
    settings(a.id, 'permissions');
  };
  const add = h('form', { novalidate: true, class: 'inline', onsubmit: submitting(async (f) => {
    const e = f.elements;
    const value = e.permission.value.trim();
    if (!value) throw invalid('permission', 'Name the permission, for example read:messages.');
    if (scopes.some((s) => s.value === value)) throw invalid('permission', `${value} is already a permission.`);
    scopes.push({ value, description: e.description.value.trim() });
    await save();
  }) },
  field('permission', 'Permission (scope)', { placeholder: 'read:messages', autocomplete: 'off' }),
  field('description', 'Description', { autocomplete: 'off' }),
  h('button', { type: 'submit' }, 'Add'));
  return h('div', {},
    ro ? readOnlyNote('update:resource_servers') : add,
    table([
      ['Permission', (s) => h('code', {}, s.value)],
      ['Description', (s) => s.description || '—'],
      ['', (s) => (ro ? '' : h('button', {
        type: 'button', class: 'link', 'aria-label': `Remove ${s.value}`, onclick: async () => {
          if (!confirm(`Remove the permission ${s.value}? Client grants that hold it lose it.`)) return;
          scopes.splice(scopes.indexOf(s), 1);
          await save();
        },
      }, 'Remove'))],
    ], scopes, 'No permissions yet.'));
}

async function machineApps(a) {
  const [apps, grants] = await Promise.all([
    all('clients', 'clients'),
    all(`client-grants?audience=${enc(a.identifier)}`, 'client_grants'),
  ]);
  const machines = apps.filter((c) => c.app_type === 'non_interactive');
  const ro = !can('create:client_grants');
  const rows = machines.map((c) => {
    const grant = grants.find((g) => g.client_id === c.client_id);
    const id = `authorize-${c.client_id}`;
    const toggle = h('input', {
      type: 'checkbox', id, checked: Boolean(grant), disabled: ro, onchange: async (ev) => {
        try {
          if (ev.target.checked) await api('POST', 'client-grants', { client_id: c.client_id, audience: a.identifier, scope: [] });
          else if (confirm(`Stop ${c.name} getting tokens for ${a.name}?`)) await api('DELETE', `client-grants/${enc(grant.id)}`);
          settings(a.id, 'm2m');
        } catch (e) {
          ev.target.closest('li').append(h('p', { class: 'error', role: 'alert' }, e.message));
        }
      },
    });
    const scopeBoxes = grant ? h('fieldset', {}, h('legend', {}, `Permissions for ${c.name}`),
      (a.scopes || []).length ? (a.scopes || []).map((s) => h('label', { class: 'choice' },
        h('input', {
          type: 'checkbox', checked: grant.scope.includes(s.value), disabled: !can('update:client_grants'), onchange: async (ev) => {
            const scope = ev.target.checked ? [...grant.scope, s.value] : grant.scope.filter((x) => x !== s.value);
            await api('PATCH', `client-grants/${enc(grant.id)}`, { scope });
            grant.scope = scope;
          },
        }), h('span', {}, h('code', {}, s.value), s.description ? ` ${s.description}` : ''))) : h('p', {}, 'This API has no permissions yet.')) : null;
    return h('li', {}, h('label', { class: 'choice', for: id }, toggle, h('span', {}, h('strong', {}, c.name), ' ', h('code', {}, c.client_id))), scopeBoxes);
  });
  return h('div', {},
    h('p', {}, 'Machine-to-machine applications authorised here get tokens for this API with the client credentials grant, with the permissions ticked.'),
    ro ? readOnlyNote('create:client_grants') : null,
    machines.length ? h('ul', { class: 'plain' }, rows) : h('p', {}, 'No machine-to-machine applications yet. ', h('a', { href: '#/applications/new' }, 'Create one')));
}
