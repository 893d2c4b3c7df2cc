// User Management > Roles (Auth0's RBAC): list with search, create, and a
// role's Settings, Permissions (picked from an API's permissions) and Users
// (added by e-mail address, listed with checkpoint paging); plus the Roles and
// Permissions sections of a user's page. Every change is a Management API call.

import {
  all, api, can, destructive, enc, field, h, hashParams, invalid, pager, readOnlyNote, show, submitting, table,
} from './lib.js';

const PER_PAGE = 50;

export async function list() {
  const params = hashParams();
  const name = params.get('name') || '';
  const page = Number(params.get('page') || 0);
  const res = await api('GET', `roles?include_totals=true&page=${page}&per_page=${PER_PAGE}${name ? `&name_filter=${enc(name)}` : ''}`);
  const search = h('form', { role: 'search', class: 'inline', onsubmit: (ev) => {
    ev.preventDefault();
    const v = ev.currentTarget.elements.name.value.trim();
    location.hash = v ? `#/roles?name=${enc(v)}` : '#/roles';
  } }, field('name', 'Search by name', { type: 'search', value: name, autocomplete: 'off' }),
  h('button', { type: 'submit' }, 'Search'));
  const create = can('create:roles') ? h('form', { novalidate: true, class: 'inline', onsubmit: submitting(async (f) => {
    const e = f.elements;
    if (!e.role_name.value.trim()) throw invalid('role_name', 'Name the role, for example Support Agent.');
    const made = await api('POST', 'roles', { name: e.role_name.value.trim(), description: e.role_description.value.trim() });
    location.hash = `#/roles/${enc(made.id)}`;
  }) },
  field('role_name', 'New role name', { autocomplete: 'off' }),
  field('role_description', 'Description', { autocomplete: 'off' }),
  h('button', { type: 'submit', id: 'create-role' }, 'Create role')) : readOnlyNote('create:roles');
  show('Roles',
    h('p', {}, 'A role is a set of permissions of your APIs. Users holding it get those permissions in their access tokens for every API that enables RBAC.'),
    create,
    search,
    table([
      ['Name', (r) => h('a', { href: `#/roles/${enc(r.id)}` }, r.name)],
      ['Description', (r) => r.description || '—'],
      ['ID', (r) => h('code', {}, r.id)],
    ], res.roles || [], name ? 'No role matches.' : 'No roles yet.'),
    pager('#/roles', name ? { name } : {}, page, PER_PAGE, res.total, (res.roles || []).length));
}

/** `[{identifier, name, scopes}]`: the APIs whose permissions can be assigned. */
async function apisWithPermissions() {
  const apis = await all('resource-servers', 'resource_servers');
  // Not the Management API: a user's token for it carries only the current_user scopes.
  return apis.filter((a) => !a.is_system && (a.scopes || []).length);
}

/** A form picking one API and some of its permissions; `onAdd(list)` saves. */
function permissionPicker(apis, prefix, onAdd) {
  if (!apis.length) return h('p', { class: 'hint' }, 'No API defines permissions yet (APIs > an API > Permissions).');
  const boxes = h('fieldset', { class: 'picks' }, h('legend', {}, 'Permissions'));
  const fill = (identifier) => {
    const a = apis.find((x) => x.identifier === identifier);
    boxes.replaceChildren(h('legend', {}, `Permissions of ${a.name}`),
      ...a.scopes.map((s, i) => h('label', { class: 'choice', for: `${prefix}-p${i}` },
        h('input', { type: 'checkbox', id: `${prefix}-p${i}`, name: 'permission', value: s.value }),
        h('span', {}, h('code', {}, s.value), s.description ? ` ${s.description}` : ''))));
  };
  const select = h('select', { id: `${prefix}-api`, name: 'api', onchange: (ev) => fill(ev.target.value) },
    apis.map((a) => h('option', { value: a.identifier }, a.name)));
  fill(apis[0].identifier);
  return h('form', { novalidate: true, onsubmit: submitting(async (f) => {
    const chosen = [...f.querySelectorAll('input[name=permission]:checked')].map((i) => i.value);
    if (!chosen.length) throw invalid(`${prefix}-api`, 'Tick at least one permission.');
    await onAdd(chosen.map((p) => ({ resource_server_identifier: select.value, permission_name: p })));
  }) },
  h('label', { for: `${prefix}-api` }, 'API'), select, boxes,
  h('button', { type: 'submit', id: `${prefix}-add` }, 'Add permissions'));
}

