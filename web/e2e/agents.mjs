// The agent board in Chromium: a synthetic hook client (plain HTTP posts of Claude Code's
// documented hook payloads, with a hooks-scoped token) drives an agent through its states while
// the board is open; the card follows live and notifications are raised (captured in the page).
// Started by tests/Wright.Server.Tests/Web/AgentBoardBrowserTests.cs, which passes:
//   WRIGHT_SETUP_URL      the setup URL the server printed
//   WRIGHT_HOOK_FIXTURES  the directory of the hook payload fixtures (claude-hooks/docs)
//   E2E_OUT               where screenshots go
// Each step prints one line; the first failure takes a screenshot and exits 1.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { launch, watch, steps, until as waitUntil } from './browser.mjs';

const setupUrl = process.env.WRIGHT_SETUP_URL;
const fixtures = process.env.WRIGHT_HOOK_FIXTURES;
const out = process.env.E2E_OUT ?? path.resolve('e2e/out');
if (!setupUrl || !fixtures) {
  console.error('WRIGHT_SETUP_URL and WRIGHT_HOOK_FIXTURES must be set (run through AgentBoardBrowserTests).');
  process.exit(2);
}
const base = new URL(setupUrl).origin;
const password = 'correct-horse-battery';
const timeout = 15_000;

await mkdir(out, { recursive: true });
const browser = await launch();
const problems = [];
const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
context.setDefaultTimeout(timeout);
await context.grantPermissions(['notifications'], { origin: base });
// Every browser notification the app raises is recorded (and still shown) so the test can read it.
await context.addInitScript(() => {
  const Original = window.Notification;
  if (!Original) return;
  window.__notifications = [];
  class Recorded extends Original {
    constructor(title, options) {
      super(title, options);
      window.__notifications.push({ title, body: options?.body ?? '', at: Date.now() });
    }
  }
  Object.defineProperty(Recorded, 'permission', { get: () => Original.permission });
  Recorded.requestPermission = (...args) => Original.requestPermission(...args);
  window.Notification = Recorded;
});
watch(context, problems);
const page = await context.newPage();
const progress = steps();
const step = progress.step;
const until = (what, check, ms = timeout) => waitUntil(what, check, ms, 50);

async function shot(name) {
  await page.screenshot({ path: path.join(out, `agents-${name}.png`) });
}

async function api(pathname, init) {
  const response = await page.request.fetch(base + pathname, init);
  if (!response.ok()) throw new Error(`${pathname}: ${response.status()} ${await response.text()}`);
  return response.status() === 204 ? undefined : response.json();
}

let hooksToken = '';

/** The synthetic hook client: a fixture payload with this agent's session and directory, posted as Claude Code's HTTP hook would. */
async function hook(event, fields) {
  const payload = { ...JSON.parse(await readFile(path.join(fixtures, `${event}.json`), 'utf8')), ...fields };
  const response = await fetch(`${base}/api/hooks/${event}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${hooksToken}` },
    body: JSON.stringify(payload),
  });
  if (response.status !== 204) throw new Error(`hook ${event}: ${response.status} ${await response.text()}`);
}

const notifications = () => page.evaluate(() => window.__notifications ?? []);

function git(cwd, ...args) {
  return execFileSync('git', ['-c', 'user.name=Agent', '-c', 'user.email=agent@example.invalid', ...args], { cwd, encoding: 'utf8' });
}

