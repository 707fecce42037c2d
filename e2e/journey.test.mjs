// OpenPEP browser journeys: Debian's headless Chromium driven by
// playwright-core, an axe accessibility check on every page visited, and
// full-page screenshots for people to look at.
//
// Run with Node's built-in test runner (see e2e/README.md):
//   OPENPEP_BASE_URL=http://127.0.0.1:18080 OPENPEP_DT_EMAIL=… OPENPEP_PASSWORD=… \
//     node --test --test-reporter=tap e2e/journey.test.mjs
//
// Environment:
//   OPENPEP_BASE_URL        server to test (default http://127.0.0.1:8080)
//   OPENPEP_DT_EMAIL        a designated teacher's sign-in email (required)
//   OPENPEP_PASSWORD        that account's password (required)
//   OPENPEP_SCREENSHOT_DIR  where PNGs go (default e2e/screenshots)
//   OPENPEP_REQUIRE_BROWSER=1  fail, rather than skip, when Chromium is missing
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const TEST_TIMEOUT_MS = 180_000;
// Shorter than the test timeout so that a missing element fails with
// Playwright's own message (which names the locator) rather than a bare timeout.
const ACTION_TIMEOUT_MS = 15_000;

const here = path.dirname(fileURLToPath(import.meta.url));
const BASE_URL = (process.env.OPENPEP_BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const DT_EMAIL = process.env.OPENPEP_DT_EMAIL || '';
const PASSWORD = process.env.OPENPEP_PASSWORD || '';
const VS_EMAIL = process.env.OPENPEP_VS_EMAIL || '';
const SCREENSHOT_DIR = process.env.OPENPEP_SCREENSHOT_DIR
  ? path.resolve(process.env.OPENPEP_SCREENSHOT_DIR)
  : path.join(here, 'screenshots');
const REQUIRE_BROWSER = process.env.OPENPEP_REQUIRE_BROWSER === '1';
const HAVE_CHROMIUM = existsSync(CHROMIUM);

if (!HAVE_CHROMIUM && !REQUIRE_BROWSER) {
  process.stderr.write(
    [
      '',
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
      '!!',
      `!!  SKIPPED: no Chromium at ${CHROMIUM} — browser tests did not run`,
      '!!  Install it with: apt-get install -y chromium',
      '!!  Set OPENPEP_REQUIRE_BROWSER=1 to make this a failure.',
      '!!',
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
      '',
      '',
    ].join('\n'),
  );
}

/** @type {import('playwright-core').Browser | undefined} */
let browser;
/** @type {typeof import('@axe-core/playwright').AxeBuilder} */
let AxeBuilder;

before(async () => {
  if (!HAVE_CHROMIUM) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Imported here so that a machine without Chromium (or without
  // node_modules) still reports the skip clearly.
  const { chromium } = await import('playwright-core');
  ({ AxeBuilder } = await import('@axe-core/playwright'));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
});

/**
 * Declares a browser test: skipped (or failed, with OPENPEP_REQUIRE_BROWSER=1)
 * without Chromium; otherwise run with a fresh context and page, a screenshot
 * on failure, and uncaught page errors turned into a failure.
 * @param {string} name
 * @param {(page: import('playwright-core').Page) => Promise<void>} body
 */
function browserTest(name, body) {
  if (!HAVE_CHROMIUM) {
    if (REQUIRE_BROWSER) {
      return test(name, () => {
        assert.fail(
          `No Chromium at ${CHROMIUM} and OPENPEP_REQUIRE_BROWSER=1: ` +
            'install Debian\'s chromium package (apt-get install -y chromium). ' +
            'Never use `npx playwright install`.',
        );
      });
    }
    return test(name, { skip: `no Chromium at ${CHROMIUM}` }, () => {});
  }
  return test(name, { timeout: TEST_TIMEOUT_MS }, async () => {
    assert.ok(browser, 'Chromium did not launch (see the before hook error above)');
    const context = await browser.newContext();
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(err));
    page.on('console', (msg) => {
      if (msg.type() === 'error') process.stderr.write(`[browser console] ${msg.text()}\n`);
    });
    try {
      await body(page);
      assert.deepEqual(
        pageErrors.map((e) => String(e)),
        [],
        'uncaught JavaScript errors in the page',
      );
    } catch (err) {
      const file = path.join(SCREENSHOT_DIR, `failed-${slug(name)}.png`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => {});
      process.stderr.write(`Failure screenshot: ${file} (page: ${page.url()})\n`);
      throw err;
    } finally {
      await context.close();
    }
  });
}

function slug(s) {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

function url(p) {
  return `${BASE_URL}${p}`;
}

function requireCredentials() {
  assert.ok(
    DT_EMAIL && PASSWORD,
    'Set OPENPEP_DT_EMAIL and OPENPEP_PASSWORD to a designated teacher account ' +
      '(`openpep demo` prints the demo accounts).',
  );
}

function normalise(text) {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

async function screenshot(page, name) {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, name), fullPage: true });
}

/** Runs axe on the page and fails listing every violation. */
async function expectNoAxeViolations(page, where) {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const { violations } = results;
  if (violations.length > 0) {
    const report = violations
      .map((v) =>
        [
          `  - ${v.id} [${v.impact}]: ${v.help}`,
          `    ${v.helpUrl}`,
          ...v.nodes.map((n) => `    at ${n.target.map(String).join(' ')}`),
        ].join('\n'),
      )
      .join('\n');
    process.stderr.write(`axe violations on ${where} (${page.url()}):\n${report}\n`);
    assert.equal(violations.length, 0, `axe found ${violations.length} violation(s) on ${where}:\n${report}`);
  }
}

async function expectPath(page, pathname) {
  try {
    await page.waitForURL((u) => u.pathname === pathname, { timeout: ACTION_TIMEOUT_MS });
  } catch {
    const h1 = normalise(await page.locator('h1').first().textContent({ timeout: 1000 }).catch(() => ''));
    const summary = normalise(
      await page.locator('.govuk-error-summary').first().textContent({ timeout: 1000 }).catch(() => ''),
    );
    assert.fail(
      `expected to reach ${pathname} but the browser is on ${page.url()}` +
        (h1 ? ` (h1: "${h1}")` : '') +
        (summary ? ` with an error summary: "${summary}"` : ''),
    );
  }
}

async function h1Text(page) {
  const h1 = page.locator('h1');
  await h1.first().waitFor();
  assert.equal(await h1.count(), 1, 'a page has exactly one h1');
  return normalise(await h1.textContent());
}

