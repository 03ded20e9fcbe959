// Documents on the case file, in headless Chromium: attach a small PDF, see it listed, download it byte for
// byte, a wrong type refused in the error summary linked to the file field, and a viewer who sees neither
// names nor download links. axe checks the case file with its documents against WCAG 2.2 AA; screenshots
// of the Documents section at 1280 and 375 px wide go to target/screenshots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from './support/server.mjs';
import {
  expectAccessible,
  launch,
  logComplaint,
  newContext,
  openStep,
  screenshotDir,
  signIn,
  signOut,
} from './support/browser.mjs';

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);

let server;
let browser;
let context;
let page;
let viewer;
let reference;

before(async () => {
  server = await startServer();
  viewer = server.addUser({
    email: 'board@example.org',
    name: 'Bea Board',
    role: 'viewer',
    password: 'long-enough-password',
  });
  browser = await launch();
  context = await newContext(browser, { acceptDownloads: true });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function attach(file, description) {
  await page.goto(`${server.baseUrl}/complaints/${reference}`);
  await openStep(page, 'attach-document');
  await page.locator('#document-file').setInputFiles(file);
  if (description) await page.locator('#document-description').fill(description);
  await page.getByRole('button', { name: 'Attach the document' }).click();
  await page.waitForLoadState('load');
}

async function screenshotDocuments(width) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.setViewportSize({ width, height: 900 });
  const section = page.locator('#documents-section');
  await section.scrollIntoViewIfNeeded();
  await section.screenshot({ path: join(screenshotDir, `case-documents-${width}.png`) });
}

test('a PDF attached on the case file is listed, downloads byte for byte, and is on the timeline', async () => {
  await signIn(page, server.baseUrl, server.adminEmail, server.adminPassword);
  reference = await logComplaint(page, server.baseUrl, {
    received_on: '2025-12-19',
    channel: 'email',
    'complainant.name': 'Dora Document',
    'complainant.email': 'dora@example.org',
    summary: 'Water comes through the bedroom ceiling when it rains.',
    triage: 'complaint',
  });
  assert.match(reference ?? '', /^CMP-2025-\d{6}$/);
  await page.getByText('No document has been attached to this case.').waitFor();

  await attach({ name: 'Roof survey.pdf', mimeType: 'application/pdf', buffer: PDF }, 'Survey after the storm');
  await page.locator('#done').getByText('The document has been attached.').waitFor();
  const row = page.locator('#documents-section tbody tr');
  assert.equal(await row.count(), 1);
  const text = await row.innerText();
  assert.match(text, /Roof survey\.pdf/);
  assert.match(text, /PDF/);
  assert.match(text, /Survey after the storm/);
  assert.match(text, /Administrator/);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Roof survey.pdf' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'Roof survey.pdf');
  assert.deepEqual(readFileSync(await download.path()), PDF);

  assert.match(await page.locator('.timeline').innerText(), /Document added: Roof survey\.pdf/);
  await expectAccessible(page, 'the case file with a document');
  await screenshotDocuments(1280);
  await screenshotDocuments(375);
  await expectAccessible(page, 'the case file with a document, 375 px wide');
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('an HTML file named .pdf is refused in the error summary, linked to the file field', async () => {
  await attach({
    name: 'invoice.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('<!DOCTYPE html><html><body><script>alert(1)</script></body></html>'),
  });
  const summary = page.locator('.error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /not a type that can be attached/);
  assert.equal(await summary.locator('a').first().getAttribute('href'), '#document-file');
  assert.match(await page.locator('#document-file-error').innerText(), /not a type/);
  assert.equal(await page.locator('#documents-section tbody tr').count(), 1, 'nothing was attached');
  await expectAccessible(page, 'the case file with an upload error');
  await signOut(page, server.baseUrl);
});

test('a viewer sees how many documents there are, but no names and no download links', async () => {
  await signIn(page, server.baseUrl, viewer.email, viewer.password);
  await page.goto(`${server.baseUrl}/complaints/${reference}`);
  const section = page.locator('#documents-section');
  assert.match(await section.innerText(), /1 document is attached to this case/);
  assert.equal(await page.locator('a[href^="/documents/"]').count(), 0);
  assert.doesNotMatch(await page.content(), /Roof survey/);
  assert.equal(await page.locator('#step-attach-document').count(), 0);
  await expectAccessible(page, 'the case file as a viewer');
  await signOut(page, server.baseUrl);
});
