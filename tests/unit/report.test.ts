// The report's pure pieces: verdict annotations written and read back, the summary grid built from test entries
// (what the reporter sees), evidence attached once per file under its first claim, and the balance bars. Expected
// values are written out here; the browser test (tests/report) checks what a reader sees.
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { balanceBars } from '../../helpers/report/balance-chart.js';
import { evidenceByClaim } from '../../helpers/report/evidence.js';
import { scaleCurveSvg, SCALE_CURVE_NOTE } from '../../helpers/report/scale-chart.js';
import { counts, summaryGrid, summaryHtml, summaryLine, type TestEntry } from '../../helpers/report/summary.js';
import { columnOf, readVerdictNotes, verdictAnnotation } from '../../helpers/report/verdict-annotations.js';

test('a verdict annotation reads back as written, with or without an expectation; other annotations are ignored', () => {
  const fail = { id: 'strict-arp' as const, status: 'fail' as const, message: 'ClusterIP 10.200.1.1 answered ARP from mypc (2 replies)\nsecond line' };
  expect(verdictAnnotation(fail)).toEqual({ type: 'verdict: strict-arp', description: 'fail: ClusterIP 10.200.1.1 answered ARP from mypc (2 replies)\nsecond line' });
  expect(verdictAnnotation(fail, 'fail').description).toBe('fail (as expected): ClusterIP 10.200.1.1 answered ARP from mypc (2 replies)\nsecond line');
  expect(verdictAnnotation(fail, 'pass').description).toMatch(/^fail \(expected pass\): /);
  const notes = readVerdictNotes([
    { type: 'claim', description: 'strictARP is set and takes effect' },
    verdictAnnotation(fail),
    verdictAnnotation({ id: 'ipvs-rr-balanced', status: 'pass', message: 'ok' }, 'pass'),
    verdictAnnotation({ id: 'strict-arp', status: 'skip', message: 'no arp.json' }, 'fail'),
    { type: 'verdict: strict-arp', description: 'maybe: not a status' },
    { type: 'verdict: strict-arp' },
  ]);
  expect(notes).toEqual([
    { claim: 'strict-arp', status: 'fail', message: 'ClusterIP 10.200.1.1 answered ARP from mypc (2 replies)\nsecond line' },
    { claim: 'ipvs-rr-balanced', status: 'pass', expected: 'pass', message: 'ok' },
    { claim: 'strict-arp', status: 'skip', expected: 'fail', message: 'no arp.json' },
  ]);
  expect(columnOf([{ type: 'claim', description: 'x' }, { type: 'scenario', description: 'strict-arp-off' }])).toBe('strict-arp-off');
  expect(columnOf([{ type: 'cluster', description: 'kind' }])).toBe('kind');
  expect(columnOf([{ type: 'claim', description: 'x' }])).toBeUndefined();
});

const entry = (e: Partial<TestEntry> & Pick<TestEntry, 'id' | 'outcome'>): TestEntry => ({ title: `test ${e.id}`, project: 'conformance', annotations: [], tags: [], ...e });

