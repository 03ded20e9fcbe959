// Debian's Chromium driven by playwright-core, axe at WCAG 2.2 AA, and the steps every test shares.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { repoRoot } from './server.mjs';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Without the background-networking flags Chromium keeps trying to reach Google's services.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
  // Date fields as a UK user sees them (dd/mm/yyyy); needs Debian's chromium-l10n for the en-GB pack.
  '--lang=en-GB',
];

export async function launch() {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ARGS,
    headless: true,
    env: { ...process.env, LANG: 'en_GB.UTF-8', LANGUAGE: 'en_GB' },
  });
}

/** A browser context as a UK user's: British English (dates as dd/mm/yyyy in date fields), London time. */
export async function newContext(browser, options = {}) {
  return browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/London', viewport: { width: 1280, height: 900 }, ...options });
}

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

function describeViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    - ${n.target.join(' ')}\n      ${n.html}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`)
        .join('\n');
      return `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}`;
    })
    .join('\n');
}

/** Runs axe on the page as it is and fails, listing what axe found, on any violation. */
export async function expectAccessible(page, what) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  assert.equal(
    results.violations.length,
    0,
    `axe found ${results.violations.length} violation(s) on ${what} (${page.url()}):\n${describeViolations(results.violations)}`,
  );
}

export const screenshotDir = join(repoRoot, 'target', 'screenshots');

/** Writes a full-page screenshot to target/screenshots/NAME.png (a test artefact, never committed). */
export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export async function signIn(page, baseUrl, email, password) {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${baseUrl}/`);
}

export async function signOut(page, baseUrl) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.pathname === '/sign-in' || url.href === `${baseUrl}/`);
}

/**
 * Fills the "Log a complaint" form. `fields` names the form's inputs by id; radios are `channel` and `triage`
 * values. Submits and returns the reference the case page shows.
 */
export async function logComplaint(page, baseUrl, fields) {
  await page.goto(`${baseUrl}/complaints/new`);
  await fillComplaintForm(page, fields);
  return submitComplaint(page);
}

export async function fillComplaintForm(page, fields) {
  const { channel = 'email', triage, ...text } = fields;
  for (const [id, value] of Object.entries(text)) {
    const field = page.locator(`[id="${id}"]`);
    if (typeof value === 'boolean') {
      await field.setChecked(value);
    } else if ((await field.evaluate((e) => e.tagName)) === 'SELECT') {
      await field.selectOption(value);
    } else {
      await field.fill(value);
    }
  }
  await page.locator(`[id="channel-${channel}"]`).check();
  if (triage) await page.locator(`[id="triage-${triage}"]`).check();
}

export async function submitComplaint(page) {
  await page.getByRole('button', { name: 'Log the complaint' }).click();
  await page.waitForLoadState('load');
  const heading = (await page.getByRole('heading', { level: 1 }).textContent()) ?? '';
  const m = heading.match(/Complaint (\S+)/);
  return m ? m[1] : null;
}

/** Opens a step's `<details>` on the case page, fills its fields (`{field: value}`) and submits it. */
export async function recordStep(page, step, values) {
  const details = page.locator(`#step-${step}`);
  assert.equal(await details.count(), 1, `the case page offers the step "${step}"`);
  await openStep(page, step);
  for (const [name, value] of Object.entries(values)) {
    const field = page.locator(`[id="${step}-${name}"]`);
    if (typeof value === 'boolean') {
      await field.setChecked(value);
    } else if ((await field.evaluate((e) => e.tagName)) === 'SELECT') {
      await field.selectOption(value);
    } else {
      await field.fill(String(value));
    }
  }
  // The step's own button (the extension and response forms also offer one that writes their letter).
  await details.locator('button[type="submit"]:not([name="then"])').click();
  await page.waitForLoadState('load');
}

export async function openStep(page, step) {
  const details = page.locator(`#step-${step}`);
  if ((await details.getAttribute('open')) === null) {
    await details.locator('summary').click();
  }
  assert.notEqual(await details.getAttribute('open'), null, `#step-${step} opened`);
}

/** The due date a clock shows in the Deadlines table, e.g. "Tue 30 Dec 2025". */
export async function dueDate(page, clock) {
  const cell = page.locator(`#clock-${clock} .due`);
  assert.equal(await cell.count(), 1, `the Deadlines table has a row for ${clock}`);
  return ((await cell.textContent()) ?? '').trim();
}
