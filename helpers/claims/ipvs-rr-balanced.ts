import { NO_ANSWER } from '../parsers/whoami.js';
import { serviceKey } from '../snapshot/model.js';
import { usableEndpoints } from './expected.js';
import { chiSquareUniform } from './stats.js';
import { judge, skip, type Claim } from './types.js';

/** Uniformity is rejected only below this p-value: strict rr gives exact thirds, so a real skew is far below it. */
export const MIN_P_VALUE = 0.001;

/** Every ready endpoint answered, nothing else did, and the split is consistent with uniform (rr). */
export const ipvsRrBalanced: Claim = {
  id: 'ipvs-rr-balanced',
  title: 'round-robin spreads new connections evenly over the ready endpoints',
  seedCommands: ['kubectl exec -it net-pod -- zsh -c "for i in {1..100}; do curl -s $SVC1:9000 | grep Hostname; done | sort | uniq -c"'],
  evaluate({ snapshot }) {
    const t = snapshot.traffic;
    if (!t) return skip(this.id, 'no traffic.json in the snapshot: the balance probe did not run');
    const svc = snapshot.cluster.services.find((s) => serviceKey(s) === t.service);
    const port = svc?.ports.find((p) => p.port === t.port && p.protocol === t.protocol);
    if (!port) return judge(this.id, [`traffic.json names ${t.service} ${t.protocol}/${t.port}, which cluster.json lacks`], '', {});
    // Sorted, so the tally reads the same whatever order the API listed the endpoints in.
    const client = snapshot.cluster.nodes.find((n) => n.name === t.clientNode);
    const expected = [...new Set(usableEndpoints(svc!, port, t.clusterIP, client).map((e) => e.pod ?? e.ip))].sort();
    const counts = new Map<string, number>(expected.map((name) => [name, 0]));
    for (const r of t.responses) counts.set(r, (counts.get(r) ?? 0) + 1);
    const where = `${t.clientPod} on ${t.clientNode} → ${t.clusterIP}:${t.port}`;
    const failures: string[] = [];
    if (t.responses.length === 0) failures.push(`${where}: no request was answered`);
    for (const name of expected) if (counts.get(name) === 0) failures.push(`${where}: ready endpoint ${name} never answered`);
    for (const [name, n] of counts) {
      if (name === NO_ANSWER) failures.push(`${where}: ${n} of ${t.responses.length} requests got no answer`);
      else if (!expected.includes(name)) failures.push(`${where}: ${name} answered ${n} times but is not a ready endpoint`);
    }
    const chi = chiSquareUniform(expected.map((n) => counts.get(n)!));
    const tally = [...counts].map(([n, c]) => `${n}=${c}`).join(' ');
    const stat = `χ²=${chi.statistic.toFixed(2)} df=${chi.degreesOfFreedom} p=${chi.pValue.toPrecision(3)}`;
    if (failures.length === 0 && chi.pValue < MIN_P_VALUE) failures.push(`${where}: split ${tally} is not uniform (${stat} < ${MIN_P_VALUE})`);
    return judge(this.id, failures.map((f) => `${f} [${tally}]`), `${t.responses.length} new connections from ${where}: ${tally}; ${stat} ≥ ${MIN_P_VALUE}`, {
      requests: t.responses.length,
      counts: Object.fromEntries(counts),
      chiSquare: chi,
    });
  },
};
