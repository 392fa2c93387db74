// Long-lived TCP streams through a Service while kube-proxy changes under them: each client holds one connection
// to an echo backend (it names itself first, then echoes every line), sends a numbered line every half second and
// waits up to two seconds for its echo. Every reset, stall and close is logged with the client's clock, so the
// report can place it against the migration's steps. The loop uses bash builtins only: spawns are slow in UML.
import { shellQuote } from '../exec/exec.js';
import { STREAM_EVENT_KINDS, type StreamEventKind, type StreamResult, type StreamSpec } from '../snapshot/model.js';

/** The echo backend's port on every web pod (helpers/lab/wiring.ts). */
export const STREAM_PORT = 7000;
const INTERVAL_S = 0.5;
const STALL_S = 2;

/** The client loop: runs until `stopFile` exists or the connection ends; one log line per event. */
export function streamClientScript(s: StreamSpec, stopFile: string): string {
  const [ip, port, stop] = [s.target, String(s.port), stopFile].map((word) => shellQuote([word]));
  return [
    'f=$(mktemp -u); mkfifo "$f"; exec 4<>"$f"; rm -f "$f"',
    `if ! exec 3<>/dev/tcp/${ip}/${port}; then echo "$EPOCHREALTIME connect-failed 0"; exit 0; fi`,
    `IFS= read -r -t ${STALL_S} hello <&3 && echo "$EPOCHREALTIME open \${hello#Hostname: }"`,
    'i=0; echoed=0',
    `while [ ! -e ${stop} ]; do`,
    '  i=$((i+1))',
    '  if ! echo "line $i" >&3 2>/dev/null; then echo "$EPOCHREALTIME write-failed $i"; break; fi',
    // Lines echoed late (after a stall) are skipped until this line's echo; rc is read's own status.
    '  got=; rc=0',
    `  while :; do IFS= read -r -t ${STALL_S} l <&3 2>/tmp/stream-err.$$; rc=$?; [ $rc -ne 0 ] && break; [ "$l" = "line $i" ] && got=1 && break; done`,
    '  if [ -n "$got" ]; then echoed=$((echoed+1))',
    '  elif [ $rc -gt 128 ]; then echo "$EPOCHREALTIME stall $i"',
    '  elif grep -q "reset" /tmp/stream-err.$$ 2>/dev/null; then echo "$EPOCHREALTIME reset $i"; break',
    '  else echo "$EPOCHREALTIME closed $i"; break; fi',
    `  read -r -t ${INTERVAL_S} -u 4`,
    'done',
    'rm -f /tmp/stream-err.$$',
    'echo "$EPOCHREALTIME end $echoed"',
  ].join('\n') + '\n';
}

/** Reads one client's log (what streamClientScript printed) back into a result. */
export function parseStreamLog(s: StreamSpec, text: string, source: string): StreamResult {
  const result: StreamResult = { ...s, echoed: 0, events: [] };
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^(\d+(?:\.\d+)?) (open|end|[a-z-]+) ?(.*)$/.exec(line.trim());
    if (!m) throw new Error(`${source}: line ${i + 1}: not "<time> <event> <detail>": ${JSON.stringify(line.slice(0, 60))}`);
    const [, t, kind, rest] = m as unknown as [string, string, string, string];
    if (kind === 'open') Object.assign(result, { opened: Number(t), ...(rest && { backend: rest }) });
    else if (kind === 'end') Object.assign(result, { ended: Number(t), echoed: Number(rest) });
    else if ((STREAM_EVENT_KINDS as readonly string[]).includes(kind)) result.events.push({ t: Number(t), kind: kind as StreamEventKind, seq: Number(rest) });
    else throw new Error(`${source}: line ${i + 1}: unknown event "${kind}"`);
  });
  return result;
}
