// Auth0's Node SDK (`auth0`, unchanged): every list call this server answers,
// with the SDK's own default parameters (include_totals, checkpoint `take`,
// filters) and its page iteration. Prints one JSON object of counts; the Rust
// test (tests/http/auth0_sdk.rs) judges.

import { ManagementClient } from 'auth0';

const { DOMAIN, CLIENT_ID, CLIENT_SECRET } = process.env;
const m = new ManagementClient({ domain: DOMAIN, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
const out = {};

async function all(pagePromise) {
  const items = [];
  for await (const item of await pagePromise) items.push(item);
  return items;
}

async function attempt(name, f) {
  try {
    out[name] = await f();
  } catch (e) {
    out[name] = { error: `${e.statusCode ?? ''} ${e.message}`.trim() };
  }
}

const API = 'https://lists.example/';
await m.resourceServers.create({ identifier: API, name: 'Lists API', scopes: [{ value: 'read:l' }] });
const workers = [];
for (const i of [1, 2, 3]) {
  const c = await m.clients.create({ name: `Worker ${i}`, app_type: 'non_interactive' });
  workers.push(c.client_id);
  await m.clientGrants.create({ client_id: c.client_id, audience: API, scope: ['read:l'] });
}
await m.clients.create({ name: 'Browser app', app_type: 'spa', callbacks: ['https://app.example/cb'] });
await m.rules.create({ name: 'noop', script: 'function (user, context, callback) { callback(null, user, context); }' });
await m.users.create({ connection: 'Username-Password-Authentication', email: 'list@example.com', password: 'L1st-passw0rd!' });

await attempt('clients', async () => (await all(m.clients.list({ per_page: 2 }))).length);
await attempt('clients_spa', async () => (await all(m.clients.list({ app_type: 'spa', is_first_party: true, is_global: false }))).map((c) => c.name));
await attempt('client_grants', async () => (await all(m.clientGrants.list({ take: 2 }))).length);
await attempt('client_grants_of_api', async () => (await all(m.clientGrants.list({ audience: API }))).length);
await attempt('resource_servers', async () => (await all(m.resourceServers.list({ per_page: 1 }))).length);
await attempt('rules', async () => (await all(m.rules.list())).map((r) => r.name));
await attempt('rules_enabled', async () => (await all(m.rules.list({ enabled: true }))).length);
await attempt('users', async () => (await all(m.users.list({ per_page: 1 }))).map((u) => u.email));
await attempt('logs', async () => (await all(m.logs.list({ per_page: 100, search: 'type:sapi' }))).length > 0);
await attempt('actions', async () => (await all(m.actions.list())).length);
await attempt('roles', async () => (await all(m.roles.list())).length);
// The filters the SDK documents on these lists, passed as the SDK passes them
// (arrays as repeated keys).
await attempt('resource_servers_by_identifiers', async () => (await all(m.resourceServers.list({ identifiers: [API, 'https://none.example/'] }))).map((r) => r.identifier));
await attempt('client_grants_for_clients', async () => (await all(m.clientGrants.list({ subject_type: 'client', allow_any_organization: false }))).length);
await attempt('client_grants_for_users', async () => (await all(m.clientGrants.list({ subject_type: 'user' }))).length);
await attempt('tenant_roles', async () => (await all(m.roles.list({ type: 'tenant' }))).length);
await attempt('clients_by_external_id', async () => (await all(m.clients.list({ external_client_id: 'https://cimd.example/app.json' }))).length);
const listUser = (await all(m.users.list({ q: 'email:"list@example.com"', search_engine: 'v3' })))[0];
await attempt('user_logs_sorted', async () => (await all(m.users.logs.list(listUser.user_id, { sort: 'date:-1' }))).length >= 0);

// Connections (issue 18): created, listed with the SDK's checkpoint paging
// and strategy filter, read, changed, their applications, status, deleted.
const conn = await m.connections.create({ name: 'sdk-db', strategy: 'auth0', options: { passwordPolicy: 'excellent' } });
await attempt('connections', async () => (await all(m.connections.list())).map((c) => c.name).sort());
await attempt('connections_auth0_one_per_page', async () => (await all(m.connections.list({ strategy: ['auth0'], take: 1 }))).length);
await attempt('connections_oidc', async () => (await all(m.connections.list({ strategy: ['oidc'] }))).length);
await attempt('connection_policy', async () => (await m.connections.get(conn.id)).options.passwordPolicy);
await attempt('connection_renamed', async () => (await m.connections.update(conn.id, { display_name: 'SDK DB' })).display_name);
await m.connections.clients.update(conn.id, workers.slice(0, 2).map((client_id) => ({ client_id, status: true })));
await attempt('connection_clients', async () => (await all(m.connections.clients.get(conn.id, { take: 1 }))).length);
await attempt('connection_status', async () => { await m.connections.checkStatus(conn.id); return 'ok'; });
await attempt('connections_after_delete', async () => { await m.connections.delete(conn.id); return (await all(m.connections.list())).length; });

console.log(JSON.stringify(out));