async function signIn(page, email, password) {
  await page.getByLabel('Email address', { exact: true }).fill(email);
  // exact: GOV.UK's password input has a "Show password" button whose
  // aria-label would also match a loose "Password".
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

browserTest('a designated teacher signs in, sees their learners and opens a child', async (page) => {
  requireCredentials();

  await page.goto(url('/'));
  await expectPath(page, '/sign-in');
  await expectNoAxeViolations(page, 'the sign-in page');
  await screenshot(page, '01-sign-in.png');

  await signIn(page, DT_EMAIL, PASSWORD);
  await expectPath(page, '/sign-in/code');
  assert.equal(await h1Text(page), 'Check your email');
  await expectNoAxeViolations(page, 'the sign-in code page');
  await screenshot(page, '01b-sign-in-code.png');

  // The demo shows what was e-mailed: read the code there.
  await page.goto(url(`/demo/mailbox?to=${encodeURIComponent(DT_EMAIL)}`));
  assert.equal(await h1Text(page), 'Demo mailbox');
  await expectNoAxeViolations(page, 'the demo mailbox');
  await screenshot(page, '01c-demo-mailbox.png');
  const subject = normalise(await page.locator('.govuk-summary-card__title').first().textContent());
  const code = subject.split(' ')[0];
  assert.match(code, /^[0-9]{6}$/, `the newest email's subject starts with the code ("${subject}")`);

  await page.goto(url('/sign-in/code'));
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.waitForURL((u) => u.pathname !== '/sign-in/code');
  if (new URL(page.url()).pathname === '/terms') {
    assert.equal(await h1Text(page), 'Before you start');
    await expectNoAxeViolations(page, 'the terms page');
    await screenshot(page, '01d-terms.png');
    for (const box of await page.locator('input[name=agree]').all()) await box.check();
    await page.getByRole('button', { name: 'Agree and continue', exact: true }).click();
  }
  await expectPath(page, '/learners');
  assert.match(await h1Text(page), /Your learners/, 'the learners page heading');
  await expectNoAxeViolations(page, 'the learners page');
  const rows = page.locator('table tbody tr');
  assert.ok((await rows.count()) >= 1, 'the learners table has at least one row');
  await screenshot(page, '02-learners.png');

  // Their account: details, sessions, activity, and setting up an authenticator app.
  await page.getByRole('link', { name: 'Your account', exact: true }).click();
  await expectPath(page, '/account');
  assert.equal(await h1Text(page), 'Your account');
  await expectNoAxeViolations(page, 'the account page');
  await screenshot(page, '02b-account.png');
  await page.getByRole('link', { name: 'Set up an authenticator app', exact: true }).click();
  await expectPath(page, '/account/authenticator');
  assert.equal(await h1Text(page), 'Set up an authenticator app');
  assert.equal(await page.locator('svg[role=img]').count(), 1, 'the page shows a QR code');
  await expectNoAxeViolations(page, 'the authenticator set-up page');
  await screenshot(page, '02c-authenticator.png');
  // A code that is not six digits: the error summary, still axe-clean.
  await page.getByLabel('Code', { exact: true }).fill('12345');
  await page.getByRole('button', { name: 'Turn on', exact: true }).click();
  await page.locator('.govuk-error-summary').waitFor({ state: 'visible' });
  await expectNoAxeViolations(page, 'the authenticator set-up page with an error');
  await screenshot(page, '02d-authenticator-error.png');
  await page.goto(url('/learners'));
  await expectPath(page, '/learners');

  const firstChild = page.locator('table a').first();
  const name = normalise(await firstChild.textContent());
  assert.ok(name.length > 0, 'the first link in the learners table has text (the child\'s name)');
  await Promise.all([page.waitForURL((u) => u.pathname !== '/learners'), firstChild.click()]);
  await page.waitForLoadState('load');
  assert.ok(
    (await h1Text(page)).includes(name),
    `the child's page heading contains "${name}" (it was "${await h1Text(page)}")`,
  );
  await expectNoAxeViolations(page, `the page for ${name}`);
  await screenshot(page, '03-child.png');
});

browserTest('signing in with a wrong password shows an error summary', async (page) => {
  requireCredentials();

  await page.goto(url('/sign-in'));
  await signIn(page, DT_EMAIL, `${PASSWORD}-wrong`);
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor({ state: 'visible' });
  assert.equal(new URL(page.url()).pathname, '/sign-in', 'still on the sign-in page');
  assert.ok(
    normalise(await summary.textContent()).length > 0,
    'the error summary says what went wrong',
  );
  // GOV.UK Frontend's ErrorSummary moves focus to the summary when app.js runs.
  const focused = await summary.evaluate((el) => el === document.activeElement || el.contains(document.activeElement));
  if (!focused) process.stderr.write('note: the error summary is visible but not focused (is app.js running?)\n');
  await expectNoAxeViolations(page, 'the sign-in page with an error');
  await screenshot(page, '04-sign-in-error.png');
});

browserTest('keyboard: the first Tab on the sign-in page reaches "Skip to main content"', async (page) => {
  await page.goto(url('/sign-in'));
  // app.js (deferred) must have run: it sets these classes, no inline script.
  await page.waitForFunction(() => document.body.classList.contains('govuk-frontend-supported'));
  assert.ok(
    await page.evaluate(() => document.body.classList.contains('js-enabled')),
    'app.js set the js-enabled class on <body>',
  );

  await page.keyboard.press('Tab');
  const active = await page.evaluate(() => ({
    isSkipLink: document.activeElement?.matches('.govuk-skip-link') ?? false,
    text: document.activeElement?.textContent ?? '',
    href: document.activeElement?.getAttribute('href') ?? '',
  }));
  assert.ok(active.isSkipLink, `the first Tab focused the .govuk-skip-link (it focused "${normalise(active.text)}")`);
  assert.equal(normalise(active.text), 'Skip to main content');
  await screenshot(page, '05-skip-link-focused.png');

  // Following it moves focus to <main> (GOV.UK Frontend's SkipLink component).
  await page.keyboard.press('Enter');
  const target = active.href.replace(/^.*#/, '');
  await page.waitForFunction((id) => document.activeElement?.id === id, target);
});

browserTest('the component gallery renders every component axe-clean', async (page) => {
  await page.goto(url('/components'));
  assert.equal(await h1Text(page), 'Component gallery');
  await expectNoAxeViolations(page, 'the component gallery');
  await screenshot(page, '06-component-gallery.png');
});

browserTest('a page that does not exist is a GOV.UK 404 page', async (page) => {
  const response = await page.goto(url('/no-such-page'));
  assert.equal(response.status(), 404);
  assert.equal(await h1Text(page), 'Page not found');
  await expectNoAxeViolations(page, 'the 404 page');
  await screenshot(page, '07-not-found.png');
});

/** Both steps of signing in, reading the code from the demo mailbox, and the terms if asked. */
async function signInWithCode(page, email) {
  await page.goto(url('/sign-in'));
  await signIn(page, email, PASSWORD);
  await expectPath(page, '/sign-in/code');
  await page.goto(url(`/demo/mailbox?to=${encodeURIComponent(email)}`));
  const subject = normalise(await page.locator('.govuk-summary-card__title').first().textContent());
  await page.goto(url('/sign-in/code'));
  await page.getByLabel('Code', { exact: true }).fill(subject.split(' ')[0]);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.waitForURL((u) => u.pathname !== '/sign-in/code');
  if (new URL(page.url()).pathname === '/terms') {
    for (const box of await page.locator('input[name=agree]').all()) await box.check();
    await page.getByRole('button', { name: 'Agree and continue', exact: true }).click();
    await page.waitForURL((u) => u.pathname !== '/terms');
  }
}

browserTest('the Virtual School manages people and allocations, axe-clean', async (page) => {
  assert.ok(VS_EMAIL, 'Set OPENPEP_VS_EMAIL to a Virtual School administrator account');
  await signInWithCode(page, VS_EMAIL);
  await page.goto(url('/people'));
  assert.equal(await h1Text(page), 'People');
  await expectNoAxeViolations(page, 'the people page');
  await screenshot(page, '10-people.png');

  await page.goto(url('/settings'));
  assert.equal(await h1Text(page), 'Settings');
  await expectNoAxeViolations(page, 'the settings page');
  await screenshot(page, '17-settings.png');

  // The funding policy: a purpose moved to "will not be considered" needs
  // its reason; a year's rate is set and shown split by term.
  await page.getByRole('link', { name: 'See or change the funding policy' }).click();
  assert.equal(await h1Text(page), 'Funding policy');
  await expectNoAxeViolations(page, 'the funding policy');
  await screenshot(page, '17a-funding-policy.png');
  await page.getByRole('row', { name: /Books and revision guides/ }).getByRole('link', { name: 'Change' }).click();
  await page.getByLabel('Will not be considered').check();
  await page.getByLabel('Guidance').fill('');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('.govuk-error-summary').waitFor({ state: 'visible' });
  assert.match(normalise(await page.locator('.govuk-error-summary__list').textContent()), /Say why requests for this will not be considered/);
  assert.ok(await page.getByLabel('Will not be considered').isChecked(), 'the choice is kept');
  await expectNoAxeViolations(page, 'a purpose refused without its reason');
  await screenshot(page, '17b-funding-purpose-errors.png');
  await page.getByRole('link', { name: 'Back to the funding policy' }).click();
  await page.locator('tr', { has: page.locator('th', { hasText: /^Pupil Premium Plus/ }) }).getByRole('link', { name: /Set a year's rate/ }).click();
  await page.getByLabel('School year').fill('2027/28');
  await page.getByLabel('Rate a child for the year, in pounds').fill('2700');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL((u) => u.pathname === '/settings/funding');
  assert.match(normalise(await page.locator('main').textContent()), /2027\/28: £2,700\.00 a year \(autumn £900\.00, spring £900\.00, summer £900\.00\)/);

  await page.goto(url('/people/invite'));
  await page.getByRole('button', { name: 'Send invitation', exact: true }).click();
  await page.locator('.govuk-error-summary').waitFor({ state: 'visible' });
  await expectNoAxeViolations(page, 'the invite page with errors');
  await screenshot(page, '11-invite-errors.png');

  await page.goto(url('/learners'));
  await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/children/')), page.locator('table a').first().click()]);
  const child = new URL(page.url()).pathname;
  await expectNoAxeViolations(page, 'a child page as the VS');
  await screenshot(page, '12-child-as-vs.png');
  for (const [suffix, name] of [['/allocations/new', '13-allocate'], ['/invite', '14-give-access'], ['/history', '15-history'], ['/edit', '16-edit-child']]) {
    await page.goto(url(child + suffix));
    await expectNoAxeViolations(page, `${suffix} for a child`);
    await screenshot(page, `${name}.png`);
  }

  // Care information: a placement that starts before birth is refused and
  // what was typed stays; a correction shows on the overview.
  await page.goto(url(child + '/care'));
  assert.equal(await h1Text(page), 'Care information');
  await expectNoAxeViolations(page, 'the care information form');
  await page.getByLabel('Carer\'s name (optional)').fill('Robin Ashdown');
  const started = page.getByRole('group', { name: 'Placement start date' });
  const startYear = await started.getByLabel('Year').inputValue();
  await started.getByLabel('Year').fill('1990');
  await page.getByRole('button', { name: 'Save care information', exact: true }).click();
  await page.locator('.govuk-error-summary').waitFor({ state: 'visible' });
  assert.match(normalise(await page.locator('.govuk-error-summary__list').textContent()), /on or after the child's date of birth/);
  assert.equal(await page.getByLabel('Carer\'s name (optional)').inputValue(), 'Robin Ashdown');
  await expectNoAxeViolations(page, 'the care information form with errors');
  await screenshot(page, '18-care-errors.png');
  await page.getByRole('group', { name: 'Placement start date' }).getByLabel('Year').fill(startYear);
  await page.getByLabel('Contact restrictions (optional)').fill('Not to be collected by anyone but the carer.');
  await page.getByRole('button', { name: 'Save care information', exact: true }).click();
  await page.waitForURL((u) => u.searchParams.get('saved') === 'care');
  assert.equal(normalise(await page.locator('.govuk-notification-banner__heading').textContent()), 'Care information saved.');
  assert.match(normalise(await page.locator('.govuk-summary-list').nth(1).textContent()), /Carer Robin Ashdown/);
  await expectNoAxeViolations(page, 'the child overview after saving care information');
  await screenshot(page, '19-care-saved.png');
});

const SW_EMAIL = process.env.OPENPEP_SW_EMAIL || '';

/** A fresh browser context signed in as `email` (optionally without JavaScript). */
async function signedInPage(email, { javaScript = true } = {}) {
  assert.ok(browser, 'Chromium did not launch');
  const context = await browser.newContext({ javaScriptEnabled: javaScript });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  const page = await context.newPage();
  await signInWithCode(page, email);
  return { context, page };
}

/** Opens the spring PEP of the first child at `school` on the person's list. */
async function openSpringPep(page, school) {
  await page.goto(url('/learners'));
  await page.getByText('Filter learners').click();
  await page.getByLabel('School or setting').selectOption({ label: school });
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await page.waitForURL((u) => u.searchParams.has('school'));
  const row = page.locator('table tbody tr', { hasText: school }).first();
  await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/children/')), row.locator('a').first().click()]);
  await Promise.all([
    page.waitForURL((u) => u.pathname.includes('/peps/')),
    page.getByRole('link', { name: /^Spring 2026\/27/ }).first().click(),
  ]);
}

browserTest('the VS delegates the spring term; a SW (with JavaScript) and a DT (without) fill the same PEP, and a clash is merged', async (page) => {
  assert.ok(VS_EMAIL && SW_EMAIL && DT_EMAIL, 'Set OPENPEP_VS_EMAIL, OPENPEP_SW_EMAIL and OPENPEP_DT_EMAIL');
  // The Virtual School: the PEP lists, then delegation with its preview.
  await signInWithCode(page, VS_EMAIL);
  await page.goto(url('/peps'));
  assert.equal(await h1Text(page), 'PEPs');
  assert.equal(await page.locator('table tbody tr').count(), 50, 'a page of the open PEPs');
  await page.locator('nav.govuk-pagination').waitFor();
  await expectNoAxeViolations(page, 'the open PEPs list, a page at a time');
  await screenshot(page, '19b-peps-open.png');
  await page.getByRole('link', { name: /^Next/ }).click();
  await page.waitForURL((u) => u.pathname === '/peps' && u.searchParams.get('page') === '2');
  await page.goto(url('/peps?show=overdue'));
  assert.equal(await h1Text(page), 'PEPs');
  await expectNoAxeViolations(page, 'the overdue PEPs list');
  await screenshot(page, '20-peps-overdue.png');
  await page.goto(url('/peps?show=attend'));
  await expectNoAxeViolations(page, 'the meetings the VS should attend');
  await screenshot(page, '21-peps-attend.png');
  await page.getByRole('link', { name: "Delegate a term's PEPs" }).click();
  await expectPath(page, '/peps/delegate');
  await expectNoAxeViolations(page, 'the delegation form');
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.locator('.govuk-error-summary').waitFor();
  await expectNoAxeViolations(page, 'the delegation form with errors');
  await page.getByLabel('2026/27').check();
  await page.getByLabel('Spring').check();
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await expectPath(page, '/peps/delegate/preview');
  await expectNoAxeViolations(page, 'the delegation preview');
  await screenshot(page, '22-delegation-preview.png');
  const button = page.getByRole('button', { name: /^Create \d+ PEPs?$/ });
  const count = Number((await button.textContent()).match(/\d+/)[0]);
  assert.ok(count > 0, 'the preview offers to create PEPs');
  await button.click();
  await expectPath(page, '/peps/delegate');
  const banner = normalise(await page.locator('.govuk-notification-banner').textContent());
  assert.match(banner, new RegExp(`${count} PEPs? created for the spring term 2026/27`));
  await expectNoAxeViolations(page, 'the delegation result');
  await screenshot(page, '23-delegated.png');
  await page.goto(url('/settings/template'));
  assert.equal(await h1Text(page), 'PEP template');
  await expectNoAxeViolations(page, 'the PEP template page');
  await screenshot(page, '24-template.png');

  // The social worker, with JavaScript: autosave.
  const sw = await signedInPage(SW_EMAIL);
  await openSpringPep(sw.page, 'Poppyfields Academy');
  const pepPath = new URL(sw.page.url()).pathname;
  await expectNoAxeViolations(sw.page, 'the PEP task list');
  await screenshot(sw.page, '25-pep-task-list.png');
  await sw.page.getByRole('link', { name: "Social worker's update" }).click();
  await expectNoAxeViolations(sw.page, "the social worker's page");
  await sw.page.getByLabel("What has changed in the child's care since the last PEP?").fill('No change: the placement is settled and contact is going well.');
  await sw.page.locator('#autosave-status', { hasText: /^Saved at \d\d:\d\d$/ }).waitFor();
  await screenshot(sw.page, '26-sw-autosaved.png');

  // The designated teacher, without JavaScript: the same PEP, their own page.
  const dt = await signedInPage(DT_EMAIL, { javaScript: false });
  await dt.page.goto(url(pepPath));
  await dt.page.getByRole('link', { name: "Designated teacher's update" }).click();
  // (axe needs JavaScript: the same pages are checked in the SW's browser.)
  const firstBox = dt.page.locator('form textarea').first();
  await firstBox.fill('Good progress in reading; keep the weekly check-in with the key adult.');
  await dt.page.getByLabel("No, I'll come back to it later").check();
  await dt.page.getByRole('button', { name: 'Save and return to the PEP' }).click();
  await expectPath(dt.page, pepPath);
  // The social worker's page is read-only to the designated teacher.
  await dt.page.getByRole('link', { name: "Social worker's update" }).click();
  assert.equal(await dt.page.locator('form textarea').count(), 0, 'no form on a page the DT does not own');
  assert.match(normalise(await dt.page.locator('main').textContent()), /No change: the placement is settled/);

  // Both open the meeting page; the DT saves first, so the SW's autosave
  // stops and their save shows both versions to merge.
  await dt.page.goto(url(`${pepPath}/pages/meeting`));
  await sw.page.goto(url(`${pepPath}/pages/meeting`));
  await expectNoAxeViolations(sw.page, 'a page two people may edit');
  const discussion = (pg) => pg.locator('textarea[name=q_narrative]');
  await discussion(dt.page).fill('Meeting on 15 January after school.');
  await dt.page.getByRole('button', { name: 'Save and return to the PEP' }).click();
  await expectPath(dt.page, pepPath);
  await discussion(sw.page).fill('Meeting on 14 January at school, with the carer.');
  await sw.page.locator('#autosave-status', { hasText: 'someone else has saved this page' }).waitFor();
  await sw.page.getByRole('button', { name: 'Save and return to the PEP' }).click();
  await sw.page.locator('.govuk-error-summary', { hasText: 'Someone else saved this page' }).waitFor();
  assert.match(normalise(await sw.page.locator('form .govuk-inset-text', { hasText: '15 January' }).first().textContent()), /15 January after school/);
  await expectNoAxeViolations(sw.page, 'the merge page');
  await screenshot(sw.page, '27-merge.png');
  await discussion(sw.page).fill('Meeting on 15 January after school, with the carer.');
  await sw.page.getByLabel("No, I'll come back to it later").check();
  await sw.page.getByRole('button', { name: 'Save and return to the PEP' }).click();
  await expectPath(sw.page, pepPath);
  await expectNoAxeViolations(sw.page, 'the PEP after the merge');
  await screenshot(sw.page, '28-pep-after-merge.png');
  // The social worker raises a professional disagreement: the VS is asked
  // to attend the meeting.
  await sw.page.getByLabel('Raise a professional disagreement').fill('The school proposes a part-time timetable; the carer and I do not agree.');
  await sw.page.getByRole('button', { name: 'Raise a disagreement', exact: true }).click();
  await sw.page.waitForURL((u) => u.hash === '#disagreements');
  assert.match(normalise(await sw.page.locator('#disagreements ~ .govuk-inset-text').first().textContent()), /Open: the Virtual School should attend the meeting/);
  await expectNoAxeViolations(sw.page, 'the PEP with a professional disagreement');
  await screenshot(sw.page, '28b-disagreement.png');
  // The child's overview logs the changes to the PEP.
  await sw.page.goto(url(pepPath.split('/peps/')[0]));
  const log = sw.page.locator('table', { has: sw.page.locator('th', { hasText: 'PEP' }) }).last();
  const logText = normalise(await log.textContent());
  assert.match(logText, /Saved “The PEP meeting”/);
  assert.match(logText, /Created \(Termly review\)/);
  assert.match(logText, /Raised a professional disagreement/);
  await expectNoAxeViolations(sw.page, 'the child overview with its PEP change log');
  await screenshot(sw.page, '29-pep-change-log.png');
  await sw.context.close();
  await dt.context.close();
});

/** Opens the first autumn PEP still open for editing among the person's children at `school`. */
/** The first child at the school (of the person's learners) whose autumn PEP's status matches `wanted`: its PEP's path. */
async function openAutumnPep(page, school, wanted, accept = async () => true) {
  await page.goto(url('/learners'));
  await page.getByText('Filter learners').click();
  await page.getByLabel('School or setting').selectOption({ label: school });
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await page.waitForURL((u) => u.searchParams.has('school'));
  const children = await page.locator('table tbody tr a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  for (const child of children) {
    await page.goto(url(child));
    // A row of the PEP tables: the term is the row's heading and its link.
    const row = page.locator('table tbody tr', { has: page.locator('th a', { hasText: /^\s*Autumn 2026\/27\s*$/ }) })
      .filter({ hasText: wanted })
      .first();
    if ((await row.count()) === 0) continue;
    await Promise.all([page.waitForURL((u) => u.pathname.includes('/peps/')), row.locator('a').first().click()]);
    const pepPath = new URL(page.url()).pathname;
    if (await accept(page, pepPath)) return pepPath;
  }
  throw new Error(`no autumn PEP at ${school} that is ${wanted}`);
}

/** Whether the PEP's meeting has taken place and awaits confirmation (leaves the page on the PEP). */
async function meetingAwaitsConfirmation(page, pepPath) {
  await page.goto(url(pepPath + '/meeting'));
  const waiting = (await page.getByRole('button', { name: 'Confirm the meeting took place' }).count()) > 0;
  await page.goto(url(pepPath));
  return waiting;
}

/** An autumn PEP before its meeting. */
const openOpenAutumnPep = (page, school) => openAutumnPep(page, school, /Not started|In progress|Overdue/,
  async (p, pep) => !(await meetingAwaitsConfirmation(p, pep)));
/** An autumn PEP whose meeting has taken place, to be confirmed and recorded. */
const openMetAutumnPep = (page, school) => openAutumnPep(page, school, /In progress/, meetingAwaitsConfirmation);

/** Sets a GOV.UK date input, found by its legend, to day/month/year. */
async function fillDate(page, legend, [day, month, year], scope = page) {
  const group = scope.getByRole('group', { name: legend, exact: true });
  await group.getByLabel('Day').fill(String(day));
  await group.getByLabel('Month').fill(String(month));
  await group.getByLabel('Year').fill(String(year));
}

/** Fills a target's form after its description: area (if none), starting point, measure, by when, one action. */
async function writeTargetRest(page, who) {
  if ((await page.locator('select[name=q_area]').inputValue()) === '') {
    await page.locator('select[name=q_area]').selectOption('cognition_learning');
  }
  await page.locator('textarea[name=q_starting_point]').fill('Where things stand at this PEP: see the attendance and attainment pages.');
  if ((await page.locator('textarea[name=q_success_measure]').inputValue()) === '') {
    await page.locator('textarea[name=q_success_measure]').fill('A rise of 5 percentage points, checked every 2 weeks.');
  }
  await page.locator('input[name=q_due_kind][value=term]').check();
  await page.locator('input[name=q_due_term]').nth(1).check();
  if (who) {
    await page.locator('select[name=q_action_0_who]').selectOption(who);
    await page.locator('textarea[name=q_action_0_what]').fill('Meet every Friday to check progress and agree the next step.');
  }
}

/** Opens a page of the PEP by its task-list title; false if the child's PEP does not show it. */
async function openPage(page, pepPath, title) {
  await page.goto(url(pepPath));
  const link = page.getByRole('link', { name: title, exact: true });
  if ((await link.count()) === 0) return false;
  await Promise.all([page.waitForURL((u) => u.pathname.includes('/pages/') || u.pathname.endsWith('/documents') || u.pathname.endsWith('/targets') || u.pathname.endsWith('/sign-off')), link.first().click()]);
  return true;
}

async function saveCompleted(page, pepPath, where) {
  await page.getByLabel("Yes, I've completed this page").check();
  await page.getByRole('button', { name: 'Save and return to the PEP' }).click();
  await page.waitForURL((u) => u.pathname === pepPath, { timeout: ACTION_TIMEOUT_MS }).catch(async () => {
    const summary = normalise(await page.locator('.govuk-error-summary').textContent().catch(() => ''));
    throw new Error(`${where} was not saved: ${summary}`);
  });
}

/**
 * Opens each page of the PEP the person can edit that is not completed yet,
 * answers what is unanswered, marks it completed and saves: every page is
 * axe-checked on the way.
 */
async function completeRemainingPages(page, pepPath, who) {
  for (let round = 0; round < 40; round++) {
    await page.goto(url(pepPath));
    const items = page.locator('.govuk-task-list__item', { hasText: '(you can edit)' }).filter({ hasNot: page.locator('.govuk-task-list__status', { hasText: /^Completed$/ }) });
    const next = items
      .filter({ hasNot: page.getByRole('link', { name: 'Documents', exact: true }) })
      .filter({ hasNot: page.getByRole('link', { name: 'Sign-off', exact: true }) })
      .first();
    if ((await next.count()) === 0) return;
    const title = normalise(await next.locator('a').textContent());
    await Promise.all([page.waitForURL((u) => u.pathname.includes('/pages/')), next.locator('a').click()]);
    for (const box of await page.locator('form textarea').all()) {
      if ((await box.isVisible()) && !(await box.inputValue())) await box.fill(`Discussed at the meeting (${title}).`);
    }
    for (const input of await page.locator('form input.govuk-input[type=text]:not(.govuk-date-input__input)').all()) {
      if ((await input.isVisible()) && !(await input.inputValue())) await input.fill('Agreed');
    }
    for (const select of await page.locator('form select').all()) {
      if ((await select.isVisible()) && !(await select.inputValue())) await select.selectOption({ index: 1 });
    }
    const groups = await page.locator('form input[type=radio]').evaluateAll((radios) => [...new Set(radios.map((r) => r.name))]);
    for (const name of groups.filter((n) => n !== 'completed')) {
      if ((await page.locator(`form input[name="${name}"]:checked`).count()) === 0) {
        // As a person would: by its label (picture choices hide the input).
        const id = await page.locator(`form input[name="${name}"]`).first().getAttribute('id');
        const label = page.locator(`label[for="${id}"]`);
        if (await label.isVisible()) await label.click();
      }
    }
    await expectNoAxeViolations(page, `${title}, as ${who}`);
    await saveCompleted(page, pepPath, `${title}, as ${who}`);
  }
  throw new Error(`${who} still has pages to complete`);
}

browserTest('a designated teacher and a social worker fill every page of one PEP: attendance, SDQ, views, documents; the prompts block sign-off until answered', async (page) => {
  assert.ok(SW_EMAIL && DT_EMAIL, 'Set OPENPEP_SW_EMAIL and OPENPEP_DT_EMAIL');
  const sw = await signedInPage(SW_EMAIL);
  const pepPath = await openOpenAutumnPep(sw.page, 'Poppyfields Academy');
  const dt = await signedInPage(DT_EMAIL);
  const p = dt.page;

  // Attendance: a total that does not add up is refused and kept; 88% saves
  // and asks for an attendance target.
  assert.ok(await openPage(p, pepPath, 'Attendance'));
  await fillDate(p, 'Start of the period', [3, 9, 2026]);
  await fillDate(p, 'End of the period', [20, 11, 2026]);
  await p.getByLabel('Possible sessions', { exact: true }).fill('200');
  await p.getByLabel('Sessions attended', { exact: true }).fill('201');
  await p.getByLabel('Authorised absence (sessions)', { exact: true }).fill('0');
  await p.getByLabel('Unauthorised absence (sessions)').fill('10');
  await p.getByLabel("Yes, I've completed this page").check();
  await p.getByRole('button', { name: 'Save and return to the PEP' }).click();
  await p.locator('.govuk-error-summary').waitFor();
  assert.match(normalise(await p.locator('.govuk-error-summary__list').textContent()), /must not be more than the 200 possible sessions/);
  assert.equal(await p.getByLabel('Sessions attended', { exact: true }).inputValue(), '201');
  await expectNoAxeViolations(p, 'the attendance page with errors');
  await screenshot(p, '30-attendance-errors.png');
  await p.getByLabel('Sessions attended', { exact: true }).fill('176');
  await p.getByLabel('Authorised absence (sessions)', { exact: true }).fill('14');
  await saveCompleted(p, pepPath, 'attendance');
  assert.ok(await openPage(p, pepPath, 'Attendance'));
  assert.equal(normalise(await p.locator('.app-figure__value').first().textContent()), '88%');
  await expectNoAxeViolations(p, 'the attendance page');
  await screenshot(p, '31-attendance.png');

  // Part-time timetable.
  assert.ok(await openPage(p, pepPath, 'Part-time timetable and alternative provision'));
  await p.getByLabel('Yes: a part-time timetable (fewer than 25 hours a week)').check();
  await p.locator('input[name=q_hours]').fill('20');
  await p.locator('textarea[name=q_purpose]').fill('A phased return after a long absence.');
  await p.locator('input[name=q_provider]').fill('Poppyfields Academy');
  await fillDate(p, 'Start date', [2, 11, 2026]);
  await fillDate(p, 'End date', [11, 12, 2026]);
  await p.locator('textarea[name=q_return_plan]').fill('An extra afternoon each week until full time by the end of term.');
  await p.locator('input[name=q_agreed_with_vs][value=yes]').check();
  await p.locator('input[name=q_agreed_by]').fill('The link officer');
  await fillDate(p, 'Date it was agreed', [30, 10, 2026]);
  await expectNoAxeViolations(p, 'the part-time timetable page');
  await screenshot(p, '32-part-time.png');
  await saveCompleted(p, pepPath, 'part-time timetable');

  // Exclusions: none.
  assert.ok(await openPage(p, pepPath, 'Suspensions and exclusions'));
  await p.locator('input[name=q_any][value=no]').check();
  await expectNoAxeViolations(p, 'the exclusions page');
  await screenshot(p, '33-exclusions.png');
  await saveCompleted(p, pepPath, 'exclusions');

  // Previous schools: the history from placements, plus one before care.
  assert.ok(await openPage(p, pepPath, 'Previous schools and settings'));
  await p.locator('input[name=q_school_0_name]').fill('Harbour Lane Primary');
  await fillDate(p, 'Date the child started', [1, 9, 2018], p.locator('.app-entry').first());
  await expectNoAxeViolations(p, 'the previous schools page');
  await screenshot(p, '34-previous-schools.png');
  await saveCompleted(p, pepPath, 'previous schools');

  // Attainment: the core subjects are listed; a second Maths is refused.
  assert.ok(await openPage(p, pepPath, 'Attainment and progress'));
  const entries = p.locator('.app-entry');
  const subjects = await entries.count();
  assert.ok(subjects >= 3, 'the core subjects are listed');
  for (let i = 0; i < subjects; i++) {
    const entry = entries.nth(i);
    await entry.locator('select[name$=_qualification]').selectOption('gcse');
    await entry.locator('input[name$=_current]').fill('4');
    await entry.locator('input[name$=_target]').fill('5');
    if ((await entry.locator('input[name$=_progress]').count()) > 0) {
      await entry.locator('input[name$=_progress]').fill(i === 0 ? '1' : '2');
      await entry.locator('input[name$=_measure][value=steps]').check();
    }
  }
  if ((await p.locator('input[name=q_overall]').count()) > 0) await p.locator('input[name=q_overall][value=green]').check();
  await p.getByRole('button', { name: 'Add another subject' }).click();
  await p.locator('.app-entry').nth(subjects).locator('select[name$=_subject]').selectOption('Maths');
  await p.getByRole('button', { name: 'Save and return to the PEP' }).click();
  await p.locator('.govuk-error-summary').waitFor();
  assert.match(normalise(await p.locator('.govuk-error-summary__list').textContent()), /Maths already has an entry/);
  await expectNoAxeViolations(p, 'the attainment page with a subject twice');
  await screenshot(p, '35-attainment-errors.png');
  await p.locator('.app-entry').nth(subjects).locator('select[name$=_subject]').selectOption('History');
  await p.locator('.app-entry').nth(subjects).locator('select[name$=_qualification]').selectOption('gcse');
  await p.locator('.app-entry').nth(subjects).locator('input[name$=_current]').fill('5');
  await p.locator('.app-entry').nth(subjects).locator('input[name$=_target]').fill('6');
  if ((await p.locator('.app-entry').nth(subjects).locator('input[name$=_progress]').count()) > 0) {
    await p.locator('.app-entry').nth(subjects).locator('input[name$=_progress]').fill('3');
    await p.locator('.app-entry').nth(subjects).locator('input[name$=_measure][value=steps]').check();
  }
  await saveCompleted(p, pepPath, 'attainment');
  assert.ok(await openPage(p, pepPath, 'Attainment and progress'));
  await expectNoAxeViolations(p, 'the attainment page');
  await screenshot(p, '36-attainment.png');

  // SEN (only for a child with SEN support or an EHC plan).
  if (await openPage(p, pepPath, 'Special educational needs')) {
    await expectNoAxeViolations(p, 'the SEN page');
    await screenshot(p, '37-sen.png');
  }

  // The 14 to 19 plan (from year 9).
  if (await openPage(p, pepPath, '14 to 19 plan: careers and post-16')) {
    await p.locator('textarea[name=q_aspirations]').fill('To train as a mechanic.');
    await p.locator('textarea[name=q_support]').fill('A taster day at the college with the carer.');
    await p.locator('input[name=q_intended_course]').fill('Level 2 motor vehicle');
    await p.locator('input[name=q_intended_provider]').fill('The local college');
    await expectNoAxeViolations(p, 'the 14 to 19 plan');
    await screenshot(p, '38-careers.png');
    await saveCompleted(p, pepPath, 'the 14 to 19 plan');
  }

  // SDQ: a scale of 11 is refused; a total of 18 asks for a wellbeing target.
  assert.ok(await openPage(p, pepPath, 'Strengths and Difficulties Questionnaire (SDQ)'));
  await p.locator('input[name=q_informant][value=teacher]').check();
  await fillDate(p, 'Date it was filled in', [10, 11, 2026]);
  for (const [name, score] of [['emotional', '11'], ['conduct', '5'], ['hyperactivity', '6'], ['peer', '2'], ['prosocial', '7']]) {
    await p.locator(`input[name=q_${name}]`).fill(score);
  }
  await p.getByRole('button', { name: 'Save and return to the PEP' }).click();
  await p.locator('.govuk-error-summary').waitFor();
  assert.match(normalise(await p.locator('.govuk-error-summary__list').textContent()), /Emotional symptoms score must be 10 or fewer/);
  await p.locator('input[name=q_emotional]').fill('5');
  await saveCompleted(p, pepPath, 'the SDQ');
  assert.ok(await openPage(p, pepPath, 'Strengths and Difficulties Questionnaire (SDQ)'));
  assert.match(normalise(await p.locator('main').textContent()), /18 out of 40/);
  await expectNoAxeViolations(p, 'the SDQ page');
  await screenshot(p, '39-sdq.png');

  // The child's views, with pictures, completed with support.
  assert.ok(await openPage(p, pepPath, 'My views on my learning'));
  await p.locator('input[name=q_mode][value=pictures]').check();
  // With JavaScript, only the part for the way chosen shows.
  assert.equal(await p.getByRole('heading', { name: 'Answer some questions' }).isVisible(), false);
  assert.equal(await p.getByRole('heading', { name: 'Choose pictures' }).isVisible(), true);
  for (const picture of ['q_like', 'q_hard', 'q_helps']) {
    await p.locator(`label[for="${picture}"]`).click();
  }
  await p.locator('input[name=q_support][value=with_support]').check();
  await p.locator('input[name=q_supported_by]').fill('Ms Tran, designated teacher');
  await expectNoAxeViolations(p, "the child's views page");
  await screenshot(p, '40-child-views.png');
  await saveCompleted(p, pepPath, "the child's views");

  // The designated teacher's own update (a free-text page).
  assert.ok(await openPage(p, pepPath, "Designated teacher's update"));
  await p.locator('textarea[name=q_going_well]').fill('Settled in tutor group; good progress in maths.');
  await p.locator('textarea[name=q_extra_support]').fill('Weekly mentoring with the key adult.');
  await saveCompleted(p, pepPath, "the designated teacher's update");

  // Documents: a renamed program is refused; a PDF is uploaded and listed.
  await p.goto(url(`${pepPath}/documents`));
  await p.locator('input[name=kind][value=support_plan]').check();
  await p.getByLabel('Title (optional)').fill('Support plan, autumn 2026');
  await p.setInputFiles('input[name=file]', { name: 'plan.pdf', mimeType: 'application/pdf', buffer: Buffer.from('MZ\x90\x00 not really a PDF') });
  await p.getByRole('button', { name: 'Upload', exact: true }).click();
  await p.locator('.govuk-error-summary').waitFor();
  assert.match(normalise(await p.locator('.govuk-error-summary__list').textContent()), /must be a PDF, Word document/);
  assert.equal(await p.getByLabel('Title (optional)').inputValue(), 'Support plan, autumn 2026');
  await expectNoAxeViolations(p, 'the documents page with an error');
  await p.locator('input[name=kind][value=support_plan]').check();
  await p.setInputFiles('input[name=file]', { name: 'plan.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
  await p.getByRole('button', { name: 'Upload', exact: true }).click();
  await p.waitForURL((u) => u.searchParams.has('uploaded'));
  assert.match(normalise(await p.locator('table').textContent()), /Support plan, autumn 2026/);
  await expectNoAxeViolations(p, 'the documents page');
  await screenshot(p, '41-documents.png');

  // The social worker: health, carer's views.
  const s = sw.page;
  assert.ok(await openPage(s, pepPath, 'Health and emotional wellbeing'));
  await fillDate(s, 'Date of the last health assessment', [14, 5, 2026]);
  await s.locator('textarea[name=q_wellbeing]').fill('Settled; sees the school counsellor fortnightly.');
  await expectNoAxeViolations(s, 'the health page');
  await screenshot(s, '42-health.png');
  await saveCompleted(s, pepPath, 'health');
  assert.ok(await openPage(s, pepPath, 'Parent and carer views'));
  await s.locator('input[name=q_who][value=foster_carer]').check();
  await s.locator('input[name=q_name]').fill('Robin Ashdown');
  await s.locator('textarea[name=q_going_well]').fill('Much happier going to school in the mornings.');
  await expectNoAxeViolations(s, 'the carer views page');
  await screenshot(s, '43-carer-views.png');
  await saveCompleted(s, pepPath, 'carer views');

  // Sign-off is refused until the attendance and wellbeing targets are written.
  assert.ok(await openPage(p, pepPath, 'Sign-off'));
  const blockers = async () => normalise(await p.locator('.govuk-inset-text').first().textContent());
  assert.match(await blockers(), /Write the attendance target on the targets page/);
  assert.match(await blockers(), /Write the emotional wellbeing target.* on the targets page/);
  await p.getByRole('button', { name: 'Mark my part completed' }).click();
  await p.locator('.govuk-error-summary').waitFor();
  assert.match(normalise(await p.locator('.govuk-error-summary__list').textContent()), /Write the attendance target on the targets page/);
  await expectNoAxeViolations(p, 'sign-off refused');
  await screenshot(p, '44-sign-off-refused.png');
  assert.ok(await openPage(p, pepPath, 'SMART targets and funding'));
  const targetsPath = new URL(p.url()).pathname;
  await expectNoAxeViolations(p, 'the targets page with its prompts');
  await screenshot(p, '45-targets-prompts.png');
  // The meeting starts with the last PEP's targets: the first is carried
  // forward (copied in as a draft), the rest achieved.
  let reviewed = 0;
  for (; reviewed < 8; reviewed++) {
    const review = p.getByRole('link', { name: /^Review this target/ }).first();
    if ((await review.count()) === 0) break;
    await review.click();
    const outcome = reviewed === 0 ? 'carried_forward' : 'achieved';
    await p.locator(`input[name=q_outcome][value=${outcome}]`).check();
    await p.locator('textarea[name=q_impact]').fill('Reads with the carer most evenings and enjoys choosing books.');
    await p.locator('textarea[name=q_evidence]').fill('The reading record and the class teacher’s assessment.');
    if ((await p.locator('textarea[name=q_spend_impact]').count()) > 0) {
      await p.locator('textarea[name=q_spend_impact]').fill('All ten tuition sessions took place; the tutor’s report shows the gains.');
    }
    if (reviewed === 0) {
      await expectNoAxeViolations(p, 'the review of a previous target');
      await screenshot(p, '45r-review-previous-target.png');
    }
    await p.getByRole('button', { name: 'Save review' }).click();
    await p.waitForURL((u) => u.pathname === targetsPath);
  }
  if (reviewed > 0) {
    assert.match(normalise(await p.locator('main').textContent()), /Carried forward/);
  }
  // Each prompt becomes a target written for it; the coach advises.
  for (let i = 0; i < 6; i++) {
    const prompt = p.locator('.govuk-notification-banner__link').first();
    if ((await prompt.count()) === 0) break;
    await prompt.click();
    await p.locator('textarea[name=q_description]').fill(`Alex will be helped to make steady progress here, reviewed by the end of the term (${i + 1}).`);
    await writeTargetRest(p, i === 0 ? 'carer' : 'designated_teacher');
    if (i === 0) {
      await expectNoAxeViolations(p, 'a target written for a prompt');
      await screenshot(p, '45a-target-form.png');
    }
    await p.getByRole('button', { name: 'Save target' }).click();
    await p.waitForURL((u) => u.pathname === targetsPath);
  }
  // A target from the bank of examples.
  await p.getByRole('link', { name: 'Start from an example' }).click();
  await p.getByLabel('Search the examples').fill('reading');
  await p.getByRole('button', { name: 'Search' }).click();
  await expectNoAxeViolations(p, 'the bank of example targets');
  await screenshot(p, '45b-target-bank.png');
  await p.getByRole('link', { name: /^Use this example/ }).first().click();
  assert.match(await p.locator('textarea[name=q_description]').inputValue(), /Alex|[A-Z][a-z]+/);
  await writeTargetRest(p, null);
  await p.getByRole('button', { name: 'Save target' }).click();
  await p.waitForURL((u) => u.pathname === targetsPath);
  assert.ok((await p.locator('.app-smart__tick').count()) >= 10, 'each target has its SMART ticks');
  // Funding: a purpose the policy will not consider is refused before submission.
  await p.getByRole('link', { name: /^Ask for funding/ }).first().click();
  await p.locator('input[name=q_source][value=pp_plus]').check();
  await p.locator('textarea[name=q_purchase]').fill('A new school blazer');
  await p.locator('select[name=q_category]').selectOption('uniform');
  await p.locator('input[name=q_amount]').fill('60');
  await p.getByRole('button', { name: 'Save request' }).click();
  await p.locator('.govuk-error-summary').waitFor();
  assert.match(normalise(await p.locator('.govuk-error-summary__list').textContent()), /will not be considered/);
  await expectNoAxeViolations(p, 'a funding request refused by the policy');
  await screenshot(p, '45c-funding-refused.png');
  await p.locator('textarea[name=q_purchase]').fill('Ten one-hour sessions of 1:1 reading tuition');
  await p.locator('select[name=q_category]').selectOption('core_tuition');
  await p.locator('input[name=q_amount]').fill('450');
  await p.getByRole('button', { name: 'Save request' }).click();
  await p.waitForURL((u) => u.pathname === targetsPath);
  await p.getByRole('button', { name: 'Submit funding request' }).click();
  await p.waitForURL((u) => u.pathname === targetsPath);
  assert.match(normalise(await p.locator('main').textContent()), /Awaiting approval of VS/);
  await p.getByRole('button', { name: 'Mark the draft targets agreed' }).click();
  await p.waitForURL((u) => u.pathname === targetsPath);
  await expectNoAxeViolations(p, 'the targets page with agreed targets and funding');
  await screenshot(p, '45d-targets-agreed.png');
  await saveCompleted(p, pepPath, 'targets');
  assert.ok(await openPage(p, pepPath, 'Sign-off'));
  assert.doesNotMatch(await blockers(), /targets page/);

  // Every other page each of them (and the Virtual School) completes: the
  // notes and free-text pages, answered and marked completed.
  const vs = await signedInPage(VS_EMAIL);
  for (const [who, person] of [['the designated teacher', p], ['the social worker', s], ['the Virtual School', vs.page]]) {
    await completeRemainingPages(person, pepPath, who);
  }
  // A Virtual School officer approves the request from the queue.
  const officer = await signedInPage(VS_EMAIL.replace('vs.admin@', 'vs.officer1@'));
  const vsPage = vs.page;
  vs.page = officer.page;
  await vs.page.goto(url('/funding'));
  await expectNoAxeViolations(vs.page, 'the funding approval queue');
  // The school's approved total for the term, from the totals table.
  const approvedAtSchool = async () => {
    const school = normalise(await vs.page.locator('tr', { hasText: 'Ten one-hour sessions of 1:1 reading tuition' }).locator('td').nth(1).locator('.govuk-body-s').textContent()).split(',')[0];
    const cell = vs.page.locator('table').last().locator('tr', { has: vs.page.locator('th', { hasText: school }) }).locator('td').nth(2);
    return Number((await cell.textContent()).replace(/[£,]/g, ''));
  };
  const approvedBefore = await approvedAtSchool();
  const request = vs.page.locator('tr', { hasText: 'Ten one-hour sessions of 1:1 reading tuition' });
  await request.locator('input[name=requests]').check();
  await vs.page.locator('input[name=kind][value=approve]').check();
  await vs.page.locator('textarea[name=note]').fill('Approved at panel.');
  await vs.page.getByRole('button', { name: 'Record the decision' }).click();
  await vs.page.locator('.govuk-notification-banner--success').waitFor();
  assert.match(normalise(await vs.page.locator('.govuk-notification-banner--success').textContent()), /1 request decided/);
  await screenshot(vs.page, '46b-funding-decided.png');
  // The budget moves: the school's approved total rises by the £450.
  await vs.page.goto(url('/funding?status=approved'));
  const approvedAfter = await approvedAtSchool();
  assert.equal(approvedAfter - approvedBefore, 450, `approved at the school: ${approvedBefore} then ${approvedAfter}`);
  await officer.context.close();
  vs.page = vsPage;
  await vs.page.goto(url(pepPath));
  const statuses = await vs.page.locator('.govuk-task-list__item').evaluateAll((items) =>
    items.map((i) => [i.querySelector('a')?.textContent.trim(), i.querySelector('.govuk-task-list__status')?.textContent.trim()]));
  const open = statuses.filter(([title, status]) => title !== 'Documents' && status !== 'Completed');
  assert.deepEqual(open, [['Sign-off', 'After the meeting']], 'every page of the PEP is completed; sign-off follows the meeting');
  await expectNoAxeViolations(vs.page, 'the PEP with every page completed');
  await screenshot(vs.page, '46a-pep-complete.png');
  await vs.context.close();

  // The overview: attendance and SDQ across PEPs as charts with tables, and the documents.
  await s.goto(url(pepPath.split('/peps/')[0]));
  assert.match(normalise(await s.locator('main').textContent()), /Attendance and wellbeing across PEPs/);
  assert.equal(await s.locator('svg.app-chart[role=img]').count(), 2);
  await expectNoAxeViolations(s, 'the child overview with attendance and SDQ charts');
  await screenshot(s, '46-overview-charts.png');
  await sw.context.close();
  await dt.context.close();
});

const YP_EMAIL = process.env.OPENPEP_YP_EMAIL || '';

browserTest('the designated teacher arranges the PEP meeting; the social worker proposes another time; the meeting is moved, axe-clean', async (page) => {
  assert.ok(SW_EMAIL && DT_EMAIL, 'Set OPENPEP_SW_EMAIL and OPENPEP_DT_EMAIL');
  const sw = await signedInPage(SW_EMAIL);
  const pepPath = await openOpenAutumnPep(sw.page, 'Poppyfields Academy');
  await signInWithCode(page, DT_EMAIL);
  await page.goto(url(pepPath));
  await page.getByRole('link', { name: /^(Arrange the PEP meeting|See the meeting arrangements)/ }).click();
  await expectPath(page, pepPath + '/meeting');
  await expectNoAxeViolations(page, 'the meeting page before it is arranged');
  await page.getByRole('link', { name: 'Arrange the meeting' }).click();
  assert.equal(await h1Text(page), 'Arrange the meeting');
  // A time that does not exist is refused; what was typed stays.
  const date = page.getByRole('group', { name: 'Date' });
  await date.getByLabel('Day').fill('3');
  await date.getByLabel('Month').fill('12');
  await date.getByLabel('Year').fill('2026');
  await page.getByLabel('Time', { exact: true }).fill('25:00');
  await page.getByLabel('1 hour', { exact: true }).check();
  await page.getByLabel('Where').fill('Poppyfields Academy, meeting room 2');
  await page.getByLabel('Who will chair the meeting').fill('The designated teacher');
  await page.getByLabel('Who will record the meeting').fill('The social worker');
  await page.getByRole('group', { name: 'People who work with the child' }).getByLabel(/Social worker/).first().check();
  await page.getByRole('button', { name: 'Save and send the invitations' }).click();
  await page.locator('.govuk-error-summary').waitFor();
  assert.match(normalise(await page.locator('.govuk-error-summary__list').textContent()), /Enter a real time/);
  assert.equal(await page.getByLabel('Where').inputValue(), 'Poppyfields Academy, meeting room 2');
  await expectNoAxeViolations(page, 'the meeting form with errors');
  await screenshot(page, '47a-meeting-errors.png');
  await page.getByLabel('Time', { exact: true }).fill('2:30pm');
  await page.getByRole('button', { name: 'Save and send the invitations' }).click();
  await page.locator('.govuk-notification-banner--success').waitFor();
  assert.match(normalise(await page.locator('.govuk-summary-list').textContent()), /Thursday 3 December 2026 at 2:30pm/);
  await expectNoAxeViolations(page, 'the arranged meeting');
  await screenshot(page, '47b-meeting-arranged.png');

  // The social worker proposes another time from their invitations.
  await sw.page.goto(url('/invitations'));
  assert.equal(await h1Text(sw.page), 'PEP invitations');
  await expectNoAxeViolations(sw.page, 'PEP invitations');
  await screenshot(sw.page, '47c-invitations.png');
  await sw.page.locator('tr', { has: sw.page.locator(`a[href="${pepPath}"]`) }).getByRole('link', { name: /^Answer/ }).click();
  await sw.page.getByLabel('I propose another time').check();
  const proposed = sw.page.getByRole('group', { name: 'If you propose another time: the date' });
  await proposed.getByLabel('Day').fill('4');
  await proposed.getByLabel('Month').fill('12');
  await proposed.getByLabel('Year').fill('2026');
  await sw.page.getByLabel('If you propose another time: the time').fill('9:30am');
  await sw.page.getByLabel(/A note for whoever arranged the meeting/).fill('I am in court on the 3rd.');
  await expectNoAxeViolations(sw.page, 'answering an invitation');
  await screenshot(sw.page, '47d-answer.png');
  await sw.page.getByRole('button', { name: 'Send your answer' }).click();
  await sw.page.locator('.govuk-notification-banner--success').waitFor();
  assert.match(normalise(await sw.page.locator('main').textContent()), /You proposed Friday 4 December 2026 at 9:30am/);
  await sw.context.close();

  // The teacher sees the proposal and moves the meeting.
  await page.goto(url(pepPath + '/meeting'));
  assert.match(normalise(await page.locator('main').textContent()), /Proposed Friday 4 December 2026 at 9:30am/);
  await page.getByRole('link', { name: 'Change the meeting' }).click();
  const moved = page.getByRole('group', { name: 'Date' });
  await moved.getByLabel('Day').fill('4');
  await page.getByLabel('Time', { exact: true }).fill('9:30am');
  await page.getByLabel(/Why is the meeting changing/).fill('The social worker is in court on the 3rd.');
  await page.getByRole('button', { name: 'Save and send the invitations' }).click();
  await page.locator('.govuk-notification-banner--success').waitFor();
  assert.match(normalise(await page.locator('main').textContent()), /Moved to Friday 4 December 2026 at 9:30am/);
  await expectNoAxeViolations(page, 'the moved meeting with its history');
  await screenshot(page, '47e-meeting-moved.png');
});

browserTest('a young person shares their views on a phone, with faces and pictures, axe-clean', async () => {
  assert.ok(YP_EMAIL, 'Set OPENPEP_YP_EMAIL to the young person account');
  // A phone: its own context, with touch.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  try {
    await signInWithCode(page, YP_EMAIL);
    await page.goto(url('/learners'));
    await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/children/')), page.locator('table tbody a').first().click()]);
    const pep = page.locator('table', { hasText: 'Current PEPs' }).locator('tbody a').first();
    await Promise.all([page.waitForURL((u) => u.pathname.includes('/peps/')), pep.click()]);
    const views = page.getByRole('link', { name: /^My views/ }).first();
    await Promise.all([page.waitForURL((u) => u.pathname.includes('/pages/')), views.click()]);
    await page.locator('input[name=q_mode][value=questions]').check();
    // The faces are big targets: tap one.
    const face = page.locator('label.app-pictures__label').nth(3);
    const box = await face.boundingBox();
    assert.ok(box, 'the faces are shown');
    assert.ok(box.width >= 44 && box.height >= 44, `a face is a big target (${box.width}x${box.height})`);
    await face.tap();
    await page.locator('textarea').first().fill('I like art and my new friend Sam.');
    await page.locator('input[name=q_support][value=own]').check();
    await expectNoAxeViolations(page, "the young person's views page on a phone");
    await screenshot(page, '47-young-person-phone.png');
    await page.getByLabel("Yes, I've completed this page").check();
    await page.getByRole('button', { name: 'Save and return to the PEP' }).click();
    await page.waitForURL((u) => !u.pathname.includes('/pages/'));
    assert.deepEqual(pageErrors, [], 'uncaught JavaScript errors in the page');
  } finally {
    await context.close();
  }
});

browserTest('after the meeting: it is confirmed, the record is written, each part marked, the PEP signed off, the next PEP made and the PDF downloaded, axe-clean', async (page) => {
  assert.ok(SW_EMAIL && DT_EMAIL, 'Set OPENPEP_SW_EMAIL and OPENPEP_DT_EMAIL');
  const sw = await signedInPage(SW_EMAIL);
  const pepPath = await openMetAutumnPep(sw.page, 'Poppyfields Academy');
  const childPath = pepPath.split('/peps/')[0];
  await signInWithCode(page, DT_EMAIL);

  // The meeting took place: the designated teacher confirms it.
  await page.goto(url(pepPath + '/meeting'));
  await page.getByRole('button', { name: 'Confirm the meeting took place' }).click();
  await page.locator('.govuk-notification-banner--success', { hasText: 'The meeting is confirmed as held' }).waitFor();
  await expectNoAxeViolations(page, 'the meeting confirmed');
  await screenshot(page, '47z-meeting-confirmed.png');

  // The meeting record: who was there starts from who accepted.
  assert.ok(await openPage(page, pepPath, 'The PEP meeting'));
  assert.ok((await page.locator('input[name=q_present_0_name]').inputValue()).length > 0, 'the invitees who came are listed');
  await page.getByLabel('Yes, for the whole meeting').check();
  for (const box of await page.locator('input[name=q_agenda]').all()) await box.check();
  for (const select of await page.locator('select[name^=q_scale_]').all()) await select.selectOption('7');
  for (const note of await page.locator('textarea[name^=q_scale_][name$=_note]').all()) await note.fill('Everyone agreed: better than last term.');
  await page.locator('textarea[name=q_narrative]').fill('A review of last term\'s targets shows reading is on track, so the next targets focus on writing. The young person asked for a quiet space at lunch; as a result we agreed the library pass.');
  await expectNoAxeViolations(page, 'the meeting record');
  await screenshot(page, '48a-meeting-record.png');
  await saveCompleted(page, pepPath, 'the meeting record');

  // Sign-off: a next meeting eight months away is refused and kept.
  assert.ok(await openPage(page, pepPath, 'Sign-off'));
  const signOff = pepPath + '/sign-off';
  await fillDate(page, 'Date', [18, 7, 2027]);
  await page.getByLabel('Time').fill('09:30');
  await page.getByRole('button', { name: 'Save the next meeting' }).click();
  await page.locator('.govuk-error-summary').waitFor();
  assert.match(normalise(await page.locator('.govuk-error-summary__list').textContent()), /must be within 6 months of this one/);
  assert.equal(await page.getByLabel('Time').inputValue(), '09:30');
  await expectNoAxeViolations(page, 'the next meeting refused');
  await screenshot(page, '48b-next-meeting-refused.png');
  await fillDate(page, 'Date', [18, 3, 2027]);
  await page.getByRole('button', { name: 'Save the next meeting' }).click();
  await page.locator('.govuk-notification-banner--success').waitFor();
  await page.getByRole('button', { name: 'Mark my part completed' }).click();
  await page.locator('.govuk-notification-banner--success', { hasText: 'Your part is marked completed' }).waitFor();
  // Not yet: the social worker's part is unmarked.
  await page.getByRole('button', { name: 'Sign off the PEP' }).click();
  await page.locator('.govuk-error-summary').waitFor();
  assert.match(normalise(await page.locator('.govuk-error-summary__list').textContent()), /not yet the social worker/);

  // The social worker marks theirs (and the young person, if they have an account).
  await sw.page.goto(url(signOff));
  await sw.page.getByRole('button', { name: 'Mark my part completed' }).click();
  await sw.page.locator('.govuk-notification-banner--success').waitFor();
  if ((await sw.page.locator('th', { hasText: 'Young person' }).count()) > 0) {
    const yp = await signedInPage(YP_EMAIL);
    await yp.page.goto(url(signOff));
    await yp.page.getByRole('button', { name: 'Mark my part completed' }).click();
    await yp.page.locator('.govuk-notification-banner--success').waitFor();
    await yp.context.close();
  }
  await expectNoAxeViolations(sw.page, 'sign-off with parts marked');
  await screenshot(sw.page, '48c-parts-marked.png');

  // The designated teacher signs it off.
  await page.goto(url(signOff));
  await page.getByRole('button', { name: 'Sign off the PEP' }).click();
  await page.locator('.govuk-notification-banner--success', { hasText: 'The PEP is signed off' }).waitFor();
  await expectNoAxeViolations(page, 'the signed-off PEP');
  // The worker makes the PDF: wait for its link.
  const download = page.getByRole('link', { name: 'Download version 1 (PDF)' });
  for (let i = 0; i < 60 && (await download.count()) === 0; i++) {
    await page.waitForTimeout(1000);
    await page.reload();
  }
  await screenshot(page, '48d-signed-off.png');
  const href = await download.getAttribute('href');
  const response = await page.request.get(url(href));
  assert.equal(response.status(), 200);
  assert.equal(response.headers()['content-type'], 'application/pdf');
  const pdf = await response.body();
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const pdfFile = path.join(SCREENSHOT_DIR, '48e-signed-off-pep.pdf');
  writeFileSync(pdfFile, pdf);
  try {
    execFileSync('pdftoppm', ['-png', '-r', '60', pdfFile, path.join(SCREENSHOT_DIR, '48e-pdf-page')]);
  } catch {
    console.log('pdftoppm is not installed: the PDF was not turned into pictures');
  }

  // The next term's PEP is there, its meeting set for the agreed date.
  await page.goto(url(childPath));
  const next = page.locator('table tbody tr', { hasText: /Spring 2026\/27/ }).first();
  await next.waitFor();
  await Promise.all([page.waitForURL((u) => u.pathname.includes('/peps/')), next.locator('a').first().click()]);
  await page.goto(url(new URL(page.url()).pathname + '/sign-off'));
  assert.match(normalise(await page.locator('.govuk-summary-list').first().textContent()), /Thursday 18 March 2027 at 9:30am/);
  await expectNoAxeViolations(page, 'the next PEP');
  await screenshot(page, '48f-next-pep.png');
  await sw.context.close();
});

browserTest('the Virtual School posts a notice and a designated teacher sees it on their home page, axe-clean', async (page) => {
  assert.ok(VS_EMAIL && DT_EMAIL, 'Set OPENPEP_VS_EMAIL and OPENPEP_DT_EMAIL');
  await signInWithCode(page, VS_EMAIL);
  await page.goto(url('/notices'));
  await page.getByRole('link', { name: 'Post a notice' }).click();
  await page.getByRole('button', { name: 'Save the notice' }).click();
  await page.locator('.govuk-error-summary').waitFor();
  assert.match(normalise(await page.locator('.govuk-error-summary__list').textContent()), /Enter a title.*Enter the notice/);
  await expectNoAxeViolations(page, 'a notice refused');
  await page.getByLabel('Title').fill('Spring term PEP deadline');
  await page.getByLabel('Notice').fill('Spring PEPs must be signed off by 25 March.\nThe Virtual School team can help with targets.');
  await page.getByLabel('Yes').check();
  await screenshot(page, '49a-notice-form.png');
  await page.getByRole('button', { name: 'Save the notice' }).click();
  await expectPath(page, '/notices');
  // A guidance document attached to it.
  await page.locator('tbody tr', { hasText: 'Spring term PEP deadline' }).getByRole('link', { name: 'Add' }).click();
  await page.getByLabel('Attach a document').setInputFiles({
    name: 'Spring PEP guidance.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% spring guidance\n'),
  });
  await page.getByRole('button', { name: 'Attach the document' }).click();
  await page.locator('.govuk-notification-banner--success').waitFor();
  await expectNoAxeViolations(page, 'a notice\'s attachments');
  await screenshot(page, '49b-notice-attachments.png');
  await page.goto(url('/notices'));
  await expectNoAxeViolations(page, 'the notice board');
  await screenshot(page, '49b-notice-board.png');
  const dt = await signedInPage(DT_EMAIL);
  await dt.page.goto(url('/learners'));
  assert.match(normalise(await dt.page.locator('.app-notices').textContent()), /Pinned Spring term PEP deadline/);
  const guidance = dt.page.locator('.app-notices').getByRole('link', { name: 'Spring PEP guidance.pdf' });
  const download = await dt.page.request.get(url(await guidance.getAttribute('href')));
  assert.equal(download.status(), 200);
  assert.equal((await download.body()).subarray(0, 5).toString(), '%PDF-');
  await expectNoAxeViolations(dt.page, 'the home page with a notice');
  await screenshot(dt.page, '49c-home-with-notice.png');
  await dt.context.close();
});

browserTest('a social worker messages a child\'s designated teacher, who sees the unread count, reads and replies, axe-clean', async (page) => {
  assert.ok(SW_EMAIL && DT_EMAIL, 'Set OPENPEP_SW_EMAIL and OPENPEP_DT_EMAIL');
  const sw = await signedInPage(SW_EMAIL);
  const pepPath = await openOpenAutumnPep(sw.page, 'Poppyfields Academy');
  const childPath = pepPath.split('/peps/')[0];
  await sw.page.goto(url(childPath));
  await sw.page.getByRole('link', { name: /^Send a message about/ }).click();
  await expectPath(sw.page, childPath + '/messages/new');
  // Nothing chosen or written: refused, the subject kept.
  await sw.page.getByLabel('Subject').fill('Maths tutoring');
  await sw.page.getByRole('button', { name: 'Send message' }).click();
  await sw.page.locator('.govuk-error-summary').waitFor();
  assert.match(normalise(await sw.page.locator('.govuk-error-summary__list').textContent()), /Choose who the message is for.*Enter your message/);
  assert.equal(await sw.page.getByLabel('Subject').inputValue(), 'Maths tutoring');
  await expectNoAxeViolations(sw.page, 'a message refused');
  await screenshot(sw.page, '50a-message-refused.png');
  await sw.page.locator('.govuk-checkboxes__item', { hasText: 'Designated teacher' }).first().locator('input').check();
  await sw.page.getByLabel('Message').fill('Could we add an hour of maths tutoring a week from January?\nI can ask the carer to help with homework.');
  await sw.page.getByRole('button', { name: 'Send message' }).click();
  await sw.page.locator('.govuk-notification-banner--success', { hasText: 'Your message has been sent' }).waitFor();
  const thread = new URL(sw.page.url()).pathname;
  await expectNoAxeViolations(sw.page, 'the message sent');
  await screenshot(sw.page, '50b-message-sent.png');

  // The teacher: the count in the navigation, the inbox, the thread.
  await signInWithCode(page, DT_EMAIL);
  await page.goto(url('/messages'));
  assert.match(normalise(await page.locator('.govuk-service-navigation').textContent()), /Your messages \d+ unread/);
  const row = page.locator('tbody tr', { hasText: 'Maths tutoring' });
  assert.match(normalise(await row.textContent()), /Unread/);
  await expectNoAxeViolations(page, 'the inbox');
  await screenshot(page, '50c-inbox.png');
  await row.getByRole('link', { name: 'Maths tutoring' }).click();
  await expectPath(page, thread);
  await page.getByLabel('Your reply').fill('Yes: I will add it to the targets at the PEP meeting.');
  await page.getByRole('button', { name: 'Send reply' }).click();
  await page.locator('.govuk-notification-banner--success').waitFor();
  await expectNoAxeViolations(page, 'the conversation');
  await screenshot(page, '50d-conversation.png');

  // The social worker sees the reply.
  await sw.page.goto(url(thread));
  assert.match(normalise(await sw.page.locator('main').textContent()), /I will add it to the targets/);
  await sw.context.close();
});

const VSO_EMAIL = process.env.OPENPEP_VSO_EMAIL || '';

browserTest('the Virtual School quality-assures a PEP: returned for improvement, improved by the designated teacher and graded, axe-clean', async (page) => {
  assert.ok(VSO_EMAIL && DT_EMAIL, 'Set OPENPEP_VSO_EMAIL and OPENPEP_DT_EMAIL');
  await signInWithCode(page, VSO_EMAIL);
  // A filter naming a term that does not exist is refused, not ignored.
  await page.goto(url('/quality?term=2026-winter'));
  await page.locator('.govuk-error-summary').waitFor();
  assert.match(normalise(await page.locator('.govuk-error-summary__list').textContent()), /Select a term from the list/);
  await expectNoAxeViolations(page, 'a refused filter');
  await screenshot(page, '51a-quality-filter-refused.png');

  // The queue, filtered to the school.
  await page.goto(url('/quality'));
  await page.getByText('Filter PEPs').click();
  await page.getByLabel('School or setting').selectOption({ label: 'Poppyfields Academy' });
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await page.waitForURL((u) => u.searchParams.has('school'));
  await expectNoAxeViolations(page, 'the quality assurance queue');
  await screenshot(page, '51b-quality-queue.png');
  const first = page.locator('tbody tr').first();
  await Promise.all([page.waitForURL((u) => u.pathname.endsWith('/quality')), first.locator('a').first().click()]);
  const qaPath = new URL(page.url()).pathname;
  const pepPath = qaPath.replace(/\/quality$/, '');
  assert.match(await h1Text(page), /Quality assurance Signed off/);
  assert.ok(await page.locator('.govuk-task-list__item').count() > 5, 'the completeness check lists its items');
  await expectNoAxeViolations(page, 'a PEP\'s quality assurance');
  await screenshot(page, '51c-quality-check.png');

  // "Requires improvement" waits for a return.
  await page.getByLabel('Requires improvement to be good').check();
  await page.getByRole('button', { name: 'Save the grade' }).click();
  await page.locator('.govuk-error-summary').waitFor();
  assert.match(normalise(await page.locator('.govuk-error-summary__list').textContent()), /Return the PEP for improvement before grading/);
  await expectNoAxeViolations(page, 'a grade refused');

  // Returned, with what to improve, by when and the page to reopen.
  await page.getByLabel('What needs to improve').fill('Say who gives the extra support in class, and how often.');
  await fillDate(page, 'Improvements due by', [7, 12, 2026]);
  const updatePage = page.getByLabel("Designated teacher's update", { exact: true });
  if (!(await updatePage.isChecked())) await updatePage.check();
  await page.getByRole('button', { name: 'Return for improvement' }).click();
  await page.locator('.govuk-notification-banner--success', { hasText: 'returned for improvement' }).waitFor();
  await screenshot(page, '51d-quality-returned.png');

  // The designated teacher improves the page and sends the PEP back.
  const dt = await signedInPage(DT_EMAIL);
  await dt.page.goto(url(`${pepPath}/sign-off`));
  assert.match(normalise(await dt.page.locator('main').textContent()), /returned this PEP for improvement.*Say who gives the extra support/);
  await expectNoAxeViolations(dt.page, 'a returned PEP\'s sign-off');
  await screenshot(dt.page, '51e-returned-to-school.png');
  await dt.page.getByRole('link', { name: "Designated teacher's update" }).click();
  await dt.page.waitForURL((u) => u.pathname.endsWith('/pages/school_update'));
  const support = dt.page.locator('textarea').nth(2);
  await support.fill('A teaching assistant supports in English and maths, three lessons a week.');
  await saveCompleted(dt.page, pepPath, "the designated teacher's update");
  await dt.page.goto(url(`${pepPath}/sign-off`));
  await dt.page.getByRole('button', { name: 'Send the improved PEP back' }).click();
  await dt.page.locator('.govuk-notification-banner--success', { hasText: 'back with the Virtual School' }).waitFor();
  await dt.context.close();

  // Graded, the progress judgement confirmed.
  await page.goto(url(qaPath));
  assert.match(await h1Text(page), /Signed off/);
  await page.getByLabel('Requires improvement to be good').check();
  const rag = page.locator('input[name=progress_rag]');
  if ((await rag.count()) > 0 && (await page.locator('input[name=progress_rag]:checked').count()) === 0) {
    await page.getByLabel('Good (green)').check();
  }
  await page.getByLabel('Comments').fill('Improved when returned: the support is now clear.');
  await page.getByRole('button', { name: 'Save the grade' }).click();
  await page.locator('.govuk-notification-banner--success', { hasText: 'quality assured' }).waitFor();
  assert.match(await h1Text(page), /Quality assured/);
  assert.match(normalise(await page.locator('table').last().textContent()), /Graded: Requires improvement to be good.*Returned for improvement, due 7 December 2026/);
  await expectNoAxeViolations(page, 'a graded PEP');
  await screenshot(page, '51f-quality-graded.png');
});

browserTest('the Virtual School reads the dashboard, filters it, downloads a table and chases a late PEP; a designated teacher sees their school only, axe-clean', async (page) => {
  assert.ok(VSO_EMAIL && DT_EMAIL, 'Set OPENPEP_VSO_EMAIL and OPENPEP_DT_EMAIL');
  await signInWithCode(page, VSO_EMAIL);
  await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
  await expectPath(page, '/dashboard');
  assert.equal(await h1Text(page), 'Dashboard');
  for (const title of ['Children with an in-date PEP', 'PEPs by status', 'Overdue PEPs', 'Attendance', 'SDQ bands', 'Pupil Premium Plus by school', 'Reminders sent']) {
    await page.getByRole('heading', { name: title, exact: true }).waitFor();
  }
  assert.ok(await page.locator('svg.app-chart').count() >= 4, 'charts beside the tables');
  await expectNoAxeViolations(page, 'the dashboard');
  await screenshot(page, '52a-dashboard.png');

  // Filtered to a phase; a term that does not exist is refused.
  await page.getByText('Filter the figures').click();
  await page.getByLabel('Phase', { exact: true }).selectOption({ label: 'Secondary' });
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await page.waitForURL((u) => u.searchParams.get('phase') === 'secondary');
  assert.match(normalise(await page.locator('main').textContent()), /children match the filters/);
  await screenshot(page, '52b-dashboard-secondary.png');
  await page.goto(url('/dashboard?term=2026-winter'));
  await page.locator('.govuk-error-summary').waitFor();
  assert.match(normalise(await page.locator('.govuk-error-summary__list').textContent()), /Select a term from the list/);
  await expectNoAxeViolations(page, 'a refused dashboard filter');

  // A table downloads as CSV.
  await page.goto(url('/dashboard'));
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'CSV of peps by status' }).click(),
  ]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.match(csv, /^Status,PEPs\r\n/);

  // A late PEP chased by hand.
  const overdue = page.locator('#overdue');
  await overdue.getByRole('button', { name: /Send reminder/ }).first().click();
  await page.locator('.govuk-notification-banner--success', { hasText: 'Reminder sent' }).waitFor();
  assert.match(normalise(await page.locator('#reminders').textContent()), /Sent by/);
  await expectNoAxeViolations(page, 'the dashboard after a reminder');
  await screenshot(page, '52c-dashboard-reminded.png');

  // A designated teacher sees their school's figures, and no other's.
  const dt = await signedInPage(DT_EMAIL);
  await dt.page.goto(url('/dashboard'));
  assert.match(await h1Text(dt.page), /^Dashboard: Poppyfields Academy$/);
  await expectNoAxeViolations(dt.page, "a school's dashboard");
  await screenshot(dt.page, '52d-dashboard-school.png');
  await dt.context.close();
});

browserTest('the Virtual School administrator checks the council\'s CSV of children, chooses its columns and imports it, axe-clean', async (page) => {
  assert.ok(VS_EMAIL, 'Set OPENPEP_VS_EMAIL');
  await signInWithCode(page, VS_EMAIL);
  await page.goto(url('/settings'));
  await page.getByRole('link', { name: 'Import children, care episodes, schools or attendance' }).click();
  await expectPath(page, '/imports');
  assert.equal(await h1Text(page), 'Import data');

  // Nothing chosen: the errors, and the page keeps its place.
  await page.getByRole('button', { name: 'Check the file', exact: true }).click();
  await page.locator('.govuk-error-summary').waitFor();
  assert.match(normalise(await page.locator('.govuk-error-summary__list').textContent()), /Select what the file holds.*Select a CSV file/);
  await expectNoAxeViolations(page, 'the import page with errors');

  // A file whose "Ref" column the guess cannot place.
  const stamp = Date.now().toString(36).toUpperCase();
  const csv = `Ref,First name,Last name,Date of birth,Gender\r\nE2E-${stamp}-1,Ivy,Marsh,02/04/2015,Female\r\nE2E-${stamp}-2,"Oli, Jr",Marsh,2016-05-03,Male\r\n`;
  await page.getByLabel('Children (the council\'s own CSV)').check();
  await page.setInputFiles('input[name=file]', { name: 'children.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Check the file', exact: true }).click();
  await page.waitForURL((u) => /^\/imports\/[0-9a-f-]+$/.test(u.pathname));
  assert.equal(await h1Text(page), 'Check the import');
  assert.match(normalise(await page.locator('#file-problems').textContent()), /child's id in the council's system/);
  await expectNoAxeViolations(page, 'an import that needs its columns');
  await screenshot(page, '53a-import-columns.png');

  await page.getByLabel("Child's ID in the council's system", { exact: true }).selectOption('Ref');
  await page.getByRole('button', { name: 'Check again with these columns', exact: true }).click();
  await page.getByRole('button', { name: 'Import 2 rows', exact: true }).waitFor();
  assert.match(normalise(await page.locator('main').textContent()), /New records 2/);
  await expectNoAxeViolations(page, 'a checked import');
  await screenshot(page, '53b-import-checked.png');

  await page.getByRole('button', { name: 'Import 2 rows', exact: true }).click();
  await page.locator('.govuk-notification-banner--success', { hasText: 'The file was imported' }).waitFor();
  await expectNoAxeViolations(page, 'an import done');
  await screenshot(page, '53c-import-done.png');
  await page.goto(url('/imports'));
  assert.match(normalise(await page.locator('table').textContent()), /children\.csv.*Imported/);
});

browserTest('the Virtual School administrator downloads a term\'s PEPs, the cohort and one young person\'s records, and reviews retention, axe-clean', async (page) => {
  assert.ok(VS_EMAIL, 'Set OPENPEP_VS_EMAIL');
  await signInWithCode(page, VS_EMAIL);
  await page.goto(url('/settings'));
  await page.getByRole('link', { name: 'Download a term\'s signed-off PEPs or the cohort\'s data' }).click();
  await expectPath(page, '/exports');
  assert.equal(await h1Text(page), 'Download data');
  await expectNoAxeViolations(page, 'the downloads page');
  await screenshot(page, '54a-exports.png');

  const [pdfs] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download the PDFs (zip)', exact: true }).click(),
  ]);
  assert.match(pdfs.suggestedFilename(), /^openpep-peps-\d{4}-(autumn|spring|summer)\.zip$/);
  const zipBytes = readFileSync(await pdfs.path());
  assert.equal(zipBytes.subarray(0, 2).toString(), 'PK');

  const [cohort] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download as CSV', exact: true }).click(),
  ]);
  const csv = readFileSync(await cohort.path(), 'utf8');
  assert.match(csv.split('\r\n')[0], /^Child ID,First name,Last name/);
  assert.ok(csv.split('\r\n').length > 100, 'a row a child');

  await page.goto(url('/settings'));
  await page.getByRole('link', { name: 'Review records kept past their retention date' }).click();
  await expectPath(page, '/retention');
  assert.equal(await h1Text(page), 'Records past retention');
  await expectNoAxeViolations(page, 'the retention page');
  await screenshot(page, '54b-retention.png');

  await page.goto(url('/learners'));
  await page.locator('main table tbody a').first().click();
  await page.getByRole('link', { name: /^Download everything held about/ }).click();
  await page.waitForURL((u) => /^\/children\/[0-9a-f-]+\/records$/.test(u.pathname));
  assert.match(await h1Text(page), /^Everything held about /);
  await expectNoAxeViolations(page, 'a young person\'s records');
  await screenshot(page, '54c-child-records.png');
  const [records] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download the zip', exact: true }).click(),
  ]);
  assert.match(records.suggestedFilename(), /^openpep-records-C\d+-\d{4}-\d{2}-\d{2}\.zip$/);
  assert.equal(readFileSync(await records.path()).subarray(0, 2).toString(), 'PK');
});

