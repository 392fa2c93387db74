// The report as a reader sees it. The verdict suite (real lab snapshots re-judged, verdict-suite/) runs twice in its
// own Playwright process, with the suite's reporters: once with the lab's expectations (a passing run whose grid
// holds failures the lab expects) and once expecting every claim to pass (a failing run). Debian's Chromium, driven
// by playwright-core, opens each summary.html and follows a cell into Playwright's HTML report.
import { expect, test, type TestInfo } from '@playwright/test';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { skipLoudly } from '../support/loud-skip.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CONFIG = join(import.meta.dirname, 'verdict-suite', 'playwright.config.ts');
const CHROMIUM = process.env.IPVS_CONFORMANCE_CHROMIUM ?? '/usr/bin/chromium';
const GREEN = 'rgb(214, 245, 220)';
const RED = 'rgb(249, 208, 208)';
const GREY = 'rgb(236, 236, 236)';

async function runVerdictSuite(testInfo: TestInfo, name: string, expectAllPass: boolean): Promise<string> {
  const dir = testInfo.outputPath(name);
  const r = await test.step(`verdict suite (${name})`, () =>
    execa('node', [join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js'), 'test', '-c', CONFIG], {
      cwd: ROOT, all: true, reject: false, timeout: 120_000,
      env: { REPORT_DIR: dir, REPORT_EXPECT_ALL_PASS: expectAllPass ? '1' : '', CI: '' },
    }),
  );
  expect(r.exitCode, String(r.all)).toBe(expectAllPass ? 1 : 0);
  return join(dir, 'playwright-report');
}

/** Runs the verdict suite and opens its summary.html in Chromium. */
async function openSummary(testInfo: TestInfo, name: string, expectAllPass: boolean): Promise<Page> {
  const report = await runVerdictSuite(testInfo, name, expectAllPass);
  const page = await browser.newPage();
  await page.goto(pathToFileURL(join(report, 'summary.html')).href);
  return page;
}

const cell = (page: Page, claim: string, column: string) => page.locator(`td[data-claim="${claim}"][data-column="${column}"]`);
const background = (page: Page, claim: string, column: string) => cell(page, claim, column).evaluate((e) => getComputedStyle(e).backgroundColor);

let browser: Browser;
test.beforeAll(async ({}, testInfo) => {
  if (!existsSync(CHROMIUM)) skipLoudly(testInfo, `REPORT BROWSER TEST NOT RUN: no Chromium at ${CHROMIUM} (apt-get install chromium, or set IPVS_CONFORMANCE_CHROMIUM)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
test.afterAll(async () => browser?.close());

test('a passing run: the grid reads claim × scenario in colour, and a cell opens its test with the evidence under the claim', async ({}, testInfo) => {
  const page = await openSummary(testInfo, 'as-expected', false);
  await expect(page.locator('h1')).toHaveText('lab snapshots re-judged: run passed');
  await expect(page.locator('#summary-line')).toHaveText('6 claims × 4 cluster(s)/scenario(s): 15 pass, 3 fail, 1 skip');
  await expect(page.locator('#grid tr')).toHaveCount(7);
  await expect(page.locator('#grid tr').first().locator('th')).toHaveText(['claim', 'conforming', 'proxy-down-backend-deleted', 'strict-arp-off', 'a cluster without ARP probing']);
  expect(await background(page, 'strict-arp', 'conforming')).toBe(GREEN);
  expect(await background(page, 'strict-arp', 'strict-arp-off')).toBe(RED);
  expect(await background(page, 'strict-arp', 'a cluster without ARP probing')).toBe(GREY);
  await expect(cell(page, 'strict-arp', 'a cluster without ARP probing')).toContainText('SKIPno host on the node network to send ARP from');
  // The failure the lab expects: red, marked as expected, its first line naming the node and the address.
  const vs = cell(page, 'ipvs-services-match-endpoints', 'proxy-down-backend-deleted');
  await expect(vs.locator('a')).toHaveText('FAIL');
  await expect(vs.locator('.expect')).toHaveText('as expected');
  await expect(vs.locator('.line')).toHaveText('myk8s-control-plane: TCP 10.200.1.73:8082 (default/svc-affinity) has extra real server 10.10.3.2:80 that is not a ready endpoint (and more)');
  await expect(cell(page, 'ipvs-rr-balanced', 'proxy-down-backend-deleted').locator('.line')).toContainText('50 of 150 requests got no answer');
  await expect(page.locator('td.surprise')).toHaveCount(0);

  await vs.locator('a').click();
  await expect(page).toHaveURL(/index\.html#\?testId=/);
  await expect(page.getByText('proxy-down-backend-deleted re-judged').first()).toBeVisible();
  await expect(page.getByText(/verdict: ipvs-services-match-endpoints/).first()).toBeVisible();
  // Each raw file once, under the first claim that judged it; the balance chart is an image.
  const attachments = await page.getByText(/^(ipvs-services-match-endpoints|ipvs-rr-balanced|kube-ipvs0-holds-clusterips|strict-arp|ipset-replaces-per-service-rules|fewer-iptables-rules-than-iptables-mode)\/nodes\//).allTextContents();
  expect(attachments.length, attachments.join('\n')).toBeGreaterThan(0);
  expect(new Set(attachments.map((a) => a.replace(/^[^/]+\//, ''))).size, 'no file attached twice').toBe(attachments.length);
  expect(attachments.filter((a) => a.endsWith('/ipvsadm.txt')).every((a) => a.startsWith('ipvs-services-match-endpoints/')), 'the IPVS tables sit under the first failing claim').toBe(true);
  await expect(page.getByText('evidence for ipvs-services-match-endpoints').first()).toBeVisible();
  await expect(page.locator('img[alt="balance.svg"], img[src*=".svg"]').first()).toBeVisible();
  await page.close();
});

test('a failing run: the cell that broke the expectation stands out, and the headline says so', async ({}, testInfo) => {
  const page = await openSummary(testInfo, 'all-expected-to-pass', true);
  await expect(page.locator('h1')).toHaveText('lab snapshots re-judged: run failed');
  await expect(page.locator('#summary-line')).toHaveText('6 claims × 4 cluster(s)/scenario(s): 15 pass, 3 fail, 1 skip, 3 not as the test expected');
  await expect(page.locator('td.surprise')).toHaveCount(3);
  const arp = cell(page, 'strict-arp', 'strict-arp-off');
  await expect(arp.locator('.expect')).toHaveText('expected pass');
  await expect(arp.locator('.line')).toHaveText('ClusterIP 10.200.1.1 answered ARP from mypc (2 replies) (and more)');
  expect(await arp.evaluate((e) => getComputedStyle(e).outlineColor)).toBe('rgb(176, 0, 32)');
  expect(await background(page, 'strict-arp', 'conforming')).toBe(GREEN);
  await page.close();
});
