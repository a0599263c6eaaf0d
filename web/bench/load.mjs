// Cold load of the workspace in Chromium, empty cache: time from navigation to an interactive
// workspace (the file tree shown), and the JavaScript loaded before Monaco (gzip, computed from
// the built files the page requested). Usage:
//   node bench/load.mjs http://127.0.0.1:5055 <projectId> <user> <password> [runs]
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { launch } from '../e2e/browser.mjs';

const [base, projectId, user, password, runsText] = process.argv.slice(2);
const runs = Number(runsText ?? 5);
const dist = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../dist');
const browser = await launch();
const times = [];
let beforeMonaco = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext();
  const login = await context.request.post(`${base}/api/auth/login`, { data: { userName: user, password }, headers: { 'X-Requested-With': 'bench' } });
  if (!login.ok()) throw new Error(`login: ${login.status()}`);
  const page = await context.newPage();
  const scripts = [];
  page.on('request', (r) => r.resourceType() === 'script' && scripts.push(new URL(r.url()).pathname));
  const start = Date.now();
  await page.goto(`${base}/p/${projectId}`);
  await page.getByRole('tree', { name: 'Files' }).waitFor();
  await page.getByRole('treeitem').first().waitFor();
  times.push(Date.now() - start);
  const monaco = scripts.findIndex((s) => /editor\.api|\/vs-/.test(s));
  beforeMonaco = monaco < 0 ? scripts : scripts.slice(0, monaco);
  await context.close();
}
await browser.close();
let raw = 0;
let gzip = 0;
for (const script of new Set(beforeMonaco)) {
  const bytes = await readFile(path.join(dist, script)).catch(() => null);
  if (!bytes) continue;
  raw += bytes.length;
  gzip += gzipSync(bytes, { level: 9 }).length;
}
times.sort((a, b) => a - b);
console.log(`cold load to interactive workspace: median ${times[Math.floor(times.length / 2)]} ms (runs: ${times.join(', ')})`);
console.log(`JavaScript before Monaco: ${(raw / 1024).toFixed(0)} kB raw, ${(gzip / 1024).toFixed(0)} kB gzip (${new Set(beforeMonaco).size} files)`);