export async function details(id, tab = 'settings') {
  const r = await api('GET', `roles/${enc(id)}`);
  const tabs = [['settings', 'Settings'], ['permissions', 'Permissions'], ['users', 'Users']];
  const nav = h('nav', { class: 'tabs', 'aria-label': 'Role sections' },
    tabs.map(([t, label]) => h('a', { href: `#/roles/${enc(id)}/${t}`, 'aria-current': t === tab ? 'page' : false }, label)));
  const body = tab === 'permissions' ? await rolePermissions(r) : tab === 'users' ? await roleUsers(r) : roleSettings(r);
  show(r.name, nav, body);
}

function roleSettings(r) {
  const ro = !can('update:roles');
  const form = h('form', { novalidate: true, onsubmit: submitting(async (f) => {
    const e = f.elements;
    await api('PATCH', `roles/${enc(r.id)}`, { name: e.name.value.trim(), description: e.description.value.trim() });
    document.getElementById('saved').textContent = 'Saved.';
  }) },
  field('role_id', 'Role ID', { value: r.id, readonly: true }),
  field('name', 'Name', { value: r.name, readonly: ro }),
  field('description', 'Description', { value: r.description, readonly: ro }),
  ro ? readOnlyNote('update:roles') : h('button', { type: 'submit' }, 'Save changes'),
  h('p', { class: 'status', role: 'status', id: 'saved' }));
  const danger = can('delete:roles') ? h('section', { class: 'danger', 'aria-labelledby': 'danger' },
    h('h2', { id: 'danger' }, 'Danger zone'),
    destructive('Delete role', `Delete the role ${r.name}? Every user holding it loses its permissions at their next token, and this cannot be undone.`, async () => {
      await api('DELETE', `roles/${enc(r.id)}`);
      location.hash = '#/roles';
    })) : null;
  return h('div', {}, form, danger);
}

async function rolePermissions(r) {
  const [perms, apis] = await Promise.all([all(`roles/${enc(r.id)}/permissions`, 'permissions'), apisWithPermissions()]);
  const ro = !can('update:roles');
  const reload = () => details(r.id, 'permissions');
  return h('div', {},
    ro ? readOnlyNote('update:roles') : permissionPicker(apis, 'role', async (list) => {
      await api('POST', `roles/${enc(r.id)}/permissions`, { permissions: list });
      reload();
    }),
    table([
      ['Permission', (p) => h('code', {}, p.permission_name)],
      ['Description', (p) => p.description || '—'],
      ['API', (p) => p.resource_server_name],
      ['', (p) => (ro ? '' : destructive('Remove', `Remove ${p.permission_name} from ${r.name}?`, async () => {
        await api('DELETE', `roles/${enc(r.id)}/permissions`, { permissions: [{ resource_server_identifier: p.resource_server_identifier, permission_name: p.permission_name }] });
        reload();
      }))],
    ], perms, 'This role holds no permissions yet.'));
}

