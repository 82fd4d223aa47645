// The admin console's browser test: playwright-core drives Debian's
// chromium against the real binary that e2e/console_test.go started, one
// phase per run (node console.mjs PHASE), and prints one JSON line:
// {"ok": true, ...what the phase saw} or {"ok": false, "step", "error"}.
// The Go test asserts on it, and does what a browser does not (curl).
//
// Input (environment): CONSOLE_URL (ends with "/"), SIGNIN_LINK,
// ACCESS_KEY_ID, SECRET_ACCESS_KEY, TOKEN_URL, ARTIFACTS (screenshots),
// STATE (a file that keeps the browser's cookies from one phase to the
// next), and the phase's own input in PHASE_INPUT (JSON).
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

const env = process.env;
const consoleURL = env.CONSOLE_URL;
const base = new URL(consoleURL).pathname.replace(/\/$/, ''); // "/console"
const origin = new URL(consoleURL).origin;
const artifacts = env.ARTIFACTS;
const input = env.PHASE_INPUT ? JSON.parse(env.PHASE_INPUT) : {};
const phase = process.argv[2];

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const out = { ok: true, phase, axe: {}, csp: [], pageErrors: [], overflow: [], screenshots: [] };
let step = 'start';
let page;

// at returns the absolute URL of a console path ("/pools").
const at = (p) => origin + base + p;

// pathOf is the console path of the page's URL ("/pools/x").
const pathOf = (u) => {
  const p = new URL(u).pathname;
  return p.startsWith(base) ? p.slice(base.length) : p;
};

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function launch() {
  return chromium.launch({
    executablePath: env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

async function newContext(browser, opts = {}) {
  const ctx = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    storageState: opts.fresh || !existsSync(env.STATE) ? undefined : env.STATE,
    ...opts.context,
  });
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  ctx.on('dialog', (d) => d.accept()); // <form data-confirm>
  ctx.on('page', watch);
  return ctx;
}

// watch records what the browser reports on a page: CSP violations (an
// inline script or style the policy refused) and uncaught errors.
function watch(p) {
  p.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) {
      out.csp.push(`${pathOf(p.url())}: ${msg.text()}`);
    }
  });
  p.on('pageerror', (err) => out.pageErrors.push(`${pathOf(p.url())}: ${err.message}`));
}

// goto loads a console path and requires status 200 (after redirects).
async function goto(p, want = 200) {
  const resp = await page.goto(at(p));
  check(resp, `no response for ${p}`);
  check(resp.status() === want, `GET ${p}: status ${resp.status()}, want ${want} (at ${page.url()})`);
  return resp;
}

// submit clicks a button and returns the response of the navigation it
// causes (the last one, after redirects).
async function submit(locator) {
  const [resp] = await Promise.all([page.waitForNavigation(), locator.click()]);
  return resp;
}

const button = (name) => page.getByRole('button', { name, exact: true });
const link = (name) => page.getByRole('link', { name, exact: true }).first();
const h1 = async () => (await page.locator('h1').first().innerText()).trim();

// section returns the element around the h2 named name (the nearest
// section, else the heading's parent).
function section(name) {
  const h = page.getByRole('heading', { level: 2, name, exact: true });
  return h.locator('xpath=ancestor::section[1]').or(h.locator('xpath=..')).first();
}

// retry runs f again when the page reloaded under it (data-refresh).
async function retry(f) {
  for (let i = 0; ; i++) {
    try {
      return await f();
    } catch (e) {
      if (i >= 3 || !/context was destroyed|navigat/i.test(String(e))) throw e;
      await page.waitForLoadState('load');
    }
  }
}

// axeCheck runs axe-core (WCAG 2 A and AA) on the page and keeps its
// violations under name. axe is evaluated through the DevTools protocol,
// which the page's CSP (script-src 'self') does not govern, so the
// console's own CSP stays in force for the test.
let axeSource;
async function axeCheck(name) {
  axeSource ??= readFileSync(axePath, 'utf8');
  await page.evaluate(axeSource);
  const res = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] }, resultTypes: ['violations'] }));
  out.axe[name] = res.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + (n.failureSummary ? ': ' + n.failureSummary.split('\n').slice(1).join(' ').trim() : '')),
  }));
}

