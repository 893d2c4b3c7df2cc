// Auth0's Node SDK (`auth0`, unchanged) against Portcullis: organizations
// (create, get by id and name, update, the SDK's checkpoint paging), members
// and their organization roles, enabled connections, invitations, and the
// refusals the SDK surfaces. Prints one JSON object of what it saw; the Rust
// test (tests/http/auth0_sdk.rs) judges.
//
// Environment: DOMAIN (host:port), CLIENT_ID, CLIENT_SECRET, and
// NODE_EXTRA_CA_CERTS for the test server's self-signed certificate.

import { ManagementClient } from 'auth0';

const { DOMAIN, CLIENT_ID, CLIENT_SECRET } = process.env;
const m = new ManagementClient({ domain: DOMAIN, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
const out = {};

async function all(pagePromise) {
  const items = [];
  for await (const item of await pagePromise) items.push(item);
  return items;
}

// The SDK answers `{ data, … }` in some versions and the body in others.
const body = (r) => (r && r.data !== undefined && r.id === undefined ? r.data : r);

const db = (await all(m.connections.list({ strategy: ['auth0'] }))).find(
  (c) => c.name === 'Username-Password-Authentication',
);
const acme = body(await m.organizations.create({
  name: 'acme',
  display_name: 'Acme',
  branding: { logo_url: 'https://acme.example/logo.png', colors: { primary: '#0059d6', page_background: '#ffffff' } },
  metadata: { tier: 'gold' },
  enabled_connections: [{ connection_id: db.id, assign_membership_on_login: false }],
}));
out.org_id_shape = /^org_[A-Za-z0-9]{16}$/.test(acme.id);
for (let i = 0; i < 3; i++) await m.organizations.create({ name: `sdk-${i}` });
out.by_name = body(await m.organizations.getByName('acme')).id === acme.id;
const updated = body(await m.organizations.update(acme.id, { display_name: 'Acme Corp', metadata: { tier: null, region: 'eu' } }));
out.updated = { display_name: updated.display_name, metadata: updated.metadata };
out.names = (await all(m.organizations.list({ take: 2 }))).map((o) => o.name).sort();

const app = body(await m.clients.create({
  name: 'B2B app', app_type: 'spa', callbacks: ['https://app.example/callback'],
  organization_usage: 'require', organization_require_behavior: 'pre_login_prompt',
  initiate_login_uri: 'https://app.example/login',
}));
out.client_org = [app.organization_usage, app.organization_require_behavior];

const users = [];
for (const e of ['a', 'b', 'c']) {
  users.push(body(await m.users.create({ connection: db.name, email: `${e}@sdk.example`, password: 'Corr3ct-horse-battery' })).user_id);
}
await m.organizations.members.create(acme.id, { members: users });
out.members = (await all(m.organizations.members.list(acme.id, { take: 2 }))).map((u) => u.email).sort();
await m.organizations.members.delete(acme.id, { members: [users[2]] });
out.members_after = (await all(m.organizations.members.list(acme.id))).length;

const role = body(await m.roles.create({ name: 'Buyer' }));
await m.organizations.members.roles.assign(acme.id, users[0], { roles: [role.id] });
out.member_roles = (await all(m.organizations.members.roles.list(acme.id, users[0]))).map((r) => r.name);
out.user_orgs = (await all(m.users.organizations.list(users[0]))).map((o) => o.name);

out.connections = (await all(m.organizations.enabledConnections.list(acme.id))).map((c) => c.connection.name);
const patched = body(await m.organizations.enabledConnections.update(acme.id, db.id, { assign_membership_on_login: true }));
out.assign = patched.assign_membership_on_login;

const inv = body(await m.organizations.invitations.create(acme.id, {
  inviter: { name: 'Ann' }, invitee: { email: 'new@sdk.example' }, client_id: app.client_id,
  roles: [role.id], send_invitation_email: false,
}));
out.invitation_url = inv.invitation_url.startsWith(`https://app.example/login?invitation=${inv.ticket_id}&organization=${acme.id}`);
out.invitations = (await all(m.organizations.invitations.list(acme.id))).map((i) => i.invitee.email);
out.invitation_get = body(await m.organizations.invitations.get(acme.id, inv.id)).id === inv.id;
await m.organizations.invitations.delete(acme.id, inv.id);
try {
  await m.organizations.invitations.get(acme.id, inv.id);
  out.deleted_invitation = 200;
} catch (e) {
  out.deleted_invitation = e.statusCode;
}
try {
  await m.organizations.create({ name: 'acme' });
  out.duplicate = 200;
} catch (e) {
  out.duplicate = e.statusCode;
}
await m.organizations.delete(acme.id);
try {
  await m.organizations.get(acme.id);
  out.deleted = 200;
} catch (e) {
  out.deleted = e.statusCode;
}

console.log(JSON.stringify(out));
