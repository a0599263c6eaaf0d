// The agent board under load: N agents each sending R hook events a second for S seconds (loopback
// only), with the board open in Chromium. Each agent's prompt carries the time it was posted; the
// page notes when each card first shows it, so the lag is "event posted → card shows it" on one
// clock. Also checks that at the end every card shows its agent's last prompt.
//   node web/bench/board-lag.mjs http://127.0.0.1:5055 <user> <password> [agents=50] [rate=10] [seconds=60]
import { launch } from '../e2e/browser.mjs';

const [base, user, password, agentsText, rateText, secondsText] = process.argv.slice(2);
if (!base || !user || !password) {
  console.error('usage: node web/bench/board-lag.mjs <base-url> <user> <password> [agents] [rate] [seconds]');
  process.exit(2);
}
if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(base).hostname)) {
  console.error('the board benchmark only runs against a loopback server');
  process.exit(2);
}
const agents = Number(agentsText ?? 50);
const rate = Number(rateText ?? 10);
const seconds = Number(secondsText ?? 60);

const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
const csrf = { 'X-Requested-With': 'bench' };
const login = await context.request.post(`${base}/api/auth/login`, { data: { userName: user, password }, headers: csrf });
if (!login.ok()) throw new Error(`login: ${login.status()}`);
const created = await context.request.post(`${base}/api/tokens`, { data: { name: `board-bench-${Date.now()}`, scopes: ['hooks'] }, headers: csrf });
if (!created.ok()) throw new Error(`token: ${created.status()}`);
const token = (await created.json()).token;

const run = Date.now().toString(36);
const sessions = Array.from({ length: agents }, (_, i) => ({ id: `bench-${run}-${i}`, cwd: `/tmp/board-bench/project-${i % 8}`, seq: 0, last: '' }));

async function post(event, body) {
  const response = await fetch(`${base}/api/hooks/${event}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (response.status !== 204) throw new Error(`${event}: ${response.status} ${await response.text()}`);
}

// Every agent appears first, so the board's cards exist before the clock starts.
for (const s of sessions) await post('SessionStart', { session_id: s.id, cwd: s.cwd, hook_event_name: 'SessionStart', source: 'startup' });

const page = await context.newPage();
await page.goto(`${base}/agents`);
await page.getByRole('article').nth(agents - 1).waitFor({ timeout: 30_000 });
await page.evaluate(() => {
  window.__seen = {};
  const scan = () => {
    const now = performance.timeOrigin + performance.now();
    for (const node of document.querySelectorAll('.agent-command .clamp-2')) {
      const marker = /#bench:(\S+)/.exec(node.textContent ?? '')?.[1];
      if (marker && !(marker in window.__seen)) window.__seen[marker] = now;
    }
  };
  new MutationObserver(scan).observe(document.body, { subtree: true, childList: true, characterData: true });
});

// Ten events make one task: a prompt, tool uses, a wait for permission and its answer, and Stop.
const cycle = ['UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'PreToolUse', 'PostToolUse', 'PermissionRequest', 'PostToolUse', 'PreToolUse', 'PostToolUse', 'Stop'];
const posted = new Map();
const acked = new Map();
let sent = 0;
let failed = 0;
const start = Date.now();
const interval = 1000 / rate;

await Promise.all(
  sessions.map(async (s, index) => {
    // Agents start spread over one interval, as independent agents would.
    await new Promise((r) => setTimeout(r, (index * interval) / agents));
    let tick = 0;
    while (Date.now() - start < seconds * 1000) {
      const due = start + (index * interval) / agents + tick * interval;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const event = cycle[tick % cycle.length];
      const body = { session_id: s.id, cwd: s.cwd, hook_event_name: event, tool_name: 'Bash', tool_input: { command: 'ls' }, last_assistant_message: 'done' };
      if (event === 'UserPromptSubmit') {
        s.seq += 1;
        const marker = `${index}.${s.seq}`;
        body.prompt = `task ${s.seq} of agent ${index} #bench:${marker}`;
        posted.set(marker, Date.now());
        s.last = marker;
      }
      try {
        await post(event, body);
        if (body.prompt) acked.set(s.last, Date.now());
        sent += 1;
      } catch {
        failed += 1;
      }
      tick += 1;
    }
  }),
);
const elapsed = (Date.now() - start) / 1000;
// Let the last events arrive, then read what the page saw.
await new Promise((r) => setTimeout(r, 2000));
const seen = await page.evaluate(() => window.__seen);
const lags = [];
const feedLags = [];
let missing = 0;
for (const [marker, at] of posted) {
  if (marker in seen) {
    lags.push(seen[marker] - at);
    if (acked.has(marker)) feedLags.push(seen[marker] - acked.get(marker));
  } else missing += 1;
}
lags.sort((a, b) => a - b);
feedLags.sort((a, b) => a - b);
const pctOf = (list, p) => list[Math.min(list.length - 1, Math.floor((p / 100) * list.length))] ?? NaN;
const pct = (p) => pctOf(lags, p);
const finalTexts = await page.$$eval('.agent-command .clamp-2', (nodes) => nodes.map((n) => /#bench:(\S+)/.exec(n.textContent ?? '')?.[1]));
const stale = sessions.filter((s) => !finalTexts.includes(s.last)).length;
console.log(
  `board: ${agents} agents x ${rate} events/s for ${elapsed.toFixed(0)} s: ${sent} events posted (${(sent / elapsed).toFixed(0)}/s achieved, ${failed} failed); ` +
    `card lag (post -> card shows the prompt) over ${lags.length} prompts: p50 ${pct(50).toFixed(0)} ms, p99 ${pct(99).toFixed(0)} ms, max ${pct(100).toFixed(0)} ms; ` +
    `server answered -> card shows it (the feed and the board alone): p50 ${pctOf(feedLags, 50).toFixed(0)} ms, p99 ${pctOf(feedLags, 99).toFixed(0)} ms, max ${pctOf(feedLags, 100).toFixed(0)} ms; ` +
    `${missing} prompts never shown (superseded within a flush or lost); at the end ${stale} cards behind their agent's last prompt -> ${pct(100) <= 1000 && stale === 0 ? 'PASS' : 'FAIL'} (no card more than 1 s behind)`,
);
await browser.close();
