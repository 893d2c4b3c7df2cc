// Branding > Email Templates and Email Provider (Auth0's /email-templates and
// /emails/provider): each template's Liquid source, sender, subject, link
// lifetime and where its page leads, switched on or off; the tenant's SMTP
// relay, whose password is write-only (never shown, kept unless replaced).

import {
  ApiError, api, can, destructive, field, h, readOnlyNote, show, submitting, table,
} from './lib.js';

/** Auth0's template names, what each mail is, and when Portcullis sends it. */
export const TEMPLATES = [
  ['verify_email', 'Verification e-mail', 'After sign-up when enabled, and from the Management API (/jobs/verification-email).'],
  ['welcome_email', 'Welcome e-mail', 'After sign-up when enabled.'],
  ['reset_email', 'Change password (link)', 'When a user asks for a password reset on the login page.'],
  ['blocked_account', 'Blocked account', 'When failed passwords block an account; the link unblocks it. Disabling it sends no mail.'],
  ['password_reset', 'Password reset confirmation', 'Stored, for tenants moving from Auth0.'],
  ['change_password', 'Change password (code)', 'Stored, for tenants moving from Auth0.'],
];

const VARIABLES = 'Liquid variables: {{ user.email }}, {{ user.name }}, {{ user.nickname }}, {{ user.user_metadata.* }}, {{ url }} (the link), {{ application.name }}, {{ friendly_name }}, {{ support_email }}, {{ support_url }}. Values are HTML-escaped.';

/** A template as stored, or null when the tenant has none (Auth0 answers 404). */
async function template(name) {
  try {
    return await api('GET', `email-templates/${name}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export async function list() {
  const rows = await Promise.all(TEMPLATES.map(async ([name, label, when]) => ({ name, label, when, t: await template(name) })));
  show('Email Templates',
    h('p', {}, 'Each mail is sent with Portcullis\'s built-in text until you save a template for it.'),
    // Two columns, the "when" under the name, so the table fits a phone.
    table([
      ['Template', (r) => [h('a', { href: `#/emails/templates/${r.name}` }, r.label), h('p', { class: 'hint' }, r.when)]],
      ['Status', (r) => (r.t === null ? h('span', { class: 'nowrap' }, 'Built-in')
        : r.t.enabled ? h('span', { class: 'badge nowrap' }, 'Enabled') : h('span', { class: 'nowrap' }, 'Disabled'))],
    ], rows, ''),
    h('h2', {}, 'Email Provider'),
    h('p', {}, h('a', { href: '#/emails/provider' }, 'SMTP relay'), ': where the tenant\'s mail is sent from.'));
}

export async function edit(name) {
  const known = TEMPLATES.find(([n]) => n === name);
  if (!known) {
    show('Email Templates', h('p', { class: 'error', role: 'alert' }, 'There is no such template.'));
    return;
  }
  const t = await template(name);
  const ro = !can('update:email_templates');
  const form = h('form', { novalidate: true, onsubmit: submitting(async (f) => {
    const e = f.elements;
    const lifetime = e.urlLifetimeInSeconds.value.trim();
    // PUT: Auth0's "replace", which also creates the tenant's first version.
    await api('PUT', `email-templates/${name}`, {
      template: name,
      syntax: 'liquid',
      enabled: e.enabled.checked,
      from: e.from.value.trim(),
      subject: e.subject.value,
      body: e.body.value,
      resultUrl: e.resultUrl.value.trim() || undefined,
      urlLifetimeInSeconds: lifetime ? Number(lifetime) : undefined,
    });
    document.getElementById('saved').textContent = 'Saved.';
  }) },
  h('label', { class: 'choice' },
    h('input', { type: 'checkbox', name: 'enabled', id: 'enabled', checked: t ? t.enabled : true, disabled: ro }),
    h('span', {}, h('strong', {}, 'Enabled'), h('span', { class: 'hint' }, known[2]))),
  field('from', 'From', { value: t?.from || '', readonly: ro, autocomplete: 'off', placeholder: 'Example <no-reply@example.com>' }),
  field('subject', 'Subject', { value: t?.subject || '', readonly: ro, autocomplete: 'off' }),
  field('body', 'Message (HTML, Liquid)', { rows: 14, value: t?.body || '', readonly: ro, spellcheck: 'false' }, VARIABLES),
  field('resultUrl', 'Redirect to (after the link is used)', { value: t?.resultUrl || '', readonly: ro, autocomplete: 'off', placeholder: 'https://app.example.com/welcome' }),
  field('urlLifetimeInSeconds', 'Link lifetime (seconds)', {
    type: 'number', min: 0, value: t?.urlLifetimeInSeconds || '', readonly: ro,
  }, 'Empty or 0: the built-in lifetime.'),
  ro ? readOnlyNote('update:email_templates') : h('button', { type: 'submit' }, 'Save'),
  h('p', { class: 'status', role: 'status', id: 'saved' }));
  show(known[1], h('p', {}, h('a', { href: '#/emails' }, '← Email Templates')), form);
}

