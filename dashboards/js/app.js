/**
 * The shell: asks who is logged in, draws the navigation for that role (from pages.json, the one
 * list of pages), and loads the page's module from js/pages/. A page the role may not use says
 * so; without a session every page but the login page goes to the login page.
 */
import { logout, whoAmI } from './api.js';
import { errorNote, h, notice } from './dom.js';

const ROLE_NAMES = {
  body: 'member body',
  procurement: 'procurement',
  finance: 'finance',
  admin: 'administrator',
};

/** The page a role lands on after logging in. */
export function homeOf(pages, who) {
  return pages.find((p) => p.nav && p.roles.includes(who.role))?.path ?? '/login';
}

async function start() {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  // the login page does not ask who is logged in: logging in again simply replaces the session
  const [pages, who] = await Promise.all([
    fetch('/assets/pages.json').then((r) => r.json()),
    path === '/login' ? null : whoAmI(),
  ]);
  if (path === '/') return location.replace(who ? homeOf(pages, who) : '/login');
  const page = pages.find((p) => p.path === path);
  const title = document.getElementById('page-title');
  const root = document.getElementById('page');
  if (!page) {
    title.textContent = 'Page not found';
    return;
  }
  document.title = `${page.title} · collective-spend`;
  title.textContent = page.title;
  if (page.module !== 'login' && !who) {
    return location.replace(`/login?next=${encodeURIComponent(`${location.pathname}${location.search}`)}`);
  }
  if (who) drawHeader(pages, page, who);
  if (page.module !== 'login' && !page.roles.includes(who.role)) {
    root.replaceChildren(
      notice(
        `This page is not open to a ${ROLE_NAMES[who.role] ?? who.role} key (it is for: ${page.roles.map((r) => ROLE_NAMES[r] ?? r).join(', ')}).`,
      ),
      h('p', {}, h('a', { href: homeOf(pages, who) }, 'Go to your dashboard')),
    );
    return;
  }
  const module = await import(`./pages/${page.module}.js`);
  await module.render(root, { who, page, pages, home: who ? homeOf(pages, who) : '/login' });
}

function drawHeader(pages, current, who) {
  const links = pages
    .filter((p) => p.nav && p.roles.includes(who.role))
    .map((p) =>
      h(
        'li',
        {},
        h('a', { href: p.path, 'aria-current': p.path === current.path ? 'page' : undefined }, p.title),
      ),
    );
  document.getElementById('site-nav').replaceChildren(h('ul', {}, links));
  document.getElementById('who').replaceChildren(
    h(
      'span',
      { class: 'who-name' },
      `${who.name} · ${ROLE_NAMES[who.role] ?? who.role}${who.bodyId ? ` · ${who.bodyId}` : ''}`,
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: async () => {
          await logout();
          location.assign('/login');
        },
      },
      'Log out',
    ),
  );
}

start().catch((error) => {
  document.getElementById('page').replaceChildren(errorNote(error));
});
