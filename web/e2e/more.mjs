// More workbench flows in Debian's Chromium: the chat's branch map, prompt views and templates,
// the session list, push and pull with a local bare repository, a short access-token lifetime
// (refresh single-flight and invisible), and a server restart while an edit is unsaved.
// Started by tests/Wright.Server.Tests/Web/WorkbenchMoreBrowserTests.cs, which owns the server
// and passes:
//   WRIGHT_SETUP_URL   the setup URL the server printed
//   WRIGHT_FAKE_OPENAI the fake provider's OpenAI base URL
//   BARE_REPO          an empty bare git repository to use as the remote
//   E2E_OUT            where screenshots go
// The restart is a handshake on stdio: this script prints `@@stop` and waits for `@@stopped`,
// then prints `@@start` and waits for `@@started` (the server back on the same port and data dir).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { launch, watch, steps, until as waitUntil } from './browser.mjs';

const run = promisify(execFile);
const setupUrl = process.env.WRIGHT_SETUP_URL;
const fakeOpenAi = process.env.WRIGHT_FAKE_OPENAI;
const bare = process.env.BARE_REPO;
const out = process.env.E2E_OUT ?? path.resolve('e2e/out');
if (!setupUrl || !fakeOpenAi || !bare) {
  console.error('WRIGHT_SETUP_URL, WRIGHT_FAKE_OPENAI and BARE_REPO must be set (run through WorkbenchMoreBrowserTests).');
  process.exit(2);
}
const base = new URL(setupUrl).origin;
const password = 'correct-horse-battery';
const timeout = 20_000;

// Lines from the test on stdin, read one at a time for the restart handshake.
const input = createInterface({ input: process.stdin });
const lines = [];
const waiting = [];
input.on('line', (line) => (waiting.length ? waiting.shift()(line) : lines.push(line)));
const nextLine = () => (lines.length ? Promise.resolve(lines.shift()) : new Promise((resolve) => waiting.push(resolve)));
async function handshake(say, expect) {
  console.log(say);
  const line = await Promise.race([nextLine(), new Promise((_, reject) => setTimeout(() => reject(new Error(`no ${expect} from the test`)), 60_000))]);
  if (line.trim() !== expect) throw new Error(`expected ${expect}, got ${line}`);
}

await mkdir(out, { recursive: true });
const browser = await launch();
const problems = [];
const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
context.setDefaultTimeout(timeout);
watch(context, problems);

// Every refresh the page makes: when, and how many at once (single-flight means never two; one
// per expired token means never two within a token's lifetime of six seconds).
const refresh = { starts: [], inFlight: 0, maxInFlight: 0, failed: [] };
const isRefresh = (request) => new URL(request.url()).pathname === '/api/auth/refresh';
context.on('request', (request) => {
  if (!isRefresh(request)) return;
  refresh.starts.push(Date.now());
  refresh.inFlight += 1;
  refresh.maxInFlight = Math.max(refresh.maxInFlight, refresh.inFlight);
});
context.on('response', (response) => {
  if (!isRefresh(response.request())) return;
  refresh.inFlight -= 1;
  if (!response.ok()) refresh.failed.push(`HTTP ${response.status()}`);
});
context.on('requestfailed', (request) => {
  if (!isRefresh(request)) return;
  refresh.inFlight -= 1;
  // A navigation (the test's own page.goto) cancels what the page had in flight; that is not a failed refresh.
  if (!/ERR_ABORTED/.test(request.failure()?.errorText ?? '')) refresh.failed.push(request.failure()?.errorText ?? 'failed');
});

const page = await context.newPage();
const sawLogin = [];
page.on('framenavigated', (frame) => {
  if (frame === page.mainFrame() && new URL(frame.url()).pathname === '/login') sawLogin.push(frame.url());
});
// Native confirms (switching over uncommitted edits, deleting) are accepted, as a user would.
page.on('dialog', (dialog) => void dialog.accept());

const progress = steps();
const step = progress.step;
const until = (what, check, ms = timeout) => waitUntil(what, check, ms);

const shot = (name) => page.screenshot({ path: path.join(out, `${name}.png`) });
const editorText = async () => (await page.locator('.code-editor .view-lines').innerText()).replace(/\u00a0/g, ' ');
const git = async (cwd, ...args) => (await run('git', args, { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } })).stdout.trim();