// shoot saves the page at 1280×800 (the whole page) and at a phone's
// 390×844 into ARTIFACTS, then restores the laptop size.
async function shoot(name) {
  mkdirSync(artifacts, { recursive: true });
  const laptop = path.join(artifacts, `${name}.png`);
  await page.screenshot({ path: laptop, fullPage: true });
  const view = path.join(artifacts, `${name}-viewport.png`);
  await page.screenshot({ path: view });
  await page.setViewportSize({ width: 390, height: 844 });
  // On a phone the page scrolls down, never sideways (wide tables
  // scroll inside their .table-wrap).
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  if (wide > 390) out.overflow.push(`${name}: ${wide} px wide at 390 px`);
  await axeCheck(`${name} (phone)`); // what a phone shows differs (hidden columns, wrapped navigation)
  const phone = path.join(artifacts, `${name}-phone.png`);
  await page.screenshot({ path: phone, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  out.screenshots.push(laptop, view, phone);
}

// choose selects value in sel; a select that submits its form on
// change (data-autosubmit) loads the page again, which is waited for.
async function choose(sel, value) {
  if (await sel.evaluate((e) => e.hasAttribute('data-autosubmit'))) {
    await Promise.all([page.waitForNavigation(), sel.selectOption(value)]);
  } else {
    await sel.selectOption(value);
  }
}

// formFields returns the fields a form would submit, as an object.
async function formFields(form) {
  return form.evaluate((f) => Object.fromEntries([...new FormData(f)].filter(([, v]) => typeof v === 'string')));
}

const phases = {
  // Signing in: through the form with an access key, out, and back
  // through dev's link.
  async signin(ctx) {
    page = await ctx.newPage();
    step = 'a page asks to sign in first';
    await page.goto(at('/pools'));
    check(pathOf(page.url()) === '/signin', `GET /pools without a session went to ${page.url()}, want the sign-in page`);
    await axeCheck('signin');
    await shoot('signin');

    step = 'sign in with the access key';
    await page.getByLabel('Access key ID').fill(env.ACCESS_KEY_ID);
    await page.getByLabel('Secret access key').fill(env.SECRET_ACCESS_KEY);
    const resp = await submit(button('Sign in'));
    check(resp.status() === 200, `after signing in: status ${resp.status()}`);
    check(pathOf(page.url()) === '/pools', `signing in went to ${page.url()}, want back to /pools`);
    await button('Sign out').waitFor();

    step = 'sign out';
    await submit(button('Sign out'));
    check(pathOf(page.url()) === '/signin', `signing out went to ${page.url()}`);
    await page.goto(at('/'));
    check(pathOf(page.url()) === '/signin', `after signing out, / went to ${page.url()}`);

    step = 'a wrong secret is refused';
    await page.getByLabel('Access key ID').fill(env.ACCESS_KEY_ID);
    await page.getByLabel('Secret access key').fill('not-the-secret');
    const bad = await submit(button('Sign in'));
    check(bad.status() === 401, `a wrong secret: status ${bad.status()}, want 401`);
    check(!(await button('Sign out').count()), 'a wrong secret signed in');

    step = 'sign in with the link dev printed';
    await page.goto(env.SIGNIN_LINK);
    check(pathOf(page.url()) === '/', `the sign-in link went to ${page.url()}`);
    await button('Sign out').waitFor();
    await ctx.storageState({ path: env.STATE });
  },

  // A pool, a resource server with two scopes, a client with one; its
  // secret copied and used in "try it".
  async create(ctx) {
    page = await ctx.newPage();
    const { pool, resourceServer, client } = input;

    step = 'create a pool';
    await goto('/pools');
    await link('Create pool').click();
    await page.waitForURL((u) => pathOf(u.href) === '/pools/new');
    await page.getByLabel('Name').first().fill(pool);
    let resp = await submit(button('Create pool'));
    check(resp.status() === 200, `creating the pool: status ${resp.status()}`);
    const poolPath = pathOf(page.url());
    check(/^\/pools\/[^/]+$/.test(poolPath) && poolPath !== '/pools/new', `creating the pool went to ${page.url()}`);
    out.poolId = decodeURIComponent(poolPath.split('/')[2]);
    check(await h1() === pool, `the pool page's h1 is "${await h1()}", want "${pool}"`);
    for (const s of ['Resource servers', 'App clients', 'Signing keys', 'Domains', 'Settings']) {
      check(await page.getByRole('heading', { level: 2, name: s, exact: true }).count() === 1, `the pool page has no section "${s}"`);
    }

    step = 'add a resource server with two scopes';
    await link('Add resource server').click();
    await page.getByLabel('Identifier').fill(resourceServer.identifier);
    await page.getByLabel('Name').first().fill(resourceServer.name);
    await page.getByLabel('Scopes').fill(resourceServer.scopes.map((s) => `${s.name} ${s.description}`).join('\n'));
    resp = await submit(button('Add resource server'));
    check(resp.status() === 200, `adding the resource server: status ${resp.status()}`);
    await goto(poolPath);
    const servers = await section('Resource servers').innerText();
    check(servers.includes(resourceServer.identifier), `the pool's resource servers do not list ${resourceServer.identifier}:\n${servers}`);

    step = 'create a client with one scope';
    await link('Create client').click();
    await page.waitForURL((u) => pathOf(u.href) === `${poolPath}/clients/new`);
    await page.getByLabel('Name').first().fill(client.name);
    for (const s of resourceServer.scopes) {
      const scope = `${resourceServer.identifier}/${s.name}`;
      const box = page.getByLabel(scope, { exact: true });
      check(await box.count() === 1, `the client form has no checkbox "${scope}"`);
      await box.setChecked(client.scopes.includes(scope));
    }
    check(await page.getByLabel('Generate a client secret').isChecked(), '"Generate a client secret" is not checked by default');
    check(await page.getByLabel('Access token validity', { exact: true }).count() === 1, 'the client form has no "Access token validity"');
    resp = await submit(button('Create client'));
    check(resp.status() === 200, `creating the client: status ${resp.status()}, want 200 (the secret is shown once)`);
    check(await h1() === client.name, `the created client's h1 is "${await h1()}", want "${client.name}"`);
    out.clientId = (await page.locator('#client-id').innerText()).trim();
    out.secretShown = (await page.locator('#client-secret').innerText()).trim();
    out.curlLine = await page.locator('#curl-token').innerText();
    await axeCheck('client-created');
    await shoot('client-created');

    step = 'copy the secret';
    await button('Copy secret').click();
    await page.getByRole('button', { name: 'Copied' }).waitFor({ timeout: 5000 });
    out.secret = await page.evaluate(() => navigator.clipboard.readText());
    check(out.secret === out.secretShown, 'the clipboard does not hold the secret shown');
    await link('Go to the client').click();
    await page.waitForURL((u) => pathOf(u.href) === `/clients/${out.clientId}`);
    check(!(await page.content()).includes(out.secret), 'the client page shows the secret');

    // Try it, with the secret on the clipboard: its failure is reported
    // on its own (out.tryError), the flows after it go on.
    step = 'try it: a token with the pasted secret, and a call';
    try {
      await tryIt(out.clientId, out.secret, input.route, input.path, 'try');
    } catch (e) {
      out.tryError = { error: e.message.split('\n').slice(0, 8).join('\n'), url: page.url() };
      try {
        const f = path.join(artifacts, 'failed-try.png');
        await page.screenshot({ path: f, fullPage: true });
        out.screenshots.push(f);
        out.tryError.text = (await page.locator('main').innerText({ timeout: 1000 })).slice(0, 1500);
      } catch {
        // the failure is what matters
      }
    }
  },

  // Rotation, first half: a second secret.
  async addSecret(ctx) {
    page = await ctx.newPage();
    step = 'add a second secret';
    await goto(`/clients/${input.clientId}`);
    out.secretsBefore = await section('Secrets').innerText();
    const resp = await submit(button('Add secret'));
    check(resp.status() === 200, `adding a secret: status ${resp.status()}, want 200 (the secret is shown once)`);
    out.secretShown = (await page.locator('#client-secret').innerText()).trim();
    await button('Copy secret').click();
    await page.getByRole('button', { name: 'Copied' }).waitFor({ timeout: 5000 });
    out.secret = await page.evaluate(() => navigator.clipboard.readText());
    check(out.secret === out.secretShown, 'the clipboard does not hold the new secret shown');
    check(out.secret !== input.oldSecret, 'the new secret is the old one');
  },

  // Rotation, second half: the old secret deleted.
  async deleteSecret(ctx) {
    page = await ctx.newPage();
    step = 'delete the old secret';
    await goto(`/clients/${input.clientId}`);
    const buttons = section('Secrets').getByRole('button', { name: 'Delete secret', exact: true });
    const n = await buttons.count();
    check(n === 2, `the client page has ${n} "Delete secret" buttons, want 2 (one per secret)`);
    let old = -1;
    for (let i = 0; i < n; i++) {
      const row = buttons.nth(i).locator('xpath=ancestor::*[self::tr or self::li][1]');
      const id = (await row.locator('code').first().innerText()).trim();
      if (input.secretsBefore.includes(id)) old = i;
    }
    check(old >= 0, `no secret row names a secret listed before the new one was added:\n${input.secretsBefore}`);
    const resp = await submit(buttons.nth(old));
    check(resp.status() === 200, `deleting the secret: status ${resp.status()}`);
    await goto(`/clients/${input.clientId}`);
    const left = await section('Secrets').getByRole('button', { name: 'Delete secret', exact: true, disabled: false }).count();
    check(left === 0, `after deleting one of two secrets, ${left} can still be deleted (never the last one)`);
  },

  // The refused calls in the request log: filtered by client and 4xx,
  // then by route and "refused".
  async requests(ctx) {
    page = await ctx.newPage();
    out.filters = {};
    for (const [name, f] of Object.entries(input.filters)) {
      step = `filter the recent requests: ${name}`;
      await goto('/requests');
      check(await page.getByLabel('Route', { exact: true }).count() === 1, 'the requests page has no Route filter');
      for (const [label, text] of [['Client', f.client], ['Route', f.route]]) {
        if (!text) continue;
        const sel = page.getByLabel(label, { exact: true });
        const opt = sel.locator('option', { hasText: text }).first();
        check(await opt.count() === 1, `the ${label} filter has no option with "${text}"`);
        await choose(sel, await opt.getAttribute('value'));
      }
      await choose(page.getByLabel('Status', { exact: true }), f.status);
      await submit(button('Filter'));
      const seen = { query: new URL(page.url()).searchParams.toString() };
      seen.columns = await retry(() => page.locator('#requests thead th').allInnerTexts());
      seen.rows = await retry(() => page.locator('#requests tbody tr').evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td,th')].map((c) => c.innerText.trim()))));
      out.filters[name] = seen;
      await axeCheck(`requests-${name}`);
      await shoot(`requests-${name}`);
    }
  },

  // Changes without the CSRF token, or from another origin, are refused.
  async csrf(ctx) {
    page = await ctx.newPage();
    step = 'read the pool form';
    await goto('/pools/new');
    const form = page.locator('form', { has: button('Create pool') });
    const action = await form.evaluate((f) => f.action);
    const fields = await formFields(form);
    const nameField = await page.getByLabel('Name').first().getAttribute('name');
    const token = fields.csrf;
    check(token, 'the pool form has no csrf field');
    delete fields.csrf;

    step = 'a change without the CSRF token';
    let resp = await page.request.post(action, { form: { ...fields, [nameField]: input.noToken }, maxRedirects: 0 });
    out.noTokenStatus = resp.status();

    step = 'a change with a wrong CSRF token';
    resp = await page.request.post(action, { form: { ...fields, [nameField]: input.noToken, csrf: token.slice(1) + 'A' }, maxRedirects: 0 });
    out.wrongTokenStatus = resp.status();

    step = 'the same change with the token';
    resp = await page.request.post(action, { form: { ...fields, [nameField]: input.withToken, csrf: token }, maxRedirects: 0 });
    out.withTokenStatus = resp.status();

    step = 'a form posted from another origin';
    // A page on another loopback port posting the console's own form,
    // token included: only the origin check stands in its way.
    const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    const inputs = Object.entries({ ...fields, [nameField]: input.crossOrigin, csrf: token })
      .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');
    const html = `<!doctype html><title>Elsewhere</title><form method="post" action="${esc(action)}">${inputs}<button>Win a prize</button></form>`;
    const server = createServer((req, res) => { res.setHeader('Content-Type', 'text/html'); res.end(html); });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    try {
      await page.goto(`http://127.0.0.1:${server.address().port}/`);
      resp = await submit(page.getByRole('button', { name: 'Win a prize' }));
      out.crossOriginStatus = resp.status();
    } finally {
      server.close();
    }

    step = 'no pool was made by the refused changes';
    await goto('/pools');
    const text = await page.locator('main').innerText();
    out.poolsListed = { noToken: text.includes(input.noToken), withToken: text.includes(input.withToken), crossOrigin: text.includes(input.crossOrigin) };
  },

  // The pool's signing keys rotated: the old key shown retired, with its
  // retire time.
  async keys(ctx) {
    page = await ctx.newPage();
    step = 'rotate the signing keys';
    await goto(`/pools/${input.poolId}`);
    const force = page.getByLabel('Force', { exact: false });
    if (await force.count()) await force.first().check(); // the next key is minutes old
    const resp = await submit(button('Rotate keys'));
    check(resp.status() === 200, `rotating the keys: status ${resp.status()}`);
    await goto(`/pools/${input.poolId}`);
    out.keys = await section('Signing keys').locator('tbody tr').allInnerTexts();
  },

  // Every main page: loads (200), passes axe, and is shot at two sizes.
  async pages(ctx) {
    page = await ctx.newPage();
    const pages = [
      ['overview', '/'], ['pools', '/pools'], ['pool', `/pools/${input.poolId}`], ['clients', '/clients'],
      ['client', `/clients/${input.clientId}`], ['apis', '/apis'], ['api', null], ['api-keys', '/api-keys'],
      ['usage-plans', '/usage-plans'], ['requests', '/requests'], ['try', '/try'],
    ];
    out.failures = [];
    for (let [name, p] of pages) {
      step = `page ${name}`;
      try {
        if (p === null) {
          // The first API /apis links to.
          await goto('/apis');
          const href = await page.locator(`main a[href^="${base}/apis/"]`).first().getAttribute('href', { timeout: 5000 });
          p = pathOf(new URL(href, origin).href);
        }
        await goto(p);
        await axeCheck(name);
        await shoot(name);
      } catch (e) {
        out.failures.push(`${name}: ${e.message}`);
      }
    }
  },

  // Session expiry (a server started with a short session TTL): the next
  // page load goes to sign in and a change is refused.
  // The setup link dev printed, in a browser with no session: the admin
  // password is set (two that differ are refused first), which signs in
  // as admin; the link is then spent. Signed out, a wrong password is
  // refused and the right one signs in.
  async admin(ctx) {
    page = await ctx.newPage();
    const { setupLink, password } = input;

    step = 'the setup link shows the form';
    let resp = await page.goto(setupLink);
    check(resp.status() === 200, `the setup link: status ${resp.status()}`);
    check(await h1() === 'Set the admin password', `the setup page's h1 is "${await h1()}"`);
    await axeCheck('setup');
    await shoot('setup');

    step = 'two passwords that differ are refused';
    await page.getByLabel('New admin password').fill(password);
    await page.getByLabel('Repeat the password').fill(password + '!');
    resp = await submit(button('Set password'));
    check(resp.status() === 400, `two passwords that differ: status ${resp.status()}, want 400`);
    check(/differ/.test(await page.getByRole('alert').first().innerText()), 'no alert saying the passwords differ');
    check(!(await button('Sign out').count()), 'two passwords that differ signed in');

    step = 'set the password';
    await page.getByLabel('New admin password').fill(password);
    await page.getByLabel('Repeat the password').fill(password);
    resp = await submit(button('Set password'));
    check(resp.status() === 200, `setting the password: status ${resp.status()}`);
    check(pathOf(page.url()) === '/', `setting the password went to ${page.url()}, want /`);
    await button('Sign out').waitFor();

    step = 'the setup link is spent';
    resp = await page.goto(setupLink);
    check(resp.status() === 409, `the setup link once the password is set: status ${resp.status()}, want 409`);

    step = 'sign out';
    await goto('/');
    await submit(button('Sign out'));
    check(pathOf(page.url()) === '/signin', `signing out went to ${page.url()}`);

    step = 'a wrong password is refused';
    await page.getByLabel('Admin password').fill('not the admin password');
    resp = await submit(button('Sign in with password'));
    check(resp.status() === 401, `a wrong password: status ${resp.status()}, want 401`);
    check(!(await button('Sign out').count()), 'a wrong password signed in');

    step = 'sign in with the password';
    await page.getByLabel('Admin password').fill(password);
    resp = await submit(button('Sign in with password'));
    check(resp.status() === 200, `signing in with the password: status ${resp.status()}`);
    check(pathOf(page.url()) === '/', `signing in with the password went to ${page.url()}, want /`);
    await button('Sign out').waitFor();
  },

  async expiry(ctx) {
    page = await ctx.newPage();
    step = 'sign in';
    const before = Date.now();
    await page.goto(env.SIGNIN_LINK);
    const signedIn = Date.now();
    check(pathOf(page.url()) === '/', `the sign-in link went to ${page.url()}`);
    const [cookie] = (await ctx.cookies()).filter((c) => c.name.includes('tollgate_console') && !c.name.includes('flash'));
    check(cookie, 'no session cookie after signing in');

    step = 'a form loaded while the session lasts';
    await goto('/pools/new');
    const form = page.locator('form', { has: button('Create pool') });
    const action = await form.evaluate((f) => f.action);
    const fields = await formFields(form);
    const nameField = await page.getByLabel('Name').first().getAttribute('name');
    // The cookie sent by hand, as after the session's end below.
    const live = await page.request.get(at('/pools'), { maxRedirects: 0, headers: { Cookie: `${cookie.name}=${cookie.value}` } });
    out.liveCookieStatus = live.status();
    check(Date.now() - before < input.ttlMs, 'the form took longer to load than the session lasts: raise the TTL');

    // Wait for the clock: the server's session began at most at
    // signedIn, so it has ended by signedIn + TTL (and a margin for
    // the two clocks' reading).
    step = 'wait for the session to end';
    const deadline = signedIn + input.ttlMs + 500;
    await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())));

    step = 'the next page load goes to sign in';
    const other = await ctx.newPage();
    await other.goto(at('/pools'));
    out.afterExpiryPath = pathOf(other.url());
    await other.close();

    step = 'a change is refused';
    // The form loaded before the session ended, submitted after.
    await page.getByLabel('Name').first().fill(input.pool);
    const resp = await submit(button('Create pool'));
    out.changeStatus = resp.status();

    step = 'the expired cookie itself is refused';
    // The browser dropped the cookie at its expiry; the server must
    // refuse it too when a client keeps sending it.
    const r2 = await page.request.post(action, {
      form: { ...fields, [nameField]: input.pool }, maxRedirects: 0,
      headers: { Cookie: `${cookie.name}=${cookie.value}` },
    });
    out.expiredCookieStatus = r2.status();
    const r3 = await page.request.get(at('/pools'), { maxRedirects: 0, headers: { Cookie: `${cookie.name}=${cookie.value}` } });
    out.expiredCookieGet = { status: r3.status(), location: r3.headers().location || '' };

    step = 'signed in again, no pool was made after the end';
    await page.goto(env.SIGNIN_LINK);
    await goto('/pools');
    out.poolListed = (await page.locator('main').innerText()).includes(input.pool);
  },
};

