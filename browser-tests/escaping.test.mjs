// Complainant-supplied text is shown literally everywhere: markup typed into any free-text field, of the
// log-a-complaint form or of a step on the case file, comes back as text, never as elements or script.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './support/server.mjs';
import { expectAccessible, fillComplaintForm, launch, newContext, openStep, recordStep, signIn, submitComplaint } from './support/browser.mjs';

/** A payload naming the field it was typed into, so that each can be found on the page. */
const payload = (field) => `${field}: <script>alert(1)</script> <b>bold</b> "><img src=x onerror=alert(1)>`;

let server;
let browser;
let page;
const dialogs = [];

before(async () => {
  server = await startServer();
  // The approver of a contact restriction is a complaints manager, here with a hostile name.
  server.addUser({ email: 'approver@example.org', name: payload('approver'), role: 'complaints_manager', password: 'correct horse battery staple' });
  browser = await launch();
  const context = await newContext(browser);
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

/** Nothing typed became markup: no script, image or bold element exists, and no dialog fired. */
async function expectNothingInjected(what) {
  assert.equal(await page.locator('script').count(), 0, `no script element on ${what}`);
  assert.equal(await page.locator('img').count(), 0, `no img element on ${what}`);
  assert.equal(await page.locator('b').count(), 0, `no b element on ${what}`);
  assert.equal(await page.locator('[onerror]').count(), 0, `no onerror attribute on ${what}`);
  assert.deepEqual(dialogs, [], `no dialog fired on ${what}`);
}

/** The payload for `field` is on the page as text. */
async function expectShownLiterally(field, what) {
  const text = page.getByText(payload(field));
  assert.ok((await text.count()) >= 1, `${payload(field)} is shown literally on ${what}`);
  assert.ok(await text.first().isVisible(), `${payload(field)} is visible on ${what}`);
}

test('markup in the sign-in form and its query string is echoed as text', async () => {
  await page.goto(`${server.baseUrl}/sign-in?next=${encodeURIComponent('/"><img src=x onerror=alert(1)>')}`);
  await expectNothingInjected('the sign-in page with a hostile next');
  await page.getByLabel('Email address').fill(payload('email'));
  await page.getByLabel('Password').fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.error-summary').waitFor();
  await expectNothingInjected('the refused sign-in');
  // The server lower-cases what was typed; it comes back as the field's value, untouched otherwise.
  assert.equal(await page.getByLabel('Email address').inputValue(), payload('email').toLowerCase());
});

// A telephone number may be at most 40 characters: this one is 38.
const hostilePhone = '"><img src=x onerror=alert(1)><b>1</b>';

const complaintText = {
  'complainant.name': payload('name'),
  'complainant.phone': hostilePhone,
  'complainant.address': payload('address'),
  representative_name: payload('representative'),
  representative_relationship: payload('relationship'),
  summary: payload('summary'),
};

let reference;

test('markup in every free-text field of the log-a-complaint form is shown literally', async () => {
  await signIn(page, server.baseUrl, server.adminEmail, server.adminPassword);
  await page.goto(`${server.baseUrl}/complaints/new`);
  await fillComplaintForm(page, {
    ...complaintText,
    received_on: '',
    'complainant.email': 'hostile@example.org',
    representative_consent: true,
    channel: 'letter',
    triage: 'complaint',
  });
  // Refused for want of a date: every value comes back in its field as typed.
  await submitComplaint(page);
  await page.locator('.error-summary').waitFor();
  for (const [id, value] of Object.entries(complaintText)) {
    assert.equal(await page.locator(`[id="${id}"]`).inputValue(), value, `#${id} keeps its value`);
  }
  await expectNothingInjected('the new-complaint form with errors');

  // Too long a telephone number (markup and all) is refused, the summary naming the field.
  await page.locator('#received_on').fill('2026-11-02');
  await page.locator('[id="complainant.phone"]').fill(payload('phone'));
  await submitComplaint(page);
  const tooLong = page.locator('.error-summary').getByRole('link', { name: 'Telephone must be 40 characters or fewer' });
  assert.equal(await tooLong.getAttribute('href'), '#complainant.phone');
  assert.equal(await page.locator('[id="complainant.phone"]').inputValue(), payload('phone'));
  await expectNothingInjected('the refused telephone number');
  await expectAccessible(page, 'the new-complaint form with a refused telephone number');

  await page.locator('[id="complainant.phone"]').fill(hostilePhone);
  reference = await submitComplaint(page);
  assert.ok(reference, `the complaint was logged: ${await page.locator('main').innerText()}`);
  for (const field of ['name', 'address', 'representative', 'relationship', 'summary']) {
    await expectShownLiterally(field, 'the case page');
  }
  assert.ok(await page.getByText(hostilePhone).isVisible(), 'the telephone number is shown literally');
  await expectNothingInjected('the case page');
  await expectAccessible(page, 'the case page with hostile text');

  await page.goto(`${server.baseUrl}/`);
  await expectShownLiterally('name', 'the work queue');
  await expectNothingInjected('the work queue');

  // The same person again: the duplicate warning page re-renders every value.
  await page.goto(`${server.baseUrl}/complaints/new`);
  await fillComplaintForm(page, { ...complaintText, 'complainant.email': 'hostile@example.org', representative_consent: true, channel: 'letter' });
  assert.equal(await submitComplaint(page), null);
  await page.locator('.notice').waitFor();
  for (const [id, value] of Object.entries(complaintText)) {
    assert.equal(await page.locator(`[id="${id}"]`).inputValue(), value, `#${id} keeps its value`);
  }
  await expectNothingInjected('the duplicate warning');
});

test('markup in the reason for not accepting a complaint is shown literally', async () => {
  await page.goto(`${server.baseUrl}/complaints/new`);
  const ground = await page.locator('#exclusion option').nth(1).getAttribute('value');
  await fillComplaintForm(page, {
    received_on: '2026-11-02',
    anonymous: true,
    summary: payload('anonymous-summary'),
    triage: 'not_accepted',
    exclusion: ground,
    exclusion_reason: payload('exclusion-reason'),
  });
  assert.ok(await submitComplaint(page), 'the complaint was logged');
  await expectShownLiterally('anonymous-summary', 'the case page');
  await expectShownLiterally('exclusion-reason', 'the timeline');
  await expectNothingInjected('the case page of a complaint not accepted');
});

test('markup in the query string of the work queue is not echoed as markup', async () => {
  const hostile = encodeURIComponent('"><img src=x onerror=alert(1)><script>alert(1)</script>');
  await page.goto(`${server.baseUrl}/?received_from=${hostile}&received_to=${hostile}&stage=${hostile}&state=${hostile}&policy=${hostile}`);
  await expectNothingInjected('the filtered work queue');
});

test('markup in every free-text field of the step forms is shown literally', async () => {
  await page.goto(`${server.baseUrl}/complaints/${reference}`);
  // Dated within the clocks of a complaint received on 2 Nov 2026, so that an extension is still in time.
  await recordStep(page, 'acknowledge', { on: '2026-11-03' });
  await recordStep(page, 'define', {
    on: '2026-11-03',
    head_1: payload('head'),
    outcome_1: payload('outcome'),
    not_responsible_for: payload('not-ours'),
  });
  await expectShownLiterally('head', 'the complaint definition');
  await expectShownLiterally('outcome', 'the complaint definition');
  await expectShownLiterally('not-ours', 'the timeline');

  // A refused step re-renders what was typed into its form.
  await recordStep(page, 'extend', { on: '2026-11-04', working_days: '25', reason: payload('refused-reason') });
  await page.locator('.error-summary').waitFor();
  assert.equal(await page.locator('#extend-reason').inputValue(), payload('refused-reason'));
  await expectNothingInjected('the refused extension');

  await recordStep(page, 'extend', { on: '2026-11-04', working_days: '5', reason: payload('extension-reason') });
  await expectShownLiterally('extension-reason', 'the timeline');
  await recordStep(page, 'adjustments', { needs: payload('needs'), adjustments: payload('adjustments') });
  await expectShownLiterally('needs', 'the case page');
  await expectShownLiterally('adjustments', 'the case page');
  await recordStep(page, 'restrict-contact', {
    restriction: payload('restriction'),
    approved_by: { label: payload('approver') },
    review_on: '2027-01-04',
  });
  await expectShownLiterally('restriction', 'the case page');
  await expectShownLiterally('approver', 'the timeline');

  // The outcome select for head 1 is labelled with the head's (hostile) summary.
  await openStep(page, 'respond');
  assert.match(await page.locator('label[for="respond-head_1"]').textContent(), /head: <script>alert\(1\)<\/script>/);
  await recordStep(page, 'respond', {
    head_1: 'upheld',
    remedy_kind: 'apology',
    remedy_description: payload('remedy'),
    action: payload('action'),
    action_due: '2027-01-04',
  });
  assert.equal(await page.locator('.error-summary').count(), 0, 'the response is recorded');
  await expectShownLiterally('remedy', 'the case page');
  await expectShownLiterally('action', 'the case page');
  await recordStep(page, 'escalate', { reasons: payload('escalation-reasons') });
  await expectShownLiterally('escalation-reasons', 'the timeline');

  // Withdrawn, then reopened with a reason.
  await recordStep(page, 'close', { reason: 'withdrawn' });
  assert.equal(await page.locator('.error-summary').count(), 0, 'the case is closed');
  await recordStep(page, 'reopen', { reason: payload('reopen-reason') });
  assert.equal(await page.locator('.error-summary').count(), 0, 'the case is reopened');
  await expectShownLiterally('reopen-reason', 'the timeline');

  await expectNothingInjected('the case page after every step');
  for (const details of await page.locator('details.step').all()) {
    await openStep(page, (await details.getAttribute('id')).replace(/^step-/, ''));
  }
  await expectAccessible(page, 'the case page with hostile text and every step open');
});

test('markup typed into the work queue search box is shown as text, and the search finds its case', async () => {
  await page.goto(`${server.baseUrl}/`);
  const box = page.getByLabel('Find a case');
  await box.fill(payload('name'));
  await page.getByRole('button', { name: 'Find cases' }).click();
  await page.locator('.search-summary').waitFor();
  await expectNothingInjected('the work queue searched with markup');
  assert.equal(await box.inputValue(), payload('name'), 'the box keeps what was typed');
  assert.match(await page.locator('.search-summary').innerText(), /^\d+ cases? match(es)? '.*', newest first$/);
  assert.ok(await page.getByRole('link', { name: reference }).isVisible(), 'the case is found by its name');
  await expectAccessible(page, 'the work queue with a search');

  await box.fill('"><b>nothing like it</b>');
  await page.getByRole('button', { name: 'Find cases' }).click();
  await page.getByText('No open cases match').waitFor();
  await expectNothingInjected('the work queue with a search that finds nothing');
  await expectAccessible(page, 'the work queue with a search that finds nothing');
});
