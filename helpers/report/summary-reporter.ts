// A Playwright reporter that writes summary.html beside the HTML report: the claim × cluster-or-scenario grid
// (summary.ts), each cell linked to its test there. Written on exit, after the HTML reporter has written its folder.
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Status } from '../claims/types.js';
import { summaryGrid, summaryHtml, summaryLine, type TestEntry } from './summary.js';

export interface SummaryReporterOptions {
  /** The HTML report's folder: summary.html goes there and links to its index.html. */
  outputFolder?: string;
  title?: string;
  /** The column of tests that name none (no `cluster` or `scenario` annotation); their project's name otherwise. */
  column?: string;
}

const OUTCOME: Record<TestResult['status'], Status> = { passed: 'pass', skipped: 'skip', failed: 'fail', timedOut: 'fail', interrupted: 'fail' };

export default class SummaryReporter implements Reporter {
  private readonly entries = new Map<string, TestEntry>();
  private result?: FullResult['status'];

  constructor(private readonly o: SummaryReporterOptions = {}) {}

  printsToStdio(): boolean {
    return false;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    // A retried test keeps its last attempt.
    const annotations = [...test.annotations, ...result.annotations.filter((a) => !test.annotations.some((b) => b.type === a.type && b.description === a.description))];
    const skip = annotations.find((a) => a.type === 'skip')?.description;
    const reason = result.status === 'skipped' ? skip : result.errors[0]?.message;
    this.entries.set(test.id, {
      id: test.id, title: test.titlePath().slice(3).join(' › ') || test.title, project: this.o.column ?? test.parent.project()?.name ?? '',
      annotations, tags: test.tags, outcome: OUTCOME[result.status], ...(reason && { reason }),
    });
  }

  onEnd(result: FullResult): void {
    this.result = result.status;
  }

  async onExit(): Promise<void> {
    const folder = this.o.outputFolder ?? 'playwright-report';
    const grid = summaryGrid([...this.entries.values()]);
    const title = `${this.o.title ?? 'ipvs-conformance'}: run ${this.result ?? 'ended'}`;
    await mkdir(folder, { recursive: true });
    const file = join(folder, 'summary.html');
    await writeFile(file, summaryHtml(grid, title));
    console.log(`Summary: ${summaryLine(grid)} — ${relative(process.cwd(), file) || file}`);
  }
}
