// The staff pages need no JavaScript: with it switched off a person can still sign in, log a complaint and
// record a step (the step forms are native <details> elements).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './support/server.mjs';
import { dueDate, launch, logComplaint, newContext, recordStep, signIn, signOut } from './support/browser.mjs';

let server;
let browser;
let page;

before(async () => {
  server = await startServer();
  browser = await launch();
  const context = await newContext(browser, { javaScriptEnabled: false });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('JavaScript is really off', async () => {
  await page.goto(`${server.baseUrl}/sign-in`);
  // A <noscript> element's content is rendered only when scripting is disabled.
  await page.setContent('<noscript><p id="off">off</p></noscript>');
  assert.equal(await page.locator('#off').count(), 1);
});

test('signing in, with a refusal first, works without JavaScript', async () => {
  await page.goto(`${server.baseUrl}/`);
  assert.equal(new URL(page.url()).pathname, '/sign-in');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const summary = page.locator('.error-summary');
  await summary.waitFor();
  assert.equal(await summary.getByRole('link', { name: 'Enter your email address' }).getAttribute('href'), '#email');
  await signIn(page, server.baseUrl, server.adminEmail, server.adminPassword);
  await page.getByRole('heading', { level: 1, name: /work queue/i }).waitFor();
});

let reference;

test('logging a complaint works without JavaScript', async () => {
  reference = await logComplaint(page, server.baseUrl, {
    received_on: '2025-12-19',
    channel: 'phone',
    'complainant.name': 'Noel Script',
    'complainant.email': 'noel@example.org',
    summary: 'Mould in the bathroom.',
    triage: 'complaint',
  });
  assert.match(reference ?? '', /^CMP-2025-\d{6}$/);
  assert.equal(await dueDate(page, 'stage1_acknowledge'), 'Tue 30 Dec 2025');
});

test('recording a step from its <details> works without JavaScript', async () => {
  await recordStep(page, 'acknowledge', { on: '2025-12-23' });
  assert.equal(await dueDate(page, 'stage1_response'), 'Fri 9 Jan 2026');
  await recordStep(page, 'extend', { on: '2026-01-07', working_days: '15', reason: 'A survey.' });
  assert.match(await page.locator('.error-summary').innerText(), /This extension needs the resident's recorded agreement/);
  await recordStep(page, 'extend', { on: '2026-01-07', working_days: '15', reason: 'A survey.', resident_agreed: true });
  assert.equal(await page.locator('.error-summary').count(), 0);
  assert.equal(await dueDate(page, 'stage1_response'), 'Fri 30 Jan 2026');
});

test('the work queue lists the case, and signing out works without JavaScript', async () => {
  await page.goto(`${server.baseUrl}/`);
  assert.equal(await page.getByRole('link', { name: reference }).count(), 1);
  await signOut(page, server.baseUrl);
  assert.equal(new URL(page.url()).pathname, '/sign-in');
  await page.goto(`${server.baseUrl}/complaints/${reference}`);
  assert.equal(new URL(page.url()).pathname, '/sign-in', 'signed out for real');
});
