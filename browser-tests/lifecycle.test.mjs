// A complaint's whole life through the staff pages, in headless Chromium: sign in, log it, acknowledge,
// extend, respond, escalate, and answer stage 2 as a different reviewer, reading every due date off the page.
// axe checks each page visited against WCAG 2.2 AA.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './support/server.mjs';
import {
  dueDate,
  expectAccessible,
  fillComplaintForm,
  launch,
  newContext,
  logComplaint,
  openStep,
  recordStep,
  signIn,
  signOut,
  submitComplaint,
} from './support/browser.mjs';

let server;
let browser;
let context;
let page;
let reviewer;
const dialogs = [];

before(async () => {
  server = await startServer();
  reviewer = server.addUser({
    email: 'reviewer@example.org',
    name: 'Rita Reviewer',
    role: 'reviewer',
    password: 'long-enough-password',
  });
  browser = await launch();
  context = await newContext(browser);
  page = await context.newPage();
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the sign-in page is accessible, and a wrong password is refused in the error summary', async () => {
  await page.goto(`${server.baseUrl}/`);
  assert.equal(new URL(page.url()).pathname, '/sign-in', 'signed-out visitors are sent to sign in');
  await expectAccessible(page, 'the sign-in page');

  await page.getByLabel('Email address').fill(server.adminEmail);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const summary = page.locator('.error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /The email address or password is not right/);
  assert.match(await page.title(), /^Error: /);
  await expectAccessible(page, 'the sign-in page with an error');
});

test('the dashboard, the new-complaint form and its errors are accessible', async () => {
  await signIn(page, server.baseUrl, server.adminEmail, server.adminPassword);
  await page.getByRole('heading', { level: 1, name: /work queue/i }).waitFor();
  await expectAccessible(page, 'the empty work queue');

  await page.getByRole('link', { name: 'Log a complaint' }).click();
  await page.getByRole('heading', { level: 1, name: 'Log a complaint' }).waitFor();
  await expectAccessible(page, 'the new-complaint form');

  // No date and no channel: the errors are summarised, each linked to its field.
  await page.locator('#received_on').fill('');
  await page.getByRole('button', { name: 'Log the complaint' }).click();
  const summary = page.locator('.error-summary');
  await summary.waitFor();
  for (const [message, target] of [
    ['Enter the date the complaint was received', 'received_on'],
    ['Select how the complaint reached us', 'channel'],
  ]) {
    const link = summary.getByRole('link', { name: message });
    assert.equal(await link.getAttribute('href'), `#${target}`, `"${message}" links to its field`);
    assert.equal(await page.locator(`[id="${target}"]`).count(), 1, `#${target} exists`);
    assert.match(await page.locator(`[id="${target}"]`).evaluate((e) => e.closest('.field-error, .field')?.innerText ?? ''), new RegExp(message));
    // The message beside the field is part of the field's description for screen readers.
    const describedBy = (await page.locator(`[id="${target}"]`).getAttribute('aria-describedby')) ?? '';
    assert.ok(describedBy.split(' ').includes(`${target}-error`), `#${target} is described by its error (${describedBy})`);
    assert.match(await page.locator(`[id="${target}-error"]`).innerText(), new RegExp(message));
  }
  assert.match(await page.title(), /^Error: /);
  await expectAccessible(page, 'the new-complaint form with errors');
  await summary.getByRole('link', { name: 'Enter the date the complaint was received' }).click();
  assert.ok(await page.locator('#received_on').isVisible());
  assert.equal(new URL(page.url()).hash, '#received_on');
});

let reference;

test('logging a complaint received on Friday 19 December 2025 starts the acknowledgement clock', async () => {
  reference = await logComplaint(page, server.baseUrl, {
    received_on: '2025-12-19',
    channel: 'email',
    'complainant.name': 'Ada Resident',
    'complainant.email': 'ada@example.org',
    'complainant.phone': '01632 960123',
    'complainant.address': '1 Example Street\nExampletown EX1 1AA',
    summary: 'The boiler has not worked since November and repairs did not come.',
    triage: 'complaint',
  });
  assert.match(reference ?? '', /^CMP-2025-\d{6}$/, 'the case page shows the new reference');
  assert.match(await page.locator('.banner').innerText(), /Done/);
  // 5 working days after Fri 19 Dec 2025, skipping the weekends and 25 and 26 December.
  assert.equal(await dueDate(page, 'stage1_acknowledge'), 'Tue 30 Dec 2025');
  await expectAccessible(page, 'the new case');
});

test('a second complaint from the same person is flagged as a possible duplicate', async () => {
  await page.goto(`${server.baseUrl}/complaints/new`);
  await fillComplaintForm(page, {
    received_on: '2026-01-05',
    channel: 'phone',
    'complainant.name': 'Ada Resident',
    'complainant.email': 'ada@example.org',
    summary: 'Another matter.',
  });
  const again = await submitComplaint(page);
  assert.equal(again, null, 'no case is created yet');
  const notice = page.locator('.notice');
  await notice.waitFor();
  assert.match(await notice.innerText(), /This person may already have an open complaint/);
  assert.equal(await notice.getByRole('link', { name: reference }).count(), 1, 'the notice links to the open case');
  assert.equal(await page.getByLabel('Log it as a new complaint').count(), 1);
  await expectAccessible(page, 'the new-complaint form with the duplicate warning');
});

test('acknowledging on 23 December sets the stage 1 response for Friday 9 January 2026', async () => {
  await page.goto(`${server.baseUrl}/complaints/${reference}`);
  await recordStep(page, 'acknowledge', { on: '2025-12-23' });
  assert.equal(await dueDate(page, 'stage1_response'), 'Fri 9 Jan 2026');
  const ack = page.locator('#clock-stage1_acknowledge');
  assert.match(await ack.innerText(), /Met/i, 'the acknowledgement clock is met');
});

test('an extension beyond the policy without agreement is refused in the error summary', async () => {
  await recordStep(page, 'extend', { on: '2026-01-07', working_days: '15', reason: 'We need a surveyor.' });
  const summary = page.locator('.error-summary');
  await summary.waitFor();
  const link = summary.getByRole('link', { name: /This extension needs the resident's recorded agreement/ });
  assert.equal(await link.count(), 1, await summary.innerText());
  const target = (await link.getAttribute('href')).slice(1);
  assert.ok(target.startsWith('extend-'), `the error links to a field of the extension form, not ${target}`);
  assert.equal(await page.locator(`[id="${target}"]`).count(), 1, 'the linked field exists');
  const describedBy = (await page.locator(`[id="${target}"]`).getAttribute('aria-describedby')) ?? '';
  assert.ok(describedBy.split(' ').includes(`${target}-error`), `#${target} is described by its error (${describedBy})`);
  assert.notEqual(await page.locator('#step-extend').getAttribute('open'), null, 'the failed step stays open');
  assert.equal(await page.locator('#extend-working_days').inputValue(), '15', 'what was typed is kept');
  assert.equal(await dueDate(page, 'stage1_response'), 'Fri 9 Jan 2026', 'nothing was recorded');
  await expectAccessible(page, 'the case page with a refused step');
});

test('extending by 10 working days moves the response to Friday 23 January', async () => {
  await page.goto(`${server.baseUrl}/complaints/${reference}`);
  await recordStep(page, 'extend', { on: '2026-01-07', working_days: '10', reason: 'We need a surveyor.' });
  assert.equal(await page.locator('.error-summary').count(), 0);
  assert.equal(await dueDate(page, 'stage1_response'), 'Fri 23 Jan 2026');
});

test('every step form on the case page is accessible when open', async () => {
  await page.goto(`${server.baseUrl}/complaints/${reference}`);
  for (const details of await page.locator('details.step').all()) {
    const id = await details.getAttribute('id');
    await openStep(page, id.replace(/^step-/, ''));
  }
  await expectAccessible(page, 'the case page with every step open');
});

test('responding at stage 1 on 22 January, then the resident escalating on Friday 27 March', async () => {
  await page.goto(`${server.baseUrl}/complaints/${reference}`);
  await recordStep(page, 'respond', { on: '2026-01-22', outcome: 'partly_upheld' });
  assert.equal(await page.locator('.error-summary').count(), 0, 'the response is recorded');
  assert.match(await page.locator('#clock-stage1_response').innerText(), /Met/i);

  await recordStep(page, 'escalate', { on: '2026-03-27', reasons: 'The boiler still does not work.' });
  assert.equal(await page.locator('.error-summary').count(), 0, 'the escalation is recorded');
  // 5 working days after Fri 27 Mar 2026, skipping Good Friday and Easter Monday.
  assert.equal(await dueDate(page, 'stage2_acknowledge'), 'Tue 7 Apr 2026');
  await expectAccessible(page, 'the case page at stage 2');
});

test('a different reviewer acknowledges and answers stage 2', async () => {
  await signOut(page, server.baseUrl);
  await signIn(page, server.baseUrl, reviewer.email, reviewer.password);
  await page.goto(`${server.baseUrl}/complaints/${reference}`);

  await recordStep(page, 'acknowledge', { on: '2026-04-07' });
  assert.equal(await page.locator('.error-summary').count(), 0, 'the stage 2 acknowledgement is recorded');
  assert.equal(await dueDate(page, 'stage2_response'), 'Wed 6 May 2026');

  await recordStep(page, 'respond', { on: '2026-05-06', outcome: 'upheld' });
  assert.equal(await page.locator('.error-summary').count(), 0, 'the stage 2 response is recorded');
  assert.match(await page.locator('#clock-stage2_response').innerText(), /Met/i);
  await expectAccessible(page, 'the case page after the final response');
});

test('a stage response letter says what it lacks, and a general letter is previewed and issued', async () => {
  await page.goto(`${server.baseUrl}/complaints/${reference}`);
  await openStep(page, 'write-letter');
  await page.locator('#letter-kind').selectOption('stage_response');
  await page.locator('#step-write-letter button[type="submit"]').click();
  await page.waitForURL(/\/letters\/[^/]+$/);
  // The final response was recorded without reasons for its decision: the letter names what it lacks.
  await page.getByRole('heading', { name: 'What the letter still needs before it can be issued' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Issue the letter' }).count(), 0, 'no way to issue it yet');
  await expectAccessible(page, 'a draft letter that lacks something');

  await page.goto(`${server.baseUrl}/complaints/${reference}`);
  await openStep(page, 'write-letter');
  await page.locator('#letter-kind').selectOption('general');
  await page.locator('#letter-paragraphs').fill('We have booked the boiler repair for Monday 11 May 2026.');
  await page.locator('#step-write-letter button[type="submit"]').click();
  await page.waitForURL(/\/letters\/[^/]+$/);
  assert.match(await page.locator('.letter-preview').innerText(), /booked the boiler repair for Monday 11 May 2026/);
  assert.match(await page.locator('.letter-preview').innerText(), new RegExp(reference));
  await expectAccessible(page, 'a draft letter ready to issue');
  await page.getByRole('button', { name: 'Issue the letter' }).click();
  await page.locator('.banner').waitFor();
  assert.match(await page.locator('.banner').innerText(), /issued and recorded on the case/);
  assert.equal(await page.getByRole('button', { name: 'Issue the letter' }).count(), 0, 'an issued letter is not issued again');
  await expectAccessible(page, 'an issued letter');
  await page.goto(`${server.baseUrl}/complaints/${reference}`);
  assert.match(await page.locator('#letters + ul').innerText(), /General letter, issued/);
});

test('the policies and a policy are accessible', async () => {
  await page.getByRole('link', { name: 'Policies' }).click();
  await page.getByRole('heading', { level: 1, name: 'Policies' }).waitFor();
  await expectAccessible(page, 'the policies page');
  await page.getByRole('link', { name: /Complaint Handling Code/ }).first().click();
  await page.waitForURL(/\/policies\/.+/);
  await page.locator('details summary').click();
  await expectAccessible(page, 'a policy page');
});

test('no page opened a dialog', () => {
  assert.deepEqual(dialogs, []);
});