async function roleUsers(r) {
  const ro = !can('create:role_members');
  const rows = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more');
  const row = (u) => h('tr', {}, h('td', {}, h('a', { href: `#/users/${enc(u.user_id)}` }, u.email)), h('td', {}, u.name || '—'));
  // Checkpoint paging: `next` until the last page.
  let next = null;
  const load = async () => {
    const res = await api('GET', `roles/${enc(r.id)}/users?take=${PER_PAGE}${next ? `&from=${enc(next)}` : ''}`);
    rows.append(...res.users.map(row));
    next = res.next || null;
    more.hidden = !next;
    if (!rows.children.length) rows.append(h('tr', {}, h('td', { colspan: 2 }, 'No user holds this role yet.')));
  };
  more.addEventListener('click', load);
  await load();
  const add = ro ? readOnlyNote('create:role_members') : h('form', { novalidate: true, class: 'inline', onsubmit: submitting(async (f) => {
    const email = f.elements.member_email.value.trim();
    if (!email) throw invalid('member_email', 'Enter the user\'s e-mail address.');
    const found = await api('GET', `users-by-email?email=${enc(email)}`);
    if (!found.length) throw invalid('member_email', `No user has the address ${email}.`);
    await api('POST', `roles/${enc(r.id)}/users`, { users: found.map((u) => u.user_id) });
    details(r.id, 'users');
  }) },
  field('member_email', 'Add a user by e-mail address', { type: 'email', autocomplete: 'off' }),
  h('button', { type: 'submit', id: 'add-member' }, 'Assign role'));
  return h('div', {}, add,
    h('table', {}, h('thead', {}, h('tr', {}, ['User', 'Name'].map((t) => h('th', { scope: 'col' }, t)))), rows),
    more);
}

/** The Roles and Permissions sections of a user's page. */
export async function ofUser(u, reload) {
  const id = u.user_id;
  const [roles, perms] = await Promise.all([
    can('read:roles') ? all(`users/${enc(id)}/roles`, 'roles').catch(() => []) : [],
    all(`users/${enc(id)}/permissions`, 'permissions').catch(() => []),
  ]);
  const canAssign = can('create:role_members');
  const available = canAssign && can('read:roles') ? (await all('roles', 'roles')).filter((r) => !roles.some((x) => x.id === r.id)) : [];
  const assign = canAssign && available.length ? h('form', { novalidate: true, class: 'inline', onsubmit: submitting(async (f) => {
    await api('POST', `users/${enc(id)}/roles`, { roles: [f.elements.assign_role.value] });
    reload();
  }) },
  h('label', { for: 'assign_role' }, 'Assign a role'),
  h('select', { id: 'assign_role', name: 'assign_role' }, available.map((r) => h('option', { value: r.id }, r.name))),
  h('button', { type: 'submit', id: 'assign-role' }, 'Assign')) : null;
  const source = (p) => p.sources.map((s) => (s.source_type === 'DIRECT' ? 'Direct' : `Role ${s.source_name}`)).join(', ');
  const direct = (p) => p.sources.some((s) => s.source_type === 'DIRECT');
  const canGrant = can('update:users');
  return [
    h('h2', {}, 'Roles'),
    assign,
    table([
      ['Role', (r) => h('a', { href: `#/roles/${enc(r.id)}` }, r.name)],
      ['Description', (r) => r.description || '—'],
      ['', (r) => (can('delete:role_members') ? destructive('Remove', `Take the role ${r.name} from ${u.email}?`, async () => {
        await api('DELETE', `users/${enc(id)}/roles`, { roles: [r.id] });
        reload();
      }) : '')],
    ], roles, 'No roles.'),
    h('h2', {}, 'Permissions'),
    canGrant ? h('details', {}, h('summary', {}, 'Give permissions directly'),
      permissionPicker(await apisWithPermissions(), 'user', async (list) => {
        await api('POST', `users/${enc(id)}/permissions`, { permissions: list });
        reload();
      })) : null,
    table([
      ['Permission', (p) => h('code', {}, p.permission_name)],
      ['API', (p) => p.resource_server_name],
      ['From', source],
      ['', (p) => (canGrant && direct(p) ? destructive('Remove', `Take the direct permission ${p.permission_name} from ${u.email}? Roles that hold it still give it.`, async () => {
        await api('DELETE', `users/${enc(id)}/permissions`, { permissions: [{ resource_server_identifier: p.resource_server_identifier, permission_name: p.permission_name }] });
        reload();
      }) : '')],
    ], perms, 'No permissions.'),
  ];
}
