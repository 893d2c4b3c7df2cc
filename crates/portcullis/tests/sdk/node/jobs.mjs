// Auth0's Node SDK (`auth0`, unchanged): a user import job (the file sent as
// the SDK sends it, multipart), its status and errors, an export job, its
// file downloaded from `location` and decompressed, and a verification-e-mail
// job. Prints one JSON object; the Rust test (tests/http/auth0_sdk.rs) judges.

import { ManagementClient } from 'auth0';
import { gunzipSync } from 'node:zlib';

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

async function finished(id) {
  for (let i = 0; i < 300; i++) {
    const job = body(await m.jobs.get(id));
    if (job.status === 'completed' || job.status === 'failed') return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} did not finish`);
}

const db = (await all(m.connections.list({ strategy: ['auth0'] }))).find(
  (c) => c.name === 'Username-Password-Authentication',
);
const users = [
  { email: 'sdk-one@example.com', email_verified: true, user_id: 'sdk-one', given_name: 'One' },
  { email: 'sdk-two@example.com', app_metadata: { plan: 'gold' } },
  { email: 'not-an-address' },
];
const file = new File([JSON.stringify(users)], 'users.json', { type: 'application/json' });
const started = body(await m.jobs.usersImports.create({ users: file, connection_id: db.id, upsert: false }));
out.import_type = started.type;
out.import_status_at_start = ['pending', 'processing', 'completed'].includes(started.status);
const done = await finished(started.id);
out.import_status = done.status;
out.import_summary = done.summary;
const errors = body(await m.jobs.errors.get(started.id));
out.import_errors = (errors ?? []).map((e) => ({
  email: e.user.email,
  codes: e.errors.map((x) => x.code),
}));
const one = (await all(m.users.list({ q: 'email:"sdk-one@example.com"', search_engine: 'v3' })))[0];
out.kept_user_id = one?.user_id;

const exp = body(await m.jobs.usersExports.create({
  connection_id: db.id,
  format: 'json',
  fields: [{ name: 'email' }, { name: 'user_id' }, { name: 'app_metadata.plan', export_as: 'plan' }],
}));
const exported = await finished(exp.id);
out.export_status = exported.status;
const res = await fetch(exported.location);
const lines = gunzipSync(Buffer.from(await res.arrayBuffer()))
  .toString('utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l))
  .sort((a, b) => a.email.localeCompare(b.email));
out.exported = lines;

const mail = body(await m.jobs.verificationEmail.create({ user_id: one.user_id }));
out.verification_email_type = mail.type;

console.log(JSON.stringify(out));