async function api(pathname, init = {}) {
  const send = () => page.request.fetch(base + pathname, { ...init, headers: { 'X-Requested-With': 'e2e', ...(init.headers ?? {}) } });
  let response = await send();
  if (response.status() === 401) {
    // The test's own calls share the page's cookies but not its client: they refresh for themselves.
    await page.request.post(`${base}/api/auth/refresh`, { headers: { 'X-Requested-With': 'e2e' } });
    response = await send();
  }
  if (!response.ok()) throw new Error(`${pathname}: ${response.status()} ${await response.text()}`);
  return response.status() === 204 ? undefined : response.json();
}

try {
  let projectId = '';
  let projectRoot = '';
  const notes = () => readFile(path.join(projectRoot, 'notes.txt'), 'utf8').catch(() => '');

  await step('setup, a provider and a project', async () => {
    await page.goto(setupUrl);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Repeat password').fill(password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await api('/api/providers/openai', { method: 'PUT', data: { baseUrl: fakeOpenAi, apiKey: 'sk-e2e-test-key-0123456789' } });
    const project = await api('/api/projects', { method: 'POST', data: { name: 'more' } });
    projectId = project.id;
    projectRoot = project.path;
    await page.goto(`${base}/p/${projectId}`);
    await page.getByRole('tree', { name: 'Files' }).waitFor();
  });

  await step('two prompts, then the very first prompt edited: a second version of it', async () => {
    const prompt = page.getByRole('textbox', { name: 'Prompt' });
    await prompt.fill('add notes');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('article', { name: 'Answer' }).last().getByText('Added notes.').waitFor();
    await prompt.fill('extend the notes');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('article', { name: 'Answer' }).last().getByText('Extended.').waitFor();
    await until('one two on disk', async () => (await notes()) === 'one\ntwo\n');
    const first = page.getByRole('article', { name: 'Your prompt' }).first();
    await first.getByRole('button', { name: 'Edit prompt' }).click();
    await first.getByRole('textbox', { name: 'Edit prompt' }).fill('add other notes');
    await first.getByRole('button', { name: 'Send as new version' }).click();
    await page.getByRole('article', { name: 'Answer' }).last().getByText('Notas.').waitFor();
    await until('uno on disk', async () => (await notes()) === 'uno\n');
    const nav = page.getByRole('article', { name: 'Your prompt' }).first().getByRole('navigation', { name: 'Prompt versions' });
    await until('2/2 on the first prompt', async () => (await nav.innerText()).includes('2/2'));
    if ((await page.getByRole('article', { name: 'Your prompt' }).count()) !== 1) throw new Error('the edited first prompt should start a path of its own');
  });

  await step('the branch map shows the whole tree with commits; a click switches the files', async () => {
    await page.getByRole('button', { name: 'Branch map' }).click();
    const map = page.getByRole('tree', { name: 'Session tree' });
    await until('six messages in the map', async () => (await map.getByRole('treeitem').count()) === 6);
    await until('three commits with diffstats', async () => (await map.getByRole('treeitem', { name: /commit [0-9a-f]{7}/ }).count()) === 3);
    await until('diffstat', async () => (await map.innerText()).includes('+1'));
    await shot('more-01-branch-map');
    await map.getByRole('treeitem', { name: /^Answer: Extended\./ }).click();
    await until('one two on disk', async () => (await notes()) === 'one\ntwo\n');
    await until('the current leaf marked', async () => (await map.getByRole('treeitem', { selected: true }).getAttribute('aria-label'))?.startsWith('Answer: Extended.'));
    await page.getByRole('dialog', { name: 'Branch map' }).getByRole('button', { name: 'Close' }).click();
    await until('two prompts on the path', async () => (await page.getByRole('article', { name: 'Your prompt' }).count()) === 2);
  });

  await step('Alt+] and Alt+[ move between the versions of the first prompt', async () => {
    // Nothing in particular has the focus: the shortcut is the workspace's.
    await page.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined));
    await page.keyboard.press('Alt+BracketRight');
    await until('uno on disk', async () => (await notes()) === 'uno\n');
    const nav = page.getByRole('article', { name: 'Your prompt' }).first().getByRole('navigation', { name: 'Prompt versions' });
    await until('2/2 shown', async () => (await nav.innerText()).includes('2/2'));
    await page.keyboard.press('Alt+BracketLeft');
    await until('one two back on disk', async () => (await notes()) === 'one\ntwo\n');
  });

  await step('what will be sent and what was sent', async () => {
    await page.getByRole('textbox', { name: 'Prompt' }).fill('rename the notes');
    await page.getByRole('button', { name: 'What will be sent' }).click();
    const preview = page.getByRole('dialog', { name: 'What will be sent' });
    await until('the system prompt', async () => (await preview.getByLabel('System prompt').innerText()).length > 20);
    await preview.getByText(/^Messages \(\d+\)$/).click();
    await until('the draft among the messages', async () => (await preview.innerText()).includes('rename the notes'));
    await shot('more-02-prompt-preview');
    await preview.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('textbox', { name: 'Prompt' }).fill('');
    await page.getByRole('article', { name: 'Your prompt' }).last().getByRole('button', { name: 'What was sent' }).click();
    const sent = page.getByRole('dialog', { name: 'What was sent' });
    await until('the stored context', async () => /Turn \d+ · /.test(await sent.innerText()));
    await sent.getByRole('table', { name: 'Context sources' }).waitFor();
    await shot('more-03-what-was-sent');
    await sent.getByRole('button', { name: 'Close' }).click();
  });

  await step('prompt templates: two versions of the project template and their diff', async () => {
    await page.getByRole('button', { name: 'Prompt templates' }).click();
    const dialog = page.getByRole('dialog', { name: 'Prompt templates' });
    await dialog.getByRole('tab', { name: 'This project' }).click();
    const text = dialog.getByRole('textbox', { name: 'Template text' });
    await text.fill('Be brief.');
    await dialog.getByRole('button', { name: 'Save as version 1' }).click();
    await dialog.getByRole('button', { name: 'Save as version 2' }).waitFor();
    await text.fill('Be brief.\nAnswer in English.');
    await dialog.getByRole('button', { name: 'Save as version 2' }).click();
    await dialog.getByRole('button', { name: 'Compare version 2 with version 1' }).click();
    await until('the diff', async () => (await dialog.innerText()).includes('Answer in English.'));
    await shot('more-04-templates');
    const saved = await api(`/api/projects/${projectId}/prompt`);
    if (saved.versions.length !== 2 || saved.versions[1].content !== 'Be brief.\nAnswer in English.') throw new Error(`templates stored: ${JSON.stringify(saved)}`);
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  await step('sessions: search, fork, archive', async () => {
    await page.getByRole('button', { name: 'All sessions' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sessions' });
    const list = dialog.getByRole('list', { name: 'Sessions' });
    await until('one session', async () => (await list.getByRole('listitem').count()) === 1);
    await dialog.getByRole('searchbox', { name: 'Search sessions' }).fill('zzz-nothing');
    await until('no match', async () => (await list.getByRole('listitem').count()) === 0);
    await dialog.getByRole('searchbox', { name: 'Search sessions' }).fill('');
    await list.getByRole('button', { name: /^Fork / }).click();
    await until('two sessions', async () => (await list.getByRole('listitem').count()) === 2);
    await shot('more-05-sessions');
    await list.getByRole('button', { name: /^Archive / }).first().click();
    await until('one session left unarchived', async () => (await list.getByRole('listitem').count()) === 1);
    await dialog.getByLabel('Archived too').check();
    await until('both with archived', async () => (await list.getByRole('listitem').count()) === 2);
    await page.keyboard.press('Escape');
  });

  await step('push to and pull from a local bare repository', async () => {
    await page.getByRole('button', { name: 'History' }).click();
    await page.getByRole('button', { name: 'Add remote' }).click();
    const form = page.getByRole('form', { name: 'Add remote' });
    await form.getByLabel('Remote name').fill('origin');
    await form.getByLabel('Remote URL').fill(bare);
    await form.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('list', { name: 'Remotes' }).getByText('origin').waitFor();
    const branch = await git(projectRoot, 'rev-parse', '--abbrev-ref', 'HEAD');
    const head = await git(projectRoot, 'rev-parse', 'HEAD');
    await page.getByRole('button', { name: 'Push to origin' }).click();
    await until('the branch in the bare repository', async () => (await git(bare, 'rev-parse', `refs/heads/${branch}`).catch(() => '')) === head);
    await page.getByRole('button', { name: /^Notifications/ }).click();
    await page.getByRole('dialog', { name: 'Notification centre' }).getByText(`Pushed ${branch} to origin`).waitFor();
    await page.getByRole('button', { name: /^Notifications/ }).click();

    // Someone else pushes a commit to the same branch.
    const other = await mkdtemp(path.join(tmpdir(), 'wright-e2e-clone-'));
    try {
      await git(other, 'clone', '--quiet', bare, '.');
      await git(other, 'checkout', '--quiet', branch);
      await writeFile(path.join(other, 'from-remote.txt'), 'pushed by someone else\n');
      await git(other, 'add', 'from-remote.txt');
      await git(other, '-c', 'user.name=Other', '-c', 'user.email=other@example.test', 'commit', '--quiet', '-m', 'Add from-remote.txt');
      await git(other, 'push', '--quiet', 'origin', branch);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
    await page.getByRole('button', { name: 'Pull from origin' }).click();
    await until('the pulled file on disk', async () => (await readFile(path.join(projectRoot, 'from-remote.txt'), 'utf8').catch(() => '')) === 'pushed by someone else\n');
    await until('the pulled commit in History', async () => (await page.getByRole('list', { name: 'Commits' }).innerText()).includes('Add from-remote.txt'));
    await shot('more-06-remotes');
  });

  await step('a branch checkout where an open file does not exist shows its tab as deleted', async () => {
    await page.getByRole('button', { name: 'Explorer' }).click();
    await page.getByRole('treeitem', { name: 'from-remote.txt' }).click();
    await until('the pulled file in the editor', async () => (await editorText()).includes('pushed by someone else'));
    await page.getByRole('button', { name: 'History' }).click();
    const other = (await api(`/api/projects/${projectId}/git/branches`)).items.find((b) => b.name.startsWith('wright/'));
    await page.getByRole('combobox', { name: 'Current branch' }).selectOption(other.name);
    await page.getByText('from-remote.txt was deleted on disk').waitFor();
    await shot('more-07-deleted-tab');
    await page.getByRole('combobox', { name: 'Current branch' }).selectOption('main');
    await until('the file back in the editor', async () => (await page.getByText('from-remote.txt was deleted on disk').count()) === 0 || (await editorText()).includes('pushed by someone else'));
    await page.getByRole('button', { name: 'Explorer' }).click();
  });

  await step('drag and drop moves a file into a folder; reveal finds the active file', async () => {
    await api(`/api/projects/${projectId}/dirs`, { method: 'POST', data: { path: 'docs' } });
    await api(`/api/projects/${projectId}/files/move-me.md`, { method: 'PUT', data: { content: '# Move me\n' } });
    const tree = page.getByRole('tree', { name: 'Files' });
    await tree.getByRole('treeitem', { name: 'move-me.md' }).waitFor();
    await tree.getByRole('treeitem', { name: 'move-me.md' }).dragTo(tree.getByRole('treeitem', { name: 'docs' }));
    await until('the moved file on disk', async () => (await readFile(path.join(projectRoot, 'docs', 'move-me.md'), 'utf8').catch(() => '')) === '# Move me\n');
    await until('the moved row inside docs', async () => (await tree.getByRole('treeitem', { name: 'move-me.md' }).getAttribute('aria-level')) === '2');
    await tree.getByRole('treeitem', { name: 'move-me.md' }).click();
    await until('the moved file open', async () => (await editorText()).includes('# Move me'));
    await tree.getByRole('treeitem', { name: 'docs' }).click();
    await until('docs collapsed', async () => (await tree.getByRole('treeitem', { name: 'move-me.md' }).count()) === 0);
    await page.getByRole('button', { name: 'Reveal the active file' }).click();
    await until('the active file revealed and selected', async () => (await tree.getByRole('treeitem', { name: 'move-me.md' }).getAttribute('aria-selected')) === 'true');
  });

  await step('settings: a model override, my default model, a new user', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Models' }).click();
    const table = page.getByRole('table', { name: 'Model catalog' });
    await page.getByRole('searchbox', { name: 'Filter models' }).fill('gpt-4o-mini');
    await table.getByRole('button', { name: 'Override openai/gpt-4o-mini' }).first().click();
    await table.getByLabel('Context window of openai/gpt-4o-mini').fill('64000');
    await table.getByRole('button', { name: 'Save' }).click();
    await until('the override shown', async () => (await table.innerText()).includes('64,000'));
    const catalog = (await api('/api/models?provider=openai')).items.find((m) => m.name === 'openai/gpt-4o-mini');
    if (catalog.contextWindow !== 64000) throw new Error(`the override was not stored: ${JSON.stringify(catalog)}`);
    await page.getByRole('combobox', { name: 'My default model' }).selectOption('openai/gpt-4o-mini');
    await shot('more-09-models');
    await page.getByRole('button', { name: 'Users' }).click();
    const form = page.getByRole('form', { name: 'Add a user' });
    await form.getByLabel('New user name').fill('bob');
    await form.getByLabel('First password').fill('another-long-password');
    await form.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('table', { name: 'Users' }).getByText('bob').waitFor();
    await page.goto(`${base}/p/${projectId}`);
    await until('my default model in the composer', async () => (await page.getByRole('combobox', { name: 'Model' }).inputValue()) === 'openai/gpt-4o-mini');
  });

  await step('a short access-token lifetime: the session goes on, refreshed once at a time, never asked to log in', async () => {
    // The server's tokens live a few seconds: outlive one, then keep working.
    await page.waitForTimeout(7_000);
    const explorer = page.getByRole('button', { name: 'Explorer', exact: true });
    if ((await explorer.getAttribute('aria-pressed')) !== 'true') await explorer.click();
    await page.getByRole('treeitem', { name: 'notes.txt' }).click();
    await until('notes in the editor', async () => (await editorText()).includes('one'));
    await page.getByRole('button', { name: 'Branch map' }).click();
    await until('the map again', async () => (await page.getByRole('tree', { name: 'Session tree' }).getByRole('treeitem').count()) === 6);
    await page.keyboard.press('Escape');
    const starts = refresh.starts;
    if (starts.length < 2) throw new Error(`expected refreshes over a long session, saw ${starts.length}`);
    if (refresh.maxInFlight > 1) throw new Error(`${refresh.maxInFlight} refreshes ran at once`);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    if (gaps.some((g) => g < 3_000)) throw new Error(`refreshes closer than half a token's lifetime: gaps ${gaps.join(', ')} ms`);
    if (refresh.failed.length > 0) throw new Error(`refreshes failed: ${refresh.failed.join(', ')}`);
    if (sawLogin.length > 0) throw new Error(`the login page was shown: ${sawLogin.join(', ')}`);
    console.log(`# ${refresh.starts.length} refreshes, at most ${refresh.maxInFlight} at once`);
  });

  await step('the server stops with an unsaved edit; it starts again and the edit is saved', async () => {
    await page.locator('.code-editor .view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('edited while the server was away\n');
    await page.getByRole('tab', { name: 'notes.txt (modified)' }).waitFor();
    await handshake('@@stop', '@@stopped');
    await page.keyboard.press('Control+S');
    await page.getByRole('status', { name: 'Status' }).getByText(/Offline/).waitFor();
    await shot('more-08-offline');
    await handshake('@@start', '@@started');
    await until('the edit on disk', async () => (await notes()).includes('edited while the server was away'), 45_000);
    await page.getByRole('tab', { name: 'notes.txt', exact: true }).waitFor({ timeout: 45_000 });
    if (sawLogin.length > 0) throw new Error(`the login page was shown: ${sawLogin.join(', ')}`);
  });

  await step('a project created from a description opens with it sent as the first prompt', async () => {
    await page.goto(base + '/');
    await page.getByRole('button', { name: 'New project' }).click();
    const dialog = page.getByRole('dialog', { name: 'New project' });
    await dialog.getByLabel('Name').fill('described');
    await dialog.getByLabel('Describe what to build').fill('A tiny notes app with a README');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('article', { name: 'Your prompt' }).filter({ hasText: 'A tiny notes app with a README' }).waitFor();
    await page.getByRole('article', { name: 'Answer' }).first().waitFor();
    if (new URL(page.url()).searchParams.has('prompt')) throw new Error('the prompt stayed in the URL (a reload would send it again)');
  });

  // The browser reports the refused connections while the server was down as console errors; they are the point of that step.
  const unexpected = problems.filter((p) => !/net::ERR_CONNECTION_REFUSED|Failed to load resource: net::|502|503/.test(p));
  if (unexpected.length > 0) throw new Error(`the page reported problems:\n${unexpected.join('\n')}`);
  console.log(`${progress.passed} passed, 0 failed`);
  await browser.close();
  input.close();
} catch (error) {
  console.error(`not ok - ${progress.current}: ${error instanceof Error ? error.stack : error}`);
  if (problems.length) console.error(problems.join('\n'));
  await shot('more-failure').catch(() => undefined);
  await browser.close();
  input.close();
  process.exit(1);
}
