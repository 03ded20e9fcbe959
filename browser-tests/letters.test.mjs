// Every kind of letter, issued through the staff pages on real cases under code-2024 and harrogate-ha, each
// PDF read back with pdftotext (poppler-utils) and checked for what the case says: the reference, the dates
// the case page shows for its clocks, the complaint's definition, the decisions and remedy, and the way to
// escalate or to the Ombudsman. The response and the extension are recorded by issuing their letters, so
// their dates and the clocks agree. Harrogate's checklist (its policy's section 10) is answered on the letter
// page; a "no" with no explanation is refused there, naming it. The server runs as of Friday 5 June 2026
// (REDRESS_TODAY): complaints received on Friday 22 May 2026 meet the Spring bank holiday on 25 May.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './support/server.mjs';
import {
  dueDate,
  expectAccessible,
  launch,
  logComplaint,
  newContext,
  openStep,
  recordStep,
  screenshot,
  signIn,
} from './support/browser.mjs';

const TODAY = '2026-06-05';
let server;
let browser;
let page;
let reviewer;
let manager;
const scratch = mkdtempSync(join(tmpdir(), 'redress-letters-'));

before(async () => {
  server = await startServer({ env: { REDRESS_TODAY: TODAY } });
  reviewer = server.addUser({ email: 'rita@example.org', name: 'Rita Reviewer', role: 'reviewer', password: 'long-enough-password' });
  manager = server.addUser({ email: 'mo@example.org', name: 'Mo Manager', role: 'complaints_manager', password: 'long-enough-password' });
  browser = await launch();
  page = await (await newContext(browser)).newPage();
  await signIn(page, server.baseUrl, server.adminEmail, server.adminPassword);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** The letter's PDF as text, whitespace folded, read with pdftotext from poppler-utils. */
async function pdfText(letterId) {
  const response = await page.request.get(`${server.baseUrl}/letters/${letterId}/pdf`);
  assert.equal(response.status(), 200, 'the PDF downloads');
  assert.equal(response.headers()['content-type'], 'application/pdf');
  const file = join(scratch, `${letterId}.pdf`);
  writeFileSync(file, await response.body());
  const r = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `pdftotext read the PDF: ${r.stderr}`);
  return r.stdout.replace(/\s+/g, ' ');
}

/** The DOCX opens as a zip whose document part holds the letter's words. */
async function docxText(letterId) {
  const response = await page.request.get(`${server.baseUrl}/letters/${letterId}/docx`);
  assert.equal(response.status(), 200, 'the Word document downloads');
  const file = join(scratch, `${letterId}.docx`);
  writeFileSync(file, await response.body());
  const r = spawnSync('unzip', ['-p', file, 'word/document.xml'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `the Word document is a valid zip with word/document.xml: ${r.stderr}`);
  return r.stdout.replace(/<[^>]+>/g, '');
}

function letterId() {
  // A refused issue answers its POST (/letters/ID/issue) with the letter's page again.
  const m = new URL(page.url()).pathname.match(/^\/letters\/([^/]+?)(?:\/issue)?$/);
  assert.ok(m, `on a letter's page, not ${page.url()}`);
  return m[1];
}

/** Writes a letter of `kind` from the case file, with the officer's own paragraph. */
async function writeLetter(reference, kind, paragraph = '') {
  await page.goto(`${server.baseUrl}/complaints/${reference}`);
  await openStep(page, 'write-letter');
  await page.locator('#letter-kind').selectOption(kind);
  if (paragraph) await page.locator('#letter-paragraphs').fill(paragraph);
  await page.locator('#step-write-letter button[type="submit"]').click();
  await page.waitForURL(/\/letters\/[^/]+$/);
  return letterId();
}

/** Answers every checklist question yes, then issues the letter by post; returns the PDF's text. */
async function issue(what) {
  const id = letterId();
  assert.equal(await page.locator('#missing-heading').count(), 0, `${what} lacks nothing: ${await page.locator('.notice').allInnerTexts()}`);
  for (const radio of await page.locator('#checklist input[type="radio"][value="yes"]').all()) {
    await radio.check();
  }
  await expectAccessible(page, `${what} ready to issue`);
  await page.getByRole('button', { name: 'Issue the letter' }).click();
  await page.locator('.banner').waitFor();
  assert.match(await page.locator('.banner').innerText(), /issued and recorded on the case/, `${what} is issued`);
  return pdfText(id);
}

async function assign(reference, name, on = TODAY) {
  await page.goto(`${server.baseUrl}/complaints/${reference}`);
  await openStep(page, 'assign');
  await page.locator('#assign-on').fill(on);
  // Officers are offered as "Name (Role)".
  const value = await page
    .locator('#assign-officer option')
    .evaluateAll((os, n) => os.find((o) => o.textContent.startsWith(`${n} (`))?.value, name);
  assert.ok(value, `${name} is offered`);
  await page.locator('#assign-officer').selectOption(value);
  await page.locator('#step-assign button[type="submit"]').click();
  await page.waitForLoadState('load');
  assert.equal(await page.locator('.error-summary').count(), 0, `${name} is assigned`);
}

async function define(reference, on = TODAY) {
  await page.goto(`${server.baseUrl}/complaints/${reference}`);
  await recordStep(page, 'define', {
    on,
    head_1: 'Damp and mould in the back bedroom were not treated',
    outcome_1: 'Treat the mould and fix its cause',
  });
  assert.equal(await page.locator('.error-summary').count(), 0, 'the complaint is defined');
}

let logged = 0;
const RESIDENTS = ['Grace Tenant', 'Ada Okoro', 'Mary Lewis', 'Ida Patel', 'Rosa Byrne', 'Nora Quinn', 'Eve Hart', 'Joy Mensah'];

/** Logs a complaint under `policy`, each from a resident of their own (so none is taken for a duplicate). */
async function logAt(policy, extra = {}) {
  logged += 1;
  const reference = await logComplaint(page, server.baseUrl, {
    received_on: '2026-05-22',
    policy,
    channel: 'email',
    'complainant.name': RESIDENTS[logged % RESIDENTS.length],
    'complainant.email': `resident${logged}@example.org`,
    'complainant.address': `${logged} Mill Lane\nHarrogate HG1 1AA`,
    summary: 'Mould in the back bedroom keeps coming back and nobody has treated it.',
    triage: 'complaint',
    ...extra,
  });
  assert.match(reference ?? '', /^CMP-2026-\d{6}$/);
  return reference;
}

for (const policy of ['code-2024', 'harrogate-ha']) {
  const harrogate = policy === 'harrogate-ha';
  let reference;

  test(`${policy}: the acknowledgement names the complaint, its response date and (Harrogate) the handler`, async () => {
    reference = await logAt(policy);
    await assign(reference, 'Administrator', '2026-05-26');
    await define(reference, '2026-05-26');
    await recordStep(page, 'acknowledge', { on: '2026-05-26' });
    assert.equal(await page.locator('.error-summary').count(), 0, 'acknowledged on Tuesday 26 May');
    const due = await dueDate(page, 'stage1_response');
    const handler = (await page.locator('.summary-list, dl').first().innerText()).match(/Assigned to\s+(.+)/)?.[1]?.trim();
    await writeLetter(reference, 'acknowledgement');
    const text = await issue('the acknowledgement');
    assert.match(text, new RegExp(reference));
    assert.match(text, /Damp and mould in the back bedroom were not treated/);
    assert.match(text, /Treat the mould and fix its cause/);
    assert.ok(text.includes(due), `the acknowledgement gives the response date the clock shows (${due}): ${text}`);
    assert.match(text, new RegExp(RESIDENTS[logged % RESIDENTS.length]), 'the letter is addressed to the resident');
    if (harrogate) {
      assert.match(text, /Housing Ombudsman/, 'Harrogate gives the Ombudsman in its acknowledgement');
      if (handler) assert.ok(text.includes(handler), `Harrogate names the handler ${handler}`);
    }
  });

  test(`${policy}: issuing the extension letter records the extension, and the letter gives the clock's new date`, async () => {
    await page.goto(`${server.baseUrl}/complaints/${reference}`);
    const before = await dueDate(page, 'stage1_response');
    await openStep(page, 'extend');
    await page.locator('#extend-working_days').fill('5');
    await page.locator('#extend-reason').fill('We are waiting for the damp surveyor’s report.');
    const agreed = page.locator('#extend-resident_agreed');
    if (await agreed.count()) await agreed.check();
    await page.locator('#step-extend').getByRole('button', { name: 'Write the extension letter with it' }).click();
    await page.waitForURL(/\/letters\/[^/]+$/);
    assert.match(await page.locator('main').innerText(), /Issuing this letter records the .* extension/);
    const text = await issue('the extension letter');
    await page.goto(`${server.baseUrl}/complaints/${reference}`);
    const after = await dueDate(page, 'stage1_response');
    assert.notEqual(after, before, 'the extension moved the clock');
    assert.ok(text.includes(after), `the letter gives the new date the clock shows (${after})`);
    assert.ok(text.includes(before), `and the date it replaces (${before})`);
    assert.match(text, /damp surveyor’s report/);
    assert.match(text, /Housing Ombudsman/);
    assert.doesNotMatch(await page.locator('.warnings').innerText().catch(() => ''), /extension recorded on .* has no letter/);
  });

  test(`${policy}: issuing the stage 1 response letter records the response with its decisions, remedy and way on`, async () => {
    await page.goto(`${server.baseUrl}/complaints/${reference}`);
    await openStep(page, 'respond');
    if (await page.locator('#respond-head_1').count()) {
      await page.locator('#respond-head_1').selectOption('upheld');
      await page.locator('#respond-reasons_1').fill('Our surveyor found untreated mould on 3 June 2026.');
    } else {
      await page.locator('#respond-outcome').selectOption('upheld');
    }
    await page.locator('#respond-remedy_kind').selectOption('compensation');
    await page.locator('#respond-remedy_description').fill('For the distress and inconvenience');
    await page.locator('#respond-remedy_amount').fill('150.00');
    await page.locator('#respond-remedy_due').fill('2026-06-19');
    await page.locator('#respond-action').fill('Treat the mould and fit an extractor fan');
    await page.locator('#respond-action_due').fill('2026-06-26');
    await page.locator('#step-respond').getByRole('button', { name: 'Write the response letter with it' }).click();
    await page.waitForURL(/\/letters\/[^/]+$/);
    const id = letterId();
    if (harrogate) {
      // A "no" needs an explanation: refused on the letter's page, naming the question.
      for (const radio of await page.locator('#checklist input[type="radio"][value="yes"]').all()) await radio.check();
      await page.locator('#checklist-apology-no').check();
      await page.getByRole('button', { name: 'Issue the letter' }).click();
      const summary = page.locator('.error-summary');
      await summary.waitFor();
      assert.match(await summary.innerText(), /Explain the "no" to "Did the letter contain an apology\?"/);
      assert.equal(letterId(), id, 'the letter page is shown again');
      assert.equal(await page.locator('#checklist-apology-no').isChecked(), true, 'the answers given are kept');
      await expectAccessible(page, 'a letter whose checklist was refused');
      await page.locator('#checklist-apology-explanation').fill('The apology is in the compensation paragraph.');
      await page.getByRole('button', { name: 'Issue the letter' }).click();
      await page.locator('.banner').waitFor();
    }
    const text = harrogate ? await pdfText(id) : await issue('the stage 1 response');
    await screenshot(page, `letter-response-${policy}-desktop`);
    await page.setViewportSize({ width: 375, height: 800 });
    await screenshot(page, `letter-response-${policy}-phone`);
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.match(text, new RegExp(reference));
    assert.match(text, /Damp and mould in the back bedroom were not treated/);
    assert.match(text, /[Uu]pheld/);
    assert.match(text, /£150\.00/);
    assert.match(text, /Treat the mould and fit an extractor fan/);
    assert.match(text, harrogate ? /Review/ : /Stage 2/, 'the way to the next stage');
    if (await page.locator('#respond-head_1').count()) assert.match(text, /untreated mould on 3 June 2026/);
    await page.goto(`${server.baseUrl}/complaints/${reference}`);
    assert.match(await page.locator('#clock-stage1_response').innerText(), /Met/i, 'the response is recorded');
    assert.ok((await page.locator('#clock-stage1_response').innerText()).includes('Fri 5 Jun 2026'), 'met the day the letter was issued');
    assert.doesNotMatch(await page.locator('main').innerText(), /response recorded on .* has no letter issued/);
    const word = await docxText(id);
    assert.match(word, new RegExp(reference), 'the Word document holds the letter');
    assert.match(word, /extractor fan/);
  });

  test(`${policy}: the escalation acknowledgement gives stage 2's response date`, async () => {
    await page.goto(`${server.baseUrl}/complaints/${reference}`);
    await recordStep(page, 'escalate', { on: TODAY, reasons: 'The mould is back already.' });
    assert.equal(await page.locator('.error-summary').count(), 0, 'the escalation is recorded');
    await assign(reference, reviewer.name);
    await define(reference);
    await recordStep(page, 'acknowledge', { on: TODAY });
    const due = await dueDate(page, 'stage2_response');
    await writeLetter(reference, 'escalation_acknowledgement');
    const text = await issue('the escalation acknowledgement');
    assert.match(text, new RegExp(reference));
    assert.ok(text.includes(due), `the letter gives the stage 2 response date (${due})`);
    assert.match(text, /Rita Reviewer/);
  });

  test(`${policy}: a contact restriction letter says what, until when, and how to challenge it`, async () => {
    await page.goto(`${server.baseUrl}/complaints/${reference}`);
    await openStep(page, 'restrict-contact');
    await page.locator('#restrict-contact-restriction').fill('Please contact us only by email to complaints@example.org.');
    await page.locator('#restrict-contact-approved_by').selectOption({ label: manager.name });
    await page.locator('#restrict-contact-review_on').fill('2026-12-04');
    await page.locator('#step-restrict-contact button[type="submit"]').first().click();
    await page.waitForLoadState('load');
    assert.equal(await page.locator('.error-summary').count(), 0, 'the restriction is recorded');
    await writeLetter(reference, 'contact_restriction');
    const text = await issue('the contact restriction letter');
    assert.match(text, /only by email to complaints@example\.org/);
    assert.match(text, /Fri 4 Dec 2026/);
    assert.match(text, /review/i);
  });

  test(`${policy}: closing the case, the closure letter; and a general letter on letterhead`, async () => {
    await page.goto(`${server.baseUrl}/complaints/${reference}`);
    await openStep(page, 'close');
    const reasons = await page.locator('#close-reason option').allInnerTexts();
    await page.locator('#close-reason').selectOption({ index: 0 });
    await page.locator('#close-explanation').fill('The resident withdrew the complaint by email.');
    await page.locator('#step-close button[type="submit"]').first().click();
    await page.waitForLoadState('load');
    assert.equal(await page.locator('.error-summary').count(), 0, `the case is closed (${reasons.join(', ')})`);
    await writeLetter(reference, 'closure');
    const closure = await issue('the closure letter');
    assert.match(closure, new RegExp(reference));
    await writeLetter(reference, 'general', 'Your new extractor fan will be fitted on Monday 15 June 2026.');
    const general = await issue('the general letter');
    assert.match(general, /extractor fan will be fitted on Monday 15 June 2026/);
    await page.goto(`${server.baseUrl}/complaints/${reference}`);
    const list = await page.locator('#letters + ul').innerText();
    for (const name of ['Acknowledgement', 'Extension', 'Stage response', 'Escalation acknowledgement', 'Contact restriction', 'Closure', 'General letter']) {
      assert.match(list, new RegExp(`${name}.*issued`), `the case file lists the ${name} letter as issued`);
    }
    await expectAccessible(page, 'the case file with its letters');
  });

  test(`${policy}: a complaint not accepted gets the reason and the Ombudsman; a refused escalation likewise`, async () => {
    await page.goto(`${server.baseUrl}/complaints/new`);
    const group = page.locator(`#exclusion optgroup`).filter({ has: page.locator('option') });
    const labels = await group.evaluateAll((gs) => gs.map((g) => g.label));
    const ours = labels.findIndex((l) => l.toLowerCase().includes(harrogate ? 'harrogate' : 'complaint handling code'));
    assert.ok(ours >= 0, `the grounds of ${policy} are listed (${labels.join(' | ')})`);
    const ground = await group.nth(ours).locator('option').first().getAttribute('value');
    const refused = await logAt(policy, {
      triage: 'not_accepted',
      exclusion: ground,
      exclusion_reason: 'This is being decided in the county court.',
    });
    await writeLetter(refused, 'not_accepted');
    const text = await issue('the not-accepted letter');
    assert.match(text, new RegExp(refused));
    assert.match(text, /decided in the county court/);
    assert.match(text, /Housing Ombudsman/);

    const escalated = await logAt(policy);
    await define(escalated, '2026-05-26');
    await recordStep(page, 'acknowledge', { on: '2026-05-26' });
    assert.equal(await page.locator('.error-summary').count(), 0, 'acknowledged on Tuesday 26 May');
    await page.goto(`${server.baseUrl}/complaints/${escalated}`);
    await openStep(page, 'respond');
    if (await page.locator('#respond-head_1').count()) {
      await page.locator('#respond-head_1').selectOption('not_upheld');
      await page.locator('#respond-reasons_1').fill('The mould was treated on 1 June 2026.');
    } else {
      await page.locator('#respond-outcome').selectOption('not_upheld');
    }
    await page.locator('#respond-on').fill('2026-06-01');
    await page.locator('#step-respond button[type="submit"]').first().click();
    await page.waitForLoadState('load');
    assert.equal(await page.locator('.error-summary').count(), 0, 'the response is recorded on its own');
    assert.match(await page.locator('main').innerText(), /response recorded on Mon 1 Jun 2026 has no letter issued/, 'warned of until a letter is issued');
    await recordStep(page, 'escalate', { on: TODAY });
    await openStep(page, 'refuse-escalation');
    const grounds = await page.locator('#refuse-escalation-ground option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
    await page.locator('#refuse-escalation-ground').selectOption(grounds[0]);
    await page.locator('#refuse-escalation-explanation').fill('Your complaint is before the court.');
    await page.locator('#step-refuse-escalation button[type="submit"]').first().click();
    await page.waitForLoadState('load');
    assert.equal(await page.locator('.error-summary').count(), 0, 'the escalation is refused');
    await writeLetter(escalated, 'escalation_refused');
    const refusal = await issue('the escalation-refused letter');
    assert.match(refusal, /Your complaint is before the court/);
    assert.match(refusal, /Housing Ombudsman/);
  });
}