test('the grid: one cell per claim and column, a surprise outranks a failure, tags place tests that judged nothing', () => {
  const grid = summaryGrid([
    entry({ id: 'a', outcome: 'pass', annotations: [{ type: 'scenario', description: 'conforming' }, { type: 'verdict: strict-arp', description: 'pass (as expected): strictARP is true' }] }),
    entry({ id: 'b', outcome: 'pass', annotations: [{ type: 'scenario', description: 'off' }, { type: 'verdict: strict-arp', description: 'fail (as expected): \u001b[31mClusterIP 10.200.1.1 answered; ClusterIP 10.200.1.2 answered\u001b[39m\nmore' }] }),
    entry({ id: 'b2', outcome: 'pass', annotations: [{ type: 'scenario', description: 'off' }, { type: 'verdict: ipvs-rr-balanced', description: 'fail (as expected): net-pod → 10.200.1.245:9000: 50 of 150 requests got no answer' }] }),
    entry({ id: 'c', outcome: 'fail', reason: 'Error: boom', annotations: [{ type: 'scenario', description: 'off' }, { type: 'verdict: strict-arp', description: 'pass (expected fail): strictARP is true' }] }),
    entry({ id: 'd', outcome: 'fail', reason: '\n  \u001b[2mmyk8s-worker: 10.200.1.245 missing\u001b[22m\n', tags: ['@kube-ipvs0-holds-clusterips', '@slow'] }),
    entry({ id: 'e', outcome: 'skip', reason: 'no mypc', tags: ['@strict-arp'] }),
    entry({ id: 'f', outcome: 'pass' }),
    entry({ id: 'g', outcome: 'fail', reason: 'Error: setup broke\nstack' }),
    entry({ id: 'h', outcome: 'fail', reason: 'Error: later assertion', annotations: [{ type: 'verdict: ipvs-rr-balanced', description: 'pass: fine' }] }),
  ]);
  expect(grid.columns).toEqual(['conforming', 'off', 'conformance']);
  expect(grid.cells['strict-arp']).toEqual({
    conforming: { status: 'pass', expected: 'pass', line: 'strictARP is true', testId: 'a', test: 'test a' },
    off: { status: 'pass', expected: 'fail', line: 'strictARP is true', testId: 'c', test: 'test c' },
    conformance: { status: 'skip', line: 'no mypc', testId: 'e', test: 'test e' },
  });
  expect(grid.cells['kube-ipvs0-holds-clusterips']).toEqual({ conformance: { status: 'fail', line: 'myk8s-worker: 10.200.1.245 missing', testId: 'd', test: 'test d' } });
  expect(grid.cells['ipvs-rr-balanced']).toEqual({
    off: { status: 'fail', expected: 'fail', line: 'net-pod → 10.200.1.245:9000: 50 of 150 requests got no answer', testId: 'b2', test: 'test b2' },
    conformance: { status: 'pass', line: 'fine', testId: 'h', test: 'test h' },
  });
  // f passed outside the grid; g and h did not pass, and no cell shows why.
  expect(grid.others).toEqual({ passed: 1, failed: [{ status: 'fail', line: 'Error: setup broke', testId: 'g', test: 'test g' }, { status: 'fail', line: 'Error: later assertion', testId: 'h', test: 'test h' }] });
  expect(counts(grid)).toEqual({ pass: 3, fail: 2, skip: 1, unexpected: 1 });
  expect(summaryLine(grid)).toBe('6 claims × 3 cluster(s)/scenario(s): 3 pass, 2 fail, 1 skip, 1 not as the test expected; 2 other test(s) did not pass');
  // The cell b would have shown (outranked by c's surprise) is judged by itself:
  expect(summaryGrid([entry({ id: 'b', outcome: 'pass', annotations: [{ type: 'verdict: strict-arp', description: 'fail: \u001b[31mClusterIP 10.200.1.1 answered; ClusterIP 10.200.1.2 answered\u001b[39m\nmore' }] })]).cells['strict-arp']!.conformance!.line).toBe('ClusterIP 10.200.1.1 answered (and more)');
});

test('the grid keeps the worse of two cells: fail over skip over pass, whatever the order', () => {
  const at = (id: string, outcome: TestEntry['outcome']) => entry({ id, outcome, tags: ['@strict-arp'] });
  for (const order of [['p', 's', 'f'], ['f', 's', 'p'], ['s', 'p', 'f']]) {
    const byId = { p: at('p', 'pass'), s: at('s', 'skip'), f: at('f', 'fail') } as Record<string, TestEntry>;
    expect(summaryGrid(order.map((id) => byId[id]!)).cells['strict-arp']!.conformance!.testId).toBe('f');
  }
  expect(summaryGrid([at('p', 'pass'), at('s', 'skip')]).cells['strict-arp']!.conformance!.testId).toBe('s');
  expect(summaryGrid([at('s', 'skip'), at('p', 'pass')]).cells['strict-arp']!.conformance!.testId).toBe('s');
  expect(summaryLine(summaryGrid([at('p', 'pass')]))).toBe('6 claims × 1 cluster(s)/scenario(s): 1 pass, 0 fail, 0 skip');
});

