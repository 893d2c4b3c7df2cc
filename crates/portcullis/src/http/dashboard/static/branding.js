// Branding > Universal Login (Auth0's /branding and
// /branding/templates/universal-login): the hosted pages' colours, logo,
// favicon and font, and the page template (Liquid with auth0:head and
// auth0:widget), checked by the server when saved.

import {
  ApiError, api, can, destructive, field, h, readOnlyNote, show, submitting,
} from './lib.js';

/** The template, or null when the tenant has none (Auth0 answers 404). */
async function template() {
  try {
    return (await api('GET', 'branding/templates/universal-login')).body;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/** A `#rrggbb` for a colour input from `#rgb`/`#rrggbb` (or a default). */
function long(c, fallback) {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(c || '');
  if (!m) return fallback;
  return m[1].length === 3 ? `#${[...m[1]].map((x) => x + x).join('')}` : c;
}

export async function screen() {
  const [b, t] = await Promise.all([api('GET', 'branding'), template()]);
  const ro = !can('update:branding');
  const bg = typeof b.colors?.page_background === 'string' ? b.colors.page_background : '';
  const look = h('form', { novalidate: true, onsubmit: submitting(async (f) => {
    const e = f.elements;
    // PATCH merges; empty fields are removed (null), as Auth0's API does.
    const orNull = (v) => v.trim() || null;
    await api('PATCH', 'branding', {
      colors: { primary: e.primary.value, page_background: e.page_background.value },
      logo_url: orNull(e.logo_url.value),
      favicon_url: orNull(e.favicon_url.value),
      font: e.font_url.value.trim() ? { url: e.font_url.value.trim() } : null,
    });
    document.getElementById('look-saved').textContent = 'Saved. Every hosted page shows it from the next page load.';
  }) },
  h('fieldset', {}, h('legend', {}, 'Colours'),
    field('primary', 'Primary colour (buttons)', { type: 'color', value: long(b.colors?.primary, '#1f4fbf'), disabled: ro },
      'Button labels are black or white, whichever reads better on it.'),
    field('page_background', 'Page background', { type: 'color', value: long(bg, '#f4f5f7'), disabled: ro },
      b.colors?.page_background && !bg ? 'A gradient is set through the API; saving here replaces it with this colour.' : undefined)),
  h('fieldset', {}, h('legend', {}, 'Images and font'),
    field('logo_url', 'Logo URL', { type: 'url', value: b.logo_url || '', readonly: ro, autocomplete: 'off', placeholder: 'https://cdn.example.com/logo.svg' },
      'HTTPS. Shown when the application has no logo of its own, and in the built-in e-mails.'),
    field('favicon_url', 'Favicon URL', { type: 'url', value: b.favicon_url || '', readonly: ro, autocomplete: 'off' }, 'HTTPS.'),
    field('font_url', 'Font URL', { type: 'url', value: b.font?.url || '', readonly: ro, autocomplete: 'off' }, 'HTTPS, a font file (.woff2), not a stylesheet.')),
  ro ? readOnlyNote('update:branding') : h('button', { type: 'submit' }, 'Save look'),
  h('p', { class: 'status', role: 'status', id: 'look-saved' }));

  const page = h('form', { novalidate: true, onsubmit: submitting(async (f) => {
    await api('PUT', 'branding/templates/universal-login', { template: f.elements.template.value });
    document.getElementById('template-saved').textContent = 'Saved. Every hosted page is rendered inside it.';
  }) },
  field('template', 'Page template (Liquid)', {
    rows: 14, value: t || '', readonly: ro, spellcheck: 'false',
    placeholder: '<!DOCTYPE html><html lang="{{ locale }}"><head>{%- auth0:head -%}</head><body>{%- auth0:widget -%}</body></html>',
  }, 'Must hold {%- auth0:head -%} and {%- auth0:widget -%} once each; no <script> (the pages\' security policy would not run it). <style> blocks work. Variables: locale, dir, prompt.name, application.name, organization.display_name, branding.logo_url, branding.colors.primary, tenant.friendly_name.'),
  ro ? readOnlyNote('update:branding') : h('button', { type: 'submit' }, 'Save template'),
  h('p', { class: 'status', role: 'status', id: 'template-saved' }));

  show('Branding',
    h('p', {}, 'How the hosted pages (login, sign-up, consent, reset, MFA, device, errors) and the built-in e-mails look.'),
    h('h2', {}, 'Look'), look,
    h('h2', {}, 'Universal Login template'), page,
    t !== null && can('delete:branding')
      ? destructive('Remove template', 'Remove the page template? The pages go back to the built-in layout.', async () => {
        await api('DELETE', 'branding/templates/universal-login');
        await screen();
      })
      : null);
}
