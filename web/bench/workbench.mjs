// The workbench's budgets measured in Chromium (not run in CI):
//   - the explorer on a generated 100,000-file repository: first paint of the tree, and long
//     tasks (PerformanceObserver 'longtask', > 50 ms) while scrolling a 5,000-entry folder;
//   - a 2,000-chunk streamed answer: long tasks while it renders;
//   - a 5 MB file: time to open it, and long tasks while typing in it.
// It starts its own `wright serve` (temp data dir, loopback port) and its own loopback model
// that speaks the OpenAI streaming protocol, and ends both (by their pids) when done.
// Usage: node bench/workbench.mjs [path/to/wright.dll]   (default: the Debug build of Wright.Cli)
// Each figure is printed with the load average at that moment. BENCH_PROFILE=<dir> also records a
// Chromium CPU profile (CDP Profiler) of each measured phase: <dir>/<phase>.cpuprofile opens in
// DevTools' Performance panel, and the functions with the most self time are printed.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { launch } from '../e2e/browser.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const wrightDll = process.argv[2] ?? path.resolve(here, '../../src/Wright.Cli/bin/Debug/net10.0/wright.dll');
const CHUNKS = 2000;
// BENCH_ONLY=file measures only the 5 MB file (no 100,000-file repository, no streamed answer);
// BENCH_ONLY=stream the streamed answer and the files (no 100,000-file repository).
const only = process.env.BENCH_ONLY ?? '';
const FILES = only ? { dirs: 1, perDir: 10 } : { dirs: 20, perDir: 5000 };
const password = 'correct-horse-battery';

const home = await mkdtemp(path.join(tmpdir(), 'wright-bench-'));
const results = [];
const load = () => `load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`;
const report = (name, value) => {
  results.push(`${name}: ${value} (${load()})`);
  console.log(`${name}: ${value} (${load()})`);
};
const profileDir = process.env.BENCH_PROFILE ?? '';

// The model: one streamed text answer of CHUNKS chunks, a few milliseconds apart.
const model = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', async () => {
    if (!req.url?.endsWith('/chat/completions')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    const chunk = (delta, finish = null) =>
      `data: ${JSON.stringify({ id: 'bench', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    res.write(chunk({ role: 'assistant', content: '' }));
    for (let i = 0; i < CHUNKS; i++) {
      // Markdown that keeps the renderer busy: words, some code, a list now and then.
      const text = i % 200 === 0 ? `\n\n## Part ${i / 200}\n\n` : i % 50 === 0 ? `\n- item ${i} with \`code\` ` : `w${i} `;
      res.write(chunk({ content: text }));
      if (i % 4 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    res.write(chunk({}, 'stop'));
    res.write(`data: ${JSON.stringify({ id: 'bench', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 100, completion_tokens: CHUNKS, total_tokens: CHUNKS + 100 } })}\n\n`);
    res.end('data: [DONE]\n\n');
  });
});
await new Promise((r) => model.listen(0, '127.0.0.1', r));
const modelUrl = `http://127.0.0.1:${model.address().port}/v1`;

// The repository: src/d00..d19, 5,000 files each, and one 5 MB text file at the root.
const repo = path.join(home, 'big');
console.log(`generating ${FILES.dirs * FILES.perDir} files…`);
for (let d = 0; d < FILES.dirs; d++) {
  const dir = path.join(repo, 'src', `d${String(d).padStart(2, '0')}`);
  await mkdir(dir, { recursive: true });
  const writes = [];
  for (let f = 0; f < FILES.perDir; f++) writes.push(writeFile(path.join(dir, `file${String(f).padStart(4, '0')}.ts`), `export const v${f} = ${f};\n`));
  await Promise.all(writes);
}
// Valid TypeScript (unique names): a file full of errors would measure the language service's markers instead.
const lines = [];
for (let i = 0, size = 0; size < 5_000_000; i++) {
  const line = `export const value${i} = "the quick brown fox jumps over the lazy dog";\n`;
  lines.push(line);
  size += line.length;
}
await writeFile(path.join(repo, 'big.ts'), lines.join(''));
await writeFile(path.join(repo, 'small.ts'), 'export const small = 1;\n');