// tryIt fills the "try it" form and keeps what it shows under out[key].
async function tryIt(clientId, secret, routeText, callPath, key) {
  await goto('/try');
  const clientSel = page.getByLabel('Client', { exact: true });
  const copt = clientSel.locator('option', { hasText: `(${clientId})` }).first();
  check(await copt.count() === 1, `the Client select has no option for ${clientId}`);
  await clientSel.selectOption(await copt.getAttribute('value'));
  const secretField = page.getByLabel('Client secret');
  // Paste what the Copy button put on the clipboard, as a person would.
  await secretField.focus();
  await page.keyboard.press('ControlOrMeta+V');
  out.pasted = (await secretField.inputValue()) === secret;
  if (!out.pasted) await secretField.fill(secret); // a headless paste may not reach the field: the clipboard was checked
  check((await secretField.inputValue()) === secret, 'the secret field does not hold the copied secret');
  const routeSel = page.getByLabel('Route', { exact: true });
  const ropt = routeSel.locator('option', { hasText: routeText }).first();
  check(await ropt.count() === 1, `the Route select has no option with "${routeText}"`);
  await routeSel.selectOption(await ropt.getAttribute('value'));
  await page.getByLabel('Path', { exact: true }).fill(callPath);
  await submit(button('Get token and call'));
  out[key] = {
    tokenStatus: (await page.locator('#try-token-status').innerText()).trim(),
    callStatus: (await page.locator('#try-call-status').innerText()).trim(),
    decision: (await page.locator('#try-decision').innerText()).trim(),
  };
  await axeCheck('try-result');
  await shoot('try-result');
}

const browser = await launch();
let ctx;
try {
  check(phases[phase], `unknown phase ${phase}`);
  // signin, admin and expiry start without a session and keep theirs to
  // themselves; the other phases go on with the one signin saved.
  const own = ['signin', 'admin', 'expiry'].includes(phase);
  ctx = await newContext(browser, { fresh: own });
  await phases[phase](ctx);
  if (!own) await ctx.storageState({ path: env.STATE });
} catch (e) {
  out.ok = false;
  out.step = step;
  out.error = e.message.split('\n').slice(0, 8).join('\n');
  if (page) {
    out.url = page.url();
    try {
      mkdirSync(artifacts, { recursive: true });
      const f = path.join(artifacts, `failed-${phase}.png`);
      await page.screenshot({ path: f, fullPage: true });
      out.screenshots.push(f);
      out.text = (await page.locator('main').innerText({ timeout: 1000 })).slice(0, 1500);
    } catch {
      // the failure is what matters
    }
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out) + '\n');
process.exitCode = out.ok ? 0 : 1;
