/** Log in with an API key: the API sets a session cookie and answers the CSRF token for changes. */
import { login } from '../api.js';
import { h } from '../dom.js';

/** Only a path on this site may follow a login (never another origin). */
const safeNext = (next) =>
  next && /^\/(?!\/)[^\s\\]*$/.test(next) && !next.startsWith('/login') ? next : null;

export async function render(root, { pages }) {
  const next = safeNext(new URLSearchParams(location.search).get('next'));
  const input = h('input', {
    id: 'api-key',
    name: 'key',
    type: 'password',
    autocomplete: 'off',
    required: true,
    spellcheck: 'false',
    'aria-describedby': 'api-key-help',
  });
  const message = h('p', { id: 'login-message', role: 'alert', class: 'error', hidden: true });
  const button = h('button', { type: 'submit' }, 'Log in');
  const form = h(
    'form',
    { class: 'login card', 'aria-labelledby': 'page-title' },
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h(
      'p',
      { id: 'api-key-help', class: 'muted' },
      'Your key starts cs_. Ask an administrator for one (spend keys create); the demo writes one per role to demo-keys.txt beside its database.',
    ),
    button,
    message,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.hidden = true;
    button.disabled = true;
    try {
      const session = await login(input.value.trim());
      const home = pages.find((p) => p.nav && p.roles.includes(session.role))?.path ?? '/overview';
      location.assign(next ?? home);
    } catch (error) {
      message.textContent = error.message;
      message.hidden = false;
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
  root.replaceChildren(form);
  input.focus();
}
