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
  const look = h('form', { id: 'look-form', novalidate: true, onsubmit: submitting(async (f) => {
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

  const page = h('form', { id: 'template-form', novalidate: true, onsubmit: submitting(async (f) => {
    await api('PUT', 'branding/templates/universal-login', { template: f.elements.template.value });
    document.getElementById('template-saved').textContent = 'Saved. Every hosted page is rendered inside it.';
  }) },
  field('template', 'Page template (Liquid)', {
    rows: 14, value: t || '', readonly: ro, spellcheck: 'false',
    placeholder: '<!DOCTYPE html><html lang="{{ locale }}"><head>{%- auth0:head -%}</head><body>{%- auth0:widget -%}</body></html>',
  }, 'Must hold {%- auth0:head -%} and {%- auth0:widget -%} once each; no <script> (the pages\' security policy would not run it). <style> blocks work. Variables: locale, dir, prompt.name, application.name, organization.display_name, branding.logo_url, branding.colors.primary, tenant.friendly_name.'),
  ro ? readOnlyNote('update:branding') : h('button', { type: 'submit' }, 'Save template'),
  h('p', { class: 'status', role: 'status', id: 'template-saved' }));

  const textBox = h('div', {}, await textEditor());
  const prompts = await api('GET', 'prompts');
  const ro2 = !can('update:prompts');
  const flow = h('form', { id: 'flow-form', novalidate: true, onsubmit: submitting(async (f) => {
    await api('PATCH', 'prompts', { identifier_first: f.elements.identifier_first.checked });
    document.getElementById('flow-saved').textContent = 'Saved.';
  }) },
  h('label', { class: 'choice' },
    h('input', { type: 'checkbox', name: 'identifier_first', id: 'identifier_first', checked: prompts.identifier_first, disabled: ro2 }),
    h('span', {}, h('strong', {}, 'Identifier first'),
      h('span', { class: 'hint' }, 'Ask for the email address first, then the password, or go to the provider whose domain aliases hold its domain.'))),
  ro2 ? readOnlyNote('update:prompts') : h('button', { type: 'submit' }, 'Save login flow'),
  h('p', { class: 'status', role: 'status', id: 'flow-saved' }));

  show('Branding',
    h('p', {}, 'How the hosted pages (login, sign-up, consent, reset, MFA, device, errors) and the built-in e-mails look.'),
    h('h2', {}, 'Look'), look,
    h('h2', {}, 'Login flow'), flow,
    h('h2', {}, 'Text'), textBox,
    h('h2', {}, 'Universal Login template'), page,
    t !== null && can('delete:branding')
      ? destructive('Remove template', 'Remove the page template? The pages go back to the built-in layout.', async () => {
        await api('DELETE', 'branding/templates/universal-login');
        await screen();
      })
      : null);
}

/** The custom-text editor: a prompt and a language, one field per text with
 * the catalogue's English text as its placeholder; empty fields keep the
 * catalogue's text. */
async function textEditor(prompt = 'login', language = 'en') {
  const cat = await (await fetch('texts.json')).json();
  const current = await api('GET', `prompts/${prompt}/custom-text/${language}`);
  const ro = !can('update:prompts');
  const rerender = async (f) => {
    f.replaceWith(...[await textEditor(f.elements.prompt.value, f.elements.language.value)].flat());
  };
  const fields = Object.entries(cat.prompts[prompt]).flatMap(([screen, keys]) => Object.entries(keys).map(([key, english]) => {
    const name = `text-${screen}-${key}`;
    return field(name, `${screen} · ${key}`, {
      value: current[screen]?.[key] || '', placeholder: english, readonly: ro, autocomplete: 'off', 'data-screen': screen, 'data-key': key,
    });
  }));
  const form = h('form', { id: 'text-form', novalidate: true, onsubmit: submitting(async (f) => {
    const body = {};
    for (const input of f.querySelectorAll('input[data-key]')) {
      const v = input.value.trim();
      if (!v) continue;
      (body[input.dataset.screen] ||= {})[input.dataset.key] = v;
    }
    await api('PUT', `prompts/${f.elements.prompt.value}/custom-text/${f.elements.language.value}`, body);
    document.getElementById('text-saved').textContent = 'Saved. Empty fields show the built-in text.';
  }) },
  h('label', { for: 'prompt' }, 'Prompt'),
  h('select', { id: 'prompt', name: 'prompt', onchange: (ev) => rerender(ev.target.form) },
    Object.keys(cat.prompts).map((p) => h('option', { value: p, selected: p === prompt }, p))),
  h('label', { for: 'language' }, 'Language'),
  h('select', { id: 'language', name: 'language', onchange: (ev) => rerender(ev.target.form) },
    cat.languages.map((l) => h('option', { value: l, selected: l === language }, l))),
  h('p', { class: 'hint' }, 'Plain text (no markup); ${clientName} and the like are filled in.'),
  fields,
  ro ? readOnlyNote('update:prompts') : h('button', { type: 'submit' }, 'Save text'),
  h('p', { class: 'status', role: 'status', id: 'text-saved' }));
  return form;
}