test('summary.html: escaped, every claim a row, empty cells marked, each cell a link into the HTML report', () => {
  const grid = summaryGrid([
    entry({ id: 'x/1', outcome: 'fail', annotations: [{ type: 'cluster', description: 'a<b' }, { type: 'verdict: strict-arp', description: 'fail (expected pass): node <1> & 10.0.0.1' }] }),
    entry({ id: 'y', outcome: 'fail', reason: 'Error: <x>' }),
  ]);
  const html = summaryHtml(grid, 'run & title');
  expect(html).toContain('<title>run &#38; title</title>');
  expect(html.match(/<tr><th title="/g)).toHaveLength(6);
  expect(html).toContain('<th>a&#60;b</th>');
  expect(html).toContain('<td class="fail surprise" data-claim="strict-arp" data-column="a&#60;b" data-status="fail" title="test x/1"><a href="index.html#?testId=x%2F1">FAIL</a><div class="expect">expected pass</div><div class="line">node &#60;1&#62; &#38; 10.0.0.1</div></td>');
  expect(html).toContain('<td class="none" data-claim="ipvs-rr-balanced" data-column="a&#60;b" data-status="none">—</td>');
  expect(html).toContain('<li class="fail" data-status="fail"><a href="index.html#?testId=y">FAIL: test y</a> — Error: &#60;x&#62;</li>');
  expect(summaryHtml(summaryGrid([]), 't')).not.toContain('Other tests');
});

test('evidence: each file once, under the first claim that used it; the baseline prefix keeps its own names', () => {
  const nodes = new Map([['n1', { ipAddr: '{}', ipvsadm: 'TCP', procIpvs: 'P', sysctl: 's' }], ['n2', { ipvsadm: 'TCP2' }]]);
  const attached = new Map<string, string>();
  const first = evidenceByClaim(['ipvs-rr-balanced', 'ipvs-services-match-endpoints', 'strict-arp'], nodes, attached);
  expect(first.map((g) => [g.claim, g.files.map((f) => f.name), g.shared])).toEqual([
    ['ipvs-rr-balanced', ['ipvs-rr-balanced/nodes/n1/proc-net-ip_vs.txt', 'ipvs-rr-balanced/nodes/n1/ipvsadm.txt', 'ipvs-rr-balanced/nodes/n2/ipvsadm.txt'], []],
    ['ipvs-services-match-endpoints', [], ['ipvs-rr-balanced/nodes/n1/proc-net-ip_vs.txt', 'ipvs-rr-balanced/nodes/n1/ipvsadm.txt', 'ipvs-rr-balanced/nodes/n2/ipvsadm.txt']],
    ['strict-arp', ['strict-arp/nodes/n1/sysctl.txt'], []],
  ]);
  expect(first[0]!.files[1]).toEqual({ name: 'ipvs-rr-balanced/nodes/n1/ipvsadm.txt', body: 'TCP', contentType: 'text/plain' });
  // A later call of the same test shares the map: nothing is attached twice.
  expect(evidenceByClaim(['ipvs-services-match-endpoints'], nodes, attached)[0]!.files).toEqual([]);
  expect(evidenceByClaim(['kube-ipvs0-holds-clusterips'], nodes, attached, 'baseline/')[0]!.files).toEqual([{ name: 'kube-ipvs0-holds-clusterips/baseline/nodes/n1/ip-addr.json', body: '{}', contentType: 'application/json' }]);
});

test('balance bars: every endpoint including silent ones, then the unanswered connections in red', () => {
  expect(balanceBars({ webpod1: 50, webpod2: 0, '<no-answer>': 50 })).toEqual([
    { label: 'webpod1', value: 50 }, { label: 'webpod2', value: 0 }, { label: 'no answer', value: 50, color: '#c62828' },
  ]);
  expect(balanceBars({ webpod1: 3, '<no-answer>': 0 })).toEqual([{ label: 'webpod1', value: 3 }]);
});

test('the scale curve in docs/ is what the lab’s own chart draws from the measured points committed beside it', () => {
  const docs = join(import.meta.dirname, '..', '..', 'docs');
  const points = JSON.parse(readFileSync(join(docs, 'scale-curve.json'), 'utf8')) as Parameters<typeof scaleCurveSvg>[0];
  expect(readFileSync(join(docs, 'scale-curve.svg'), 'utf8')).toBe(scaleCurveSvg(points, SCALE_CURVE_NOTE('2026-11-26')));
  // One polyline per mode and panel; points placed on log axes: 10 → 100 → 1,000 are equal steps.
  const svg = scaleCurveSvg(points, 'n');
  expect(svg.match(/<polyline /g)).toHaveLength(6);
  const xs = [...svg.matchAll(/<circle cx="([\d.]+)"/g)].slice(0, 3).map((m) => Number(m[1]));
  expect(xs[1]! - xs[0]!).toBeCloseTo(xs[2]! - xs[1]!, 5);
  expect(svg).toContain('<title>ipvs: 3048 at 1000</title>');
});
