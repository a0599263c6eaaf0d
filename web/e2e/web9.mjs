// Split editors, a project scaffolded from a description, and a clone with progress, in Debian's
// Chromium. Started by tests/Wright.Server.Tests/Web/SplitScaffoldCloneBrowserTests.cs, which owns
// the server and passes:
//   WRIGHT_SETUP_URL   the setup URL the server printed
//   WRIGHT_FAKE_OPENAI the fake provider's OpenAI base URL (scripted: scaffold, an edit, a reply)
//   CLONE_SOURCE       a bare repository with enough objects that a clone reports progress
//   E2E_OUT            where screenshots go
import { readFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { launch, watch, steps, until as waitUntil } from './browser.mjs';

const setupUrl = process.env.WRIGHT_SETUP_URL;
const fakeOpenAi = process.env.WRIGHT_FAKE_OPENAI;
const cloneSource = process.env.CLONE_SOURCE;
const out = process.env.E2E_OUT ?? path.resolve('e2e/out/web9');
if (!setupUrl || !fakeOpenAi || !cloneSource) {
  console.error('WRIGHT_SETUP_URL, WRIGHT_FAKE_OPENAI and CLONE_SOURCE must be set (run through SplitScaffoldCloneBrowserTests).');
  process.exit(2);
}
const base = new URL(setupUrl).origin;
const password = 'correct-horse-battery';
const timeout = 20_000;

await mkdir(out, { recursive: true });
const browser = await launch();
const problems = [];
const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
context.setDefaultTimeout(timeout);
watch(context, problems);
const page = await context.newPage();
page.on('dialog', (dialog) => void dialog.accept());

const progress = steps();
const step = progress.step;
const until = (what, check, ms = timeout) => waitUntil(what, check, ms);
const shot = (name) => page.screenshot({ path: path.join(out, `${name}.png`) });

async function api(pathname, init = {}) {
  const send = () => page.request.fetch(base + pathname, { ...init, headers: { 'X-Requested-With': 'e2e', ...(init.headers ?? {}) } });
  let response = await send();
  if (response.status() === 401) {
    await page.request.post(`${base}/api/auth/refresh`, { headers: { 'X-Requested-With': 'e2e' } });
    response = await send();
  }
  if (!response.ok()) throw new Error(`${pathname}: ${response.status()} ${await response.text()}`);
  return response.status() === 204 ? undefined : response.json();
}

const group = (n) => page.getByRole('group', { name: `Editor group ${n}` });
const groups = () => page.locator('.editor-group');
const tabsOf = async (locator) => (await locator.getByRole('tab').evaluateAll((tabs) => tabs.map((t) => t.getAttribute('data-tab'))));
const editorText = async (locator) => (await locator.locator('.code-editor .view-lines').innerText()).replace(/\u00a0/g, ' ');

try {
  let projectId = '';
  let projectRoot = '';

  await step('setup, a provider and a project with two files', async () => {
    await page.goto(setupUrl);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Repeat password').fill(password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await api('/api/providers/openai', { method: 'PUT', data: { baseUrl: fakeOpenAi, apiKey: 'sk-e2e-test-key-0123456789' } });
    const project = await api('/api/projects', { method: 'POST', data: { name: 'split' } });
    projectId = project.id;
    projectRoot = project.path;
    await api(`/api/projects/${projectId}/files/notes.txt`, { method: 'PUT', data: { content: 'first line\n' } });
    await api(`/api/projects/${projectId}/files/other.txt`, { method: 'PUT', data: { content: 'other\n' } });
    await page.goto(`${base}/p/${projectId}`);
    await page.getByRole('treeitem', { name: 'notes.txt' }).click();
    await until('notes.txt in the editor', async () => (await editorText(page)).includes('first line'));
  });

  await step('Ctrl+\\ splits the file into a second group; typing in one shows in the other; one save', async () => {
    await page.locator('.code-editor textarea').first().focus();
    await page.keyboard.press('Control+Backslash');
    await until('two groups', async () => (await groups().count()) === 2);
    await until('notes.txt in both', async () => (await tabsOf(group(1))).includes('notes.txt') && (await tabsOf(group(2))).includes('notes.txt'));
    await group(1).getByRole('tablist', { name: 'Open files, group 1' }).waitFor();
    await group(2).locator('.code-editor .view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('typed in group two');
    await until('the edit in group one', async () => (await editorText(group(1))).includes('typed in group two'));
    await until('both tabs modified', async () => (await page.getByRole('tab', { name: 'notes.txt (modified)' }).count()) === 2);
    await shot('web9-01-split-dirty');
    await page.keyboard.press('Control+s');
    await until('saved on disk', async () => (await readFile(path.join(projectRoot, 'notes.txt'), 'utf8')) === 'first line\ntyped in group two');
    await until('both tabs clean', async () => (await page.getByRole('tab', { name: 'notes.txt', exact: true }).count()) === 2);
  });

  await step('a tab dragged to the other group moves there', async () => {
    // Opened in the focused group (two), then dragged onto group one's tab strip.
    await page.getByRole('treeitem', { name: 'other.txt' }).click();
    await until('other.txt in group two', async () => (await tabsOf(group(2))).join() === 'notes.txt,other.txt');
    await group(2).getByRole('tab', { name: 'other.txt' }).dragTo(group(1).getByRole('tab', { name: 'notes.txt' }));
    await until('other.txt moved to group one', async () => (await tabsOf(group(1))).join() === 'other.txt,notes.txt' && (await tabsOf(group(2))).join() === 'notes.txt');
    await until('other.txt shown in group one', async () => (await editorText(group(1))).includes('other'));
    await shot('web9-02-dragged');
  });

  await step('a reload restores both groups, their tabs and active files', async () => {
    await until('groups saved on the server', async () => {
      const saved = await api(`/api/projects/${projectId}/workbench`);
      return JSON.stringify(saved.state.groups) === JSON.stringify([{ tabs: ['other.txt', 'notes.txt'], active: 'other.txt' }, { tabs: ['notes.txt'], active: 'notes.txt' }]);
    });
    await page.reload();
    await until('two groups again', async () => (await groups().count()) === 2);
    await until('their tabs', async () => (await tabsOf(group(1))).join() === 'other.txt,notes.txt' && (await tabsOf(group(2))).join() === 'notes.txt');
    await until('group one shows other.txt', async () => (await editorText(group(1))).includes('other'));
    await until('group two shows notes.txt', async () => (await editorText(group(2))).includes('typed in group two'));
  });

  await step('the command palette moves the editor back; the emptied group closes', async () => {
    await group(2).locator('.code-editor .view-lines').click();
    await page.keyboard.press('Control+Shift+P');
    await page.getByRole('combobox', { name: 'Command' }).fill('>Move editor into previous group');
    await page.keyboard.press('Enter');
    await until('one group', async () => (await groups().count()) === 1);
    await until('notes.txt active', async () => (await page.getByRole('tab', { name: 'notes.txt' }).getAttribute('aria-selected')) === 'true');
  });

  let scaffoldRoot = '';
  await step('a project created from a description is scaffolded by the model; its commits are in History', async () => {
    await page.goto(base);
    await page.getByRole('button', { name: /New project/ }).click();
    const dialog = page.getByRole('dialog', { name: 'New project' });
    await dialog.getByLabel('Name').fill('health-api');
    await dialog.getByRole('textbox', { name: 'Describe what to build' }).fill('A Node HTTP API with a health endpoint that also answers /version');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await page.waitForURL(/\/p\/[0-9a-f-]+\?session=/);
    const id = new URL(page.url()).pathname.split('/')[2];
    scaffoldRoot = (await api(`/api/projects/${id}`)).path;
    await page.getByRole('article', { name: 'Answer' }).last().getByText('The API is scaffolded').waitFor();
    await until('the skeleton in the explorer', async () => (await page.getByRole('treeitem', { name: 'package.json' }).count()) === 1);
    const index = await readFile(path.join(scaffoldRoot, 'src', 'index.js'), 'utf8');
    if (!index.includes('/health') || !index.includes('/version')) throw new Error(`src/index.js: ${index}`);
    await page.getByRole('button', { name: 'History' }).first().click();
    const commits = page.getByRole('list', { name: 'Commits' });
    await until('two AI commits', async () => (await commits.getByLabel('AI commit').count()) === 2);
    await shot('web9-03-scaffolded');
  });

  await step('a clone shows its progress and opens the workspace', async () => {
    await page.goto(base);
    await page.getByRole('button', { name: /Clone/ }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Clone a repository' });
    await dialog.getByLabel('Repository URL or path').fill(`file://${cloneSource}`);
    // Every value the progress bar shows, recorded as it changes.
    await page.evaluate(() => {
      window.__cloneProgress = [];
      new MutationObserver(() => {
        const bar = document.querySelector('[role="progressbar"][aria-label="Cloning"]');
        const value = bar?.getAttribute('aria-valuenow');
        if (value !== undefined && value !== null && window.__cloneProgress.at(-1) !== Number(value)) window.__cloneProgress.push(Number(value));
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
    });
    await dialog.getByRole('button', { name: 'Clone', exact: true }).click();
    // A look at the dialog while the clone runs (it may already be done on a fast machine).
    await dialog.getByRole('status', { name: 'Clone progress' }).waitFor({ timeout: 5000 }).then(() => shot('web9-04a-clone-progress')).catch(() => undefined);
    await page.waitForURL(/\/p\/[0-9a-f-]+$/, { timeout: 60_000 });
    await page.getByRole('tree', { name: 'Files' }).waitFor();
    await until('the cloned files', async () => (await page.getByRole('treeitem', { name: 'dir0' }).count()) === 1);
    const seen = await page.evaluate(() => window.__cloneProgress);
    if (!seen.some((v) => v > 0 && v < 100)) throw new Error(`no progress between 0 and 100 was shown: ${JSON.stringify(seen)}`);
    await page.getByRole('button', { name: /^Notifications/ }).first().click();
    await page.getByRole('dialog', { name: 'Notification centre' }).getByText(/Cloned source/).waitFor();
    await shot('web9-04-cloned');
    const entries = await readdir(path.dirname((await api('/api/projects')).items.find((p) => p.name !== 'split' && p.name !== 'health-api').path));
    if (entries.some((e) => e.includes('.cloning-'))) throw new Error(`a staging directory was left: ${entries}`);
  });

  if (problems.length > 0) throw new Error(`problems during the run:\n${problems.join('\n')}`);
  console.log(`\n${progress.passed} passed, 0 failed`);
} catch (error) {
  await shot('web9-failure').catch(() => undefined);
  console.log(`not ok - ${progress.current}: ${error instanceof Error ? error.stack : error}`);
  if (problems.length > 0) console.log(problems.join('\n'));
  process.exitCode = 1;
} finally {
  await browser.close();
}