/** The provider, or null when the tenant has none (mail goes through the server's own settings). */
async function provider() {
  try {
    return await api('GET', 'emails/provider?include_fields=true&fields=name,enabled,default_from_address,credentials,settings');
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export async function providerScreen() {
  const p = await provider();
  const ro = !can(p ? 'update:email_provider' : 'create:email_provider');
  const c = p?.credentials || {};
  const form = h('form', { novalidate: true, onsubmit: submitting(async (f) => {
    const e = f.elements;
    const credentials = {
      smtp_host: e.smtp_host.value.trim(),
      smtp_port: Number(e.smtp_port.value),
      smtp_user: e.smtp_user.value.trim() || undefined,
    };
    // The password is write-only: sent only when typed, kept otherwise.
    if (e.smtp_pass.value) credentials.smtp_pass = e.smtp_pass.value;
    await api(p ? 'PATCH' : 'POST', 'emails/provider', {
      name: 'smtp',
      enabled: e.enabled.checked,
      default_from_address: e.default_from_address.value.trim(),
      credentials,
    });
    e.smtp_pass.value = '';
    document.getElementById('saved').textContent = 'Saved. The password is stored sealed and is never shown again.';
  }) },
  h('label', { class: 'choice' },
    h('input', { type: 'checkbox', name: 'enabled', id: 'enabled', checked: p ? p.enabled : true, disabled: ro }),
    h('span', {}, h('strong', {}, 'Use this provider'), h('span', { class: 'hint' }, 'Off: mail goes through the server\'s own e-mail settings.'))),
  field('default_from_address', 'From address', { type: 'email', value: p?.default_from_address || '', readonly: ro, autocomplete: 'off' }),
  field('smtp_host', 'SMTP host', { value: c.smtp_host || '', readonly: ro, autocomplete: 'off', required: true }),
  field('smtp_port', 'Port', { type: 'number', min: 1, max: 65535, value: c.smtp_port || 587, readonly: ro, required: true },
    'TLS is required unless the host is this machine.'),
  field('smtp_user', 'User name', { value: c.smtp_user || '', readonly: ro, autocomplete: 'off' }),
  field('smtp_pass', 'Password', {
    type: 'password', readonly: ro, autocomplete: 'new-password', placeholder: p ? 'Unchanged' : '',
  }, p ? 'Leave empty to keep the stored password.' : undefined),
  ro ? readOnlyNote(p ? 'update:email_provider' : 'create:email_provider') : h('button', { type: 'submit' }, p ? 'Save' : 'Set up'),
  h('p', { class: 'status', role: 'status', id: 'saved' }));
  show('Email Provider',
    h('p', {}, h('a', { href: '#/emails' }, '← Email Templates')),
    form,
    p && can('delete:email_provider')
      ? destructive('Remove provider', 'Remove the e-mail provider? Mail goes through the server\'s own settings again.', async () => {
        await api('DELETE', 'emails/provider');
        await providerScreen();
      })
      : null);
}