browserTest('the Virtual School administrator makes an API token, sees it once, calls the API with it and revokes it, axe-clean', async (page) => {
  assert.ok(VS_EMAIL, 'Set OPENPEP_VS_EMAIL');
  await signInWithCode(page, VS_EMAIL);
  await page.goto(url('/settings'));
  await page.getByRole('link', { name: 'Make or revoke tokens for the API' }).click();
  await expectPath(page, '/settings/api-tokens');
  assert.equal(await h1Text(page), 'API tokens');

  // Nothing chosen: the errors, and the name typed is kept.
  const name = `Nightly sync ${Date.now().toString(36)}`;
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Make a token', exact: true }).click();
  await page.locator('.govuk-error-summary').waitFor();
  assert.match(normalise(await page.locator('.govuk-error-summary__list').textContent()), /Choose what the token may do/);
  assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), name);
  await expectNoAxeViolations(page, 'the token form with an error');

  await page.getByLabel('Read only', { exact: true }).check();
  await page.getByRole('button', { name: 'Make a token', exact: true }).click();
  const secret = normalise(await page.locator('#new-token').textContent());
  assert.match(secret, /^opep_[A-Za-z0-9_-]{40,}$/);
  await expectNoAxeViolations(page, 'a token just made');
  await screenshot(page, '55a-api-token-made.png');

  const called = await page.request.get(url('/api/v1/children?per_page=1'), { headers: { Authorization: `Bearer ${secret}` } });
  assert.equal(called.status(), 200);
  assert.equal((await called.json()).items.length, 1);

  await page.goto(url('/settings/api-tokens'));
  assert.ok(!(await page.content()).includes(secret), 'shown only once');
  await page.getByRole('button', { name: `Revoke the token ${name}` }).click();
  await page.locator('.govuk-notification-banner--success', { hasText: 'Token revoked' }).waitFor();
  await expectNoAxeViolations(page, 'the tokens after a revocation');
  await screenshot(page, '55b-api-token-revoked.png');
  const refused = await page.request.get(url('/api/v1/children'), { headers: { Authorization: `Bearer ${secret}` } });
  assert.equal(refused.status(), 401);
  assert.equal(refused.headers()['content-type'], 'application/problem+json');
});