const server = spawn('dotnet', [wrightDll, 'serve', '--port', '0', '--data-dir', path.join(home, 'data')], {
  env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WRIGHT_'))), HOME: home, WRIGHT_DEFAULT_MODEL: 'openai/gpt-4o-mini' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const setupUrl = await new Promise((resolve, reject) => {
  const rl = createInterface({ input: server.stdout });
  rl.on('line', (l) => {
    const match = /(http:\/\/\S+\/setup\?token=\S+)/.exec(l);
    if (match) resolve(match[1]);
  });
  server.on('exit', (code) => reject(new Error(`wright exited with ${code}`)));
});
const base = new URL(setupUrl).origin;

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const headers = { 'X-Requested-With': 'bench' };
  const token = new URL(setupUrl).searchParams.get('token');
  let r = await page.request.post(`${base}/api/setup`, { data: { token, userName: 'admin', password }, headers });
  if (!r.ok()) throw new Error(`setup: ${r.status()} ${await r.text()}`);
  r = await page.request.post(`${base}/api/auth/login`, { data: { userName: 'admin', password }, headers });
  if (!r.ok()) throw new Error(`login: ${r.status()}`);
  await page.request.put(`${base}/api/providers/openai`, { data: { baseUrl: modelUrl, apiKey: 'sk-bench-0123456789' }, headers });
  r = await page.request.post(`${base}/api/projects:open`, { data: { path: repo, initGit: true }, headers, timeout: 600_000 });
  if (!r.ok()) throw new Error(`open: ${r.status()} ${await r.text()}`);
  const project = await r.json();

  await context.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__long.push(Math.round(e.duration));
    }).observe({ type: 'longtask', buffered: true });
  });
  const longTasks = async () => page.evaluate(() => window.__long.splice(0));
  // A CPU profile of one phase (BENCH_PROFILE): written whole, and its top self times printed.
  const cdp = profileDir ? await context.newCDPSession(page) : null;
  if (cdp) {
    await mkdir(profileDir, { recursive: true });
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  }
  const profiled = async (name, fn) => {
    if (!cdp) return fn();
    await cdp.send('Profiler.start');
    try {
      return await fn();
    } finally {
      const { profile } = await cdp.send('Profiler.stop');
      await writeFile(path.join(profileDir, `${name}.cpuprofile`), JSON.stringify(profile));
      console.log(`  ${name}: ${topSelfTimes(profile)}`);
    }
  };
  const summary = (tasks) => (tasks.length ? `${tasks.length} long task(s), longest ${Math.max(...tasks)} ms` : 'no long task');

  if (only === 'stream') {
    await page.goto(`${base}/p/${project.id}`);
    await page.getByRole('treeitem').first().waitFor({ timeout: 30_000 });
  }
  if (only !== 'file') {
  if (!only) {
  // 1. The explorer: navigation to the first tree row.
  const started = Date.now();
  await page.goto(`${base}/p/${project.id}`);
  await page.getByRole('treeitem').first().waitFor({ timeout: 30_000 });
  report('explorer first paint (navigation to the first row, cold)', `${Date.now() - started} ms`);
  await longTasks();
  await page.reload();
  const warm = Date.now();
  await page.getByRole('treeitem').first().waitFor({ timeout: 30_000 });
  report('explorer first paint (reload)', `${Date.now() - warm} ms`);
  await page.getByRole('treeitem', { name: 'src' }).click();
  await page.getByRole('treeitem', { name: 'd00' }).click();
  await page.getByRole('treeitem', { name: 'file0000.ts' }).waitFor({ timeout: 30_000 });
  await page.waitForTimeout(500);
  await longTasks();
  const tree = page.getByRole('tree', { name: 'Files' });
  const box = await tree.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const scrollStart = Date.now();
  await profiled('explorer-scroll', async () => {
  for (let i = 0; i < 120; i++) {
    await page.mouse.wheel(0, 400);
    await page.waitForTimeout(16);
  }
  await page.getByRole('treeitem', { name: /file4\d{3}\.ts/ }).first().waitFor({ timeout: 10_000 }).catch(() => undefined);
  }); // profiled scrolling
  report(`explorer scrolling 5,000 rows (${Date.now() - scrollStart} ms of wheel events)`, summary(await longTasks()));
  }

  // 2. A 2,000-chunk streamed answer.
  await page.getByRole('textbox', { name: 'Prompt' }).fill('write a long answer');
  await longTasks();
  const streamStart = Date.now();
  await profiled('stream', async () => {
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('article', { name: 'Answer' }).last().getByText(`w${CHUNKS - 1}`).waitFor({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Send' }).waitFor({ timeout: 60_000 });
  });
  report(`streamed answer of ${CHUNKS} chunks (${Date.now() - streamStart} ms)`, summary(await longTasks()));
  } else {
    await page.goto(`${base}/p/${project.id}`);
    await page.getByRole('treeitem').first().waitFor({ timeout: 30_000 });
  }

  // 3. The anchor: the same typing in a one-line file, in the same run (the machine's own noise).
  const typeInto = async (label) => {
    await page.waitForTimeout(1000);
    await longTasks();
    await page.locator('.code-editor .view-lines').click();
    await page.keyboard.press('Control+End');
    const started = Date.now();
    await profiled(`typing-${label.replace(/\W+/g, '-')}`, () => page.keyboard.type('const typed = "hello from the benchmark";\n'.repeat(3), { delay: 15 }));
    report(`typing 129 characters in ${label} (${Date.now() - started} ms)`, summary(await longTasks()));
  };
  // src (5,000 entries open under it) is folded so the root's files are on screen.
  const foldSrc = async () => {
    await page.getByRole('tree', { name: 'Files' }).evaluate((el) => (el.scrollTop = 0));
    const src = page.getByRole('treeitem', { name: 'src' });
    if ((await src.getAttribute('aria-expanded')) === 'true') await src.click();
  };
  await foldSrc();
  await page.getByRole('treeitem', { name: 'small.ts' }).click();
  await page.locator('.code-editor .view-lines').getByText('small').first().waitFor({ timeout: 60_000 });
  await typeInto('a one-line file (anchor)');

  // 4. A 5 MB file: open, then type.
  await foldSrc();
  await longTasks();
  const openStart = Date.now();
  await page.getByRole('treeitem', { name: 'big.ts' }).click();
  await page.locator('.code-editor .view-lines').getByText('the quick brown fox').first().waitFor({ timeout: 60_000 });
  report('5 MB file open (click to text shown)', `${Date.now() - openStart} ms, ${summary(await longTasks())}`);
  await typeInto('the 5 MB file');
  await context.close();
} finally {
  await browser.close();
  server.kill('SIGTERM');
  await new Promise((r) => (server.exitCode !== null ? r() : server.on('exit', r)));
  model.close();
  await rm(home, { recursive: true, force: true });
}
console.log('\n' + results.join('\n'));

/** The functions with the most self time in a CPU profile (idle, program and GC apart), as "name (file) ms". */
function topSelfTimes(profile, count = 8) {
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const frame = node.callFrame;
    const key = `${frame.functionName || '(anonymous)'} (${frame.url.split('/').pop() || frame.url}:${frame.lineNumber + 1})`;
    self.set(key, (self.get(key) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  }
  return [...self.entries()]
    .filter(([key]) => !/^\((idle|program|garbage collector|root)\)/.test(key))
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, ms]) => `${key} ${ms.toFixed(0)} ms`)
    .join('; ');
}
