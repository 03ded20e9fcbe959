// The work queue and the case file at desktop (1280px), 200% zoom (640px) and phone (375px and 320px) widths: nothing runs off
// the side of the page, axe finds nothing at any width, and screenshots are written to target/screenshots/
// (test artefacts, git-ignored) for a person to look at.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './support/server.mjs';
import { expectAccessible, launch, newContext, openStep, screenshot, signIn } from './support/browser.mjs';

const WIDTHS = [
  { name: 'desktop', width: 1280, height: 900 },
  // A 1280px window at 200% zoom lays out as 640 CSS pixels (WCAG 1.4.4, 1.4.10).
  { name: 'desktop-200-percent-zoom', width: 640, height: 450 },
  { name: 'phone', width: 375, height: 812 },
  { name: 'narrow-phone', width: 320, height: 640 },
];

let server;
let browser;
let context;
let reference;

async function complaint(receivedOn, name, email, summary) {
  const view = await server.api('POST', '/complaints', {
    received_on: receivedOn,
    channel: 'email',
    complainant: name ? { name, email, phone: '01632 960000', address: '2 Example Road\nExampletown EX2 2BB' } : undefined,
    summary,
  });
  return view.reference;
}

const event = (ref, body) => server.api('POST', `/complaints/${ref}/events`, body);

before(async () => {
  server = await startServer();
  // A work queue with cases in several states, and one case with a long history.
  await complaint('2026-10-01', 'Olive Overdue', 'olive@example.org', 'Nobody came to fix the roof.');
  await complaint('2026-11-19', 'Priya Pending', 'priya@example.org', 'Noise from the flat above.');
  await complaint(
    '2026-11-16',
    'Bartholomew Featherstonehaugh-Cholmondeley-Marjoribanks',
    'bartholomew.featherstonehaugh-cholmondeley@example-housing-association.org.uk',
    'Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: one unbroken word, to see that it wraps.',
  );
  await complaint('2026-11-20', null, null, 'An anonymous complaint about the lifts.');
  reference = await complaint(
    '2025-12-19',
    'Ada Resident',
    'ada@example.org',
    'The boiler has not worked since November. Repairs were booked three times and nobody came.\n\nI want the boiler fixed and compensation for the heating costs.',
  );
  await event(reference, { type: 'acknowledged', on: '2025-12-23' });
  await event(reference, {
    type: 'complaint_defined',
    on: '2025-12-23',
    heads: [
      { summary: 'The boiler has not been repaired', outcome_sought: 'A working boiler' },
      { summary: 'Missed repair appointments', outcome_sought: 'Compensation for heating costs' },
    ],
  });
  await event(reference, { type: 'extended', on: '2026-01-07', working_days: 10, reason: 'We need a heating engineer’s report.', resident_agreed: false });
  await event(reference, { type: 'responded', on: '2026-01-22', outcome: 'partly_upheld' });
  await event(reference, { type: 'escalation_requested', on: '2026-03-27', reasons: 'The boiler still does not work.' });

  browser = await launch();
  context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server.baseUrl, server.adminEmail, server.adminPassword);
  await page.close();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Nothing is wider than the viewport: no sideways scrolling of the page itself (WCAG 1.4.10 Reflow). */
async function expectNoHorizontalScroll(page, what) {
  const { scrollWidth, innerWidth, culprits } = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const culprits = [...document.querySelectorAll('body *')]
      .filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.right > width + 1 && !e.closest('.table-scroll, pre');
      })
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className ? `.${String(e.className).replace(/ /g, '.')}` : ''}`);
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: width, culprits };
  });
  assert.ok(scrollWidth <= innerWidth, `${what} scrolls sideways: ${scrollWidth}px wide in ${innerWidth}px (${culprits.join(', ')})`);
}

for (const { name, width, height } of WIDTHS) {
  test(`the work queue at ${width}px`, async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width, height });
    await page.goto(`${server.baseUrl}/?closed=true`);
    assert.ok((await page.locator('tbody tr').count()) >= 5, 'the queue lists the cases');
    await expectNoHorizontalScroll(page, `the work queue at ${width}px`);
    await expectAccessible(page, `the work queue at ${width}px`);
    await screenshot(page, `dashboard-${name}-${width}`);
    await page.close();
  });

  test(`the case file at ${width}px`, async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width, height });
    await page.goto(`${server.baseUrl}/complaints/${reference}`);
    assert.equal((await page.locator('#clock-stage2_acknowledge .due').textContent()).trim(), 'Tue 7 Apr 2026');
    // In one column the next steps follow the whole file: a link to them is on the first screen.
    const jump = page.locator('.jump-to-steps a');
    if (width <= 768) {
      assert.ok(await jump.isVisible(), `the link to the next steps shows at ${width}px`);
      assert.equal(await jump.getAttribute('href'), '#next-steps');
      assert.ok((await jump.boundingBox()).y < height, 'the link to the next steps is on the first screen');
    } else {
      assert.ok(!(await jump.isVisible()), 'beside the file, the next steps need no link');
    }
    await expectNoHorizontalScroll(page, `the case file at ${width}px`);
    await expectAccessible(page, `the case file at ${width}px`);
    await screenshot(page, `case-${name}-${width}`);

    await openStep(page, 'extend');
    await expectNoHorizontalScroll(page, `the case file with a step open at ${width}px`);
    await screenshot(page, `case-step-open-${name}-${width}`);
    await page.close();
  });

  test(`the new-complaint form and the sign-in page at ${width}px`, async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width, height });
    await page.goto(`${server.baseUrl}/complaints/new`);
    await page.locator('#received_on').fill('');
    await page.getByRole('button', { name: 'Log the complaint' }).click();
    await page.locator('.error-summary').waitFor();
    await expectNoHorizontalScroll(page, `the new-complaint form at ${width}px`);
    await expectAccessible(page, `the new-complaint form with errors at ${width}px`);
    await screenshot(page, `new-complaint-errors-${name}-${width}`);
    await page.goto(`${server.baseUrl}/policies/code-2024`);
    await expectNoHorizontalScroll(page, `a policy at ${width}px`);
    await expectAccessible(page, `a policy at ${width}px`);
    await page.close();

    const signedOut = await newContext(browser, { viewport: { width, height } });
    const signIn = await signedOut.newPage();
    await signIn.goto(`${server.baseUrl}/sign-in`);
    await expectNoHorizontalScroll(signIn, `the sign-in page at ${width}px`);
    await screenshot(signIn, `sign-in-${name}-${width}`);
    await signedOut.close();
  });
}