try {
  let projectRoot = '';
  let projectId = '';
  const card = () => page.getByRole('article', { name: /Agent Claude Code alpha-se/ });
  const cardState = async () => (await card().getByRole('status').getAttribute('aria-label')) ?? '';
  const session = { session_id: 'alpha-session-1', transcript_path: undefined };

  await step('setup, a Wright project and a hooks-scoped token', async () => {
    await page.goto(setupUrl);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Repeat password').fill(password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    const project = await api('/api/projects', { method: 'POST', data: { name: 'shop-api' }, headers: { 'X-Requested-With': 'wright-web' } });
    projectId = project.id;
    projectRoot = project.path;
    const token = await api('/api/tokens', { method: 'POST', data: { name: 'e2e-hooks', scopes: ['hooks'] }, headers: { 'X-Requested-With': 'wright-web' } });
    hooksToken = token.token;
  });

  await step('the board is reachable from the navigation and says what to do when empty', async () => {
    await page.getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('heading', { name: 'No agents yet' }).waitFor();
    await shot('01-empty');
  });

  await step('SessionStart: the agent appears, idle, under its project', async () => {
    await hook('SessionStart', { ...session, cwd: projectRoot });
    await card().waitFor();
    await until('state idle', async () => (await cardState()) === 'State: Idle');
    await page.getByRole('region', { name: 'Project shop-api' }).waitFor();
  });

  await step('UserPromptSubmit: the card turns to Working and shows the command', async () => {
    await hook('UserPromptSubmit', { ...session, cwd: projectRoot, prompt: 'Add a /health route and a test for it' });
    await until('state working', async () => (await cardState()) === 'State: Working');
    await card().getByLabel('Command').filter({ hasText: 'Add a /health route' }).waitFor();
  });

  // Another tab in front: the board is no longer what the user looks at, so a browser notification is due.
  const other = await context.newPage();
  await other.goto(`${base}/settings`);
  await other.bringToFront();
  // Playwright's headless Chromium reports every page focused and visible; the board page is told
  // what a user's browser would tell it now: it is not the page in front.
  await page.evaluate(() => Object.defineProperty(document, 'hasFocus', { value: () => false, configurable: true }));

  await step('PermissionRequest: Needs input, live, with a notification that says on what', async () => {
    await hook('PermissionRequest', { ...session, cwd: projectRoot });
    await until('state needs input', async () => (await cardState()) === 'State: Needs input');
    await card().getByText('permission to use Bash', { exact: true }).waitFor();
    const raised = await until('a browser notification', async () => (await notifications()).find((n) => n.title.includes('needs input')));
    if (!raised.body.includes('permission to use Bash') || !raised.body.includes('shop-api')) throw new Error(`notification body: ${raised.body}`);
    await page.getByRole('region', { name: 'Agent alerts' }).getByRole('alert').filter({ hasText: 'needs input' }).waitFor();
  });

  await step('a second prompt for input within the rate limit raises no second notification', async () => {
    await hook('PostToolUse', { ...session, cwd: projectRoot });
    await until('back to working', async () => (await cardState()) === 'State: Working');
    await hook('Notification', { ...session, cwd: projectRoot });
    await until('needs input again', async () => (await cardState()) === 'State: Needs input');
    await card().getByText('a permission prompt', { exact: true }).waitFor();
    const inputs = (await notifications()).filter((n) => n.title.includes('needs input'));
    if (inputs.length !== 1) throw new Error(`expected 1 "needs input" notification, got ${inputs.length}`);
  });

  let sha = '';
  await step('the agent commits and stops: Idle, and a "finished" notification', async () => {
    await hook('PostToolUse', { ...session, cwd: projectRoot });
    await until('working', async () => (await cardState()) === 'State: Working');
    await writeFile(path.join(projectRoot, 'health.py'), 'def health():\n    return {"ok": True}\n');
    git(projectRoot, 'add', 'health.py');
    git(projectRoot, 'commit', '-q', '-m', 'Add a /health route');
    sha = git(projectRoot, 'rev-parse', 'HEAD').trim();
    await hook('Stop', { ...session, cwd: projectRoot, last_assistant_message: 'Added GET /health returning ok, with a test.' });
    await until('idle', async () => (await cardState()) === 'State: Idle');
    await card().getByLabel('Last agent turn').filter({ hasText: 'Added GET /health' }).waitFor();
    await until('a finished notification', async () => (await notifications()).find((n) => n.title.includes('finished') && n.body.includes('Added GET /health')));
  });

  await page.bringToFront();
  await page.evaluate(() => delete document.hasFocus);

  await step('the notification centre lists both alerts', async () => {
    await page.getByRole('button', { name: /^Notifications/ }).click();
    const centre = page.getByRole('dialog', { name: 'Notification centre' });
    await centre.getByText(/needs input/).first().waitFor();
    await centre.getByText(/finished/).first().waitFor();
    await page.getByRole('button', { name: /^Notifications/ }).click();
  });

  await step('a second agent in another directory; filters by state and kind', async () => {
    const other2 = { session_id: 'bravo-session-2' };
    await hook('SessionStart', { ...other2, cwd: '/tmp/elsewhere-e2e' });
    await hook('UserPromptSubmit', { ...other2, cwd: '/tmp/elsewhere-e2e', prompt: 'Refactor the billing module' });
    await page.getByRole('article', { name: /bravo-se/ }).waitFor();
    await page.getByRole('radio', { name: /Working/ }).click();
    await until('only the working agent', async () => (await page.getByRole('article').count()) === 1 && (await page.getByRole('article').innerText()).includes('Refactor the billing'));
    await page.getByRole('radio', { name: /^All/ }).click();
    await page.getByLabel('Kind').selectOption('wright');
    await page.getByText('No agent matches these filters.').waitFor();
    await page.getByLabel('Kind').selectOption('');
    await until('both agents', async () => (await page.getByRole('article').count()) === 2);
    await shot('02-board');
  });

  await step('the timeline: the task, its turns, and the commit made during it with its diffstat', async () => {
    await card().getByRole('button', { name: /Open the timeline/ }).click();
    const timeline = page.getByRole('complementary', { name: 'Agent timeline' });
    const task = timeline.getByRole('listitem', { name: /Task: Add a \/health route/ });
    await task.waitFor();
    await task.getByText('Permission to use Bash').first().waitFor();
    const commits = task.getByRole('list', { name: 'Commits during this task' });
    await commits.getByText('Add a /health route').waitFor();
    await commits.getByLabel('1 files, 2 additions, 0 deletions').waitFor();
    await shot('03-timeline');
    await commits.getByRole('link', { name: `Show ${sha.slice(0, 7)} in History` }).click();
    await until('the workspace', async () => new URL(page.url()).pathname === `/p/${projectId}`);
    await page.getByRole('list', { name: 'Commits' }).getByRole('button', { name: /Add a \/health route/, expanded: true }).waitFor();
    await shot('04-history');
  });

  if (problems.length > 0) throw new Error(problems.join('\n'));
  console.log(`${progress.passed} passed, 0 failed`);
  await browser.close();
} catch (error) {
  console.log(`not ok - ${progress.current}: ${error?.stack ?? error}`);
  if (problems.length > 0) console.log(problems.join('\n'));
  await shot('failure').catch(() => undefined);
  await browser.close();
  process.exit(1);
}
