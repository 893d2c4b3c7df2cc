// Auth0's Node SDK (`auth0`, unchanged) against Portcullis: roles, their
// permissions and users (with the SDK's own paging, offset and checkpoint),
// a user's roles and direct permissions, password-change tickets, log streams. Prints one
// JSON object of what it saw; the Rust test (tests/http/auth0_sdk.rs) judges.
//
// Environment: DOMAIN (host:port), CLIENT_ID, CLIENT_SECRET, and
// NODE_EXTRA_CA_CERTS for the test server's self-signed certificate.

import { ManagementClient } from 'auth0';

const { DOMAIN, CLIENT_ID, CLIENT_SECRET } = process.env;
const m = new ManagementClient({ domain: DOMAIN, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
const API = 'https://sdk.example/';
const out = {};

/** Every item of an SDK page, following its pages. */
async function all(pagePromise) {
  const items = [];
  for await (const item of await pagePromise) items.push(item);
  return items;
}

const api = await m.resourceServers.create({
  identifier: API,
  name: 'SDK API',
  scopes: [{ value: 'read:x', description: 'Read x' }, { value: 'write:x', description: 'Write x' }],
  enforce_policies: true,
  token_dialect: 'access_token_authz',
});
out.api = { enforce_policies: api.enforce_policies, token_dialect: api.token_dialect };

const role = await m.roles.create({ name: 'SDK Reader', description: 'made by the SDK' });
await m.roles.create({ name: 'SDK Writer' });
out.role_id = role.id;
out.roles_paged = (await all(m.roles.list({ per_page: 1 }))).map((r) => r.name).sort();
out.roles_filtered = (await all(m.roles.list({ name_filter: 'reader' }))).map((r) => r.name);
const updated = await m.roles.update(role.id, { description: 'changed by the SDK' });
out.updated_description = updated.description;

await m.roles.permissions.add(role.id, {
  permissions: [{ resource_server_identifier: API, permission_name: 'read:x' }],
});
out.role_permissions = (await all(m.roles.permissions.list(role.id))).map((p) => `${p.resource_server_identifier} ${p.permission_name} ${p.description}`);

const users = [];
for (const i of [1, 2, 3]) {
  users.push(await m.users.create({
    connection: 'Username-Password-Authentication',
    email: `sdk${i}@example.com`,
    password: 'Sdk-passw0rd!',
  }));
}
await m.roles.users.assign(role.id, { users: users.map((u) => u.user_id) });
// User search as the SDK sends it: v3 `q`, `sort`, `fields`, paging.
out.user_search = (await all(m.users.list({
  q: 'email:sdk* AND NOT email:"sdk2@example.com"', search_engine: 'v3', sort: 'email:-1', fields: 'email', include_fields: true, per_page: 1,
}))).map((u) => Object.keys(u).join(',') + ' ' + u.email);
out.role_users_checkpoint = (await all(m.roles.users.list(role.id, { take: 2 }))).map((u) => u.email).sort();

const first = users[0].user_id;
out.user_roles = (await all(m.users.roles.list(first))).map((r) => r.name);
await m.users.permissions.create(first, {
  permissions: [{ resource_server_identifier: API, permission_name: 'write:x' }],
});
out.user_permissions = (await all(m.users.permissions.list(first))).map((p) => p.permission_name).sort();
await m.users.permissions.delete(first, {
  permissions: [{ resource_server_identifier: API, permission_name: 'write:x' }],
});
await m.users.roles.delete(first, { roles: [role.id] });
out.user_roles_after = (await all(m.users.roles.list(first))).length;

const ticket = await m.tickets.changePassword({ user_id: first, ttl_sec: 3600 });
out.ticket = ticket.ticket;

try {
  await m.roles.get('rol_doesnotexist0000');
  out.missing_role = 'found?';
} catch (e) {
  out.missing_role = e.statusCode;
}
await m.roles.delete(role.id);
out.roles_left = (await all(m.roles.list())).map((r) => r.name);

const stream = await m.logStreams.create({
  name: 'SDK stream',
  type: 'http',
  filters: [{ type: 'category', name: 'auth.login.fail' }],
  sink: { httpEndpoint: 'https://siem.example/in', httpContentFormat: 'JSONARRAY', httpAuthorization: 'Bearer sdk-s3cret' },
});
const paused = await m.logStreams.update(stream.id, { status: 'paused', name: 'SDK stream (paused)' });
const streams = await m.logStreams.list();
out.log_streams = streams.map((s) => `${s.name} ${s.type} ${s.status} ${s.sink.httpEndpoint} ${JSON.stringify(s.filters)}`);
out.log_stream_paused = paused.status;
out.log_stream_secret_answered = JSON.stringify([stream, paused, streams]).includes('sdk-s3cret');
await m.logStreams.delete(stream.id);
try {
  await m.logStreams.get(stream.id);
  out.deleted_stream = 'found?';
} catch (e) {
  out.deleted_stream = e.statusCode;
}

console.log(JSON.stringify(out));
