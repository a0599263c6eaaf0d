// Merges, flow runs on the agent board and node type changes, as a user drives them. Started by
// tests/Wright.Server.Tests/Web/LeftoversBrowserTests.cs against a real `wright serve` and the fake
// model, whose replies it scripts in the order this script prompts:
//   1 "Greet there" (hello.txt), 2 "Say hey" (src/app.py), 3 "Say hi instead" (hello.txt, a branch
//   from 1), 4 "Say yo" (src/app.py, another branch from 1), 5 session B's "Notes for the team"
//   (notes.md), 6 the flow's llm node.
// Environment: WRIGHT_SETUP_URL, WRIGHT_FAKE_OPENAI, E2E_OUT.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { openScript } from './browser.mjs';

const { setupUrl, fakeOpenAi, base, out, password, timeout, browser, page, step, until, shot, api, finish, fail } = await openScript({ testClass: 'LeftoversBrowserTests', out: 'e2e/out/leftovers', viewport: { width: 1600, height: 900 } });

/** Posts a prompt through the API and reads its answer stream to the end; returns the answer's message id. */
async function prompt(sessionId, content, parentId) {
  const response = await page.request.fetch(`${base}/api/sessions/${sessionId}/messages`, {
    method: 'POST',
    headers: { 'X-Requested-With': 'e2e', Accept: 'text/event-stream' },
    data: { content, ...(parentId ? { parentId } : {}), model: 'openai/gpt-4o-mini' },
    timeout,
  });
  const text = await response.text();
  if (!response.ok() || !text.includes('message.completed')) throw new Error(`prompt "${content}" failed: ${response.status()} ${text.slice(0, 400)}`);
  const tree = await api(`/api/sessions/${sessionId}`);
  return tree.currentLeafId;
}

const read = (root, file) => readFile(path.join(root, file), 'utf8');

try {
  let projectId = '';
  let root = '';
  let sessionA = '';
  let mainLeaf = '';
  let sideLeaf = '';

  await step('setup: a project with three files, session A with three branches, session B with one answer', async () => {
    await page.goto(setupUrl);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Repeat password').fill(password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await api('/api/providers/openai', { method: 'PUT', data: { kind: 'openai', baseUrl: fakeOpenAi, apiKey: 'sk-e2e-test-key-0123456789' } });
    const project = await api('/api/projects', { method: 'POST', data: { name: 'merge-demo' } });
    projectId = project.id;
    root = project.path;
    for (const [file, content] of [['hello.txt', 'Hello\nworld\n'], ['src/app.py', "def greet():\n    return 'hi'\n"], ['notes.md', 'Notes\n']]) {
      await api(`/api/projects/${projectId}/files/${file}`, { method: 'PUT', data: { content } });
    }
    execFileSync('git', ['add', '--all'], { cwd: root });
    execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '--quiet', '-m', 'Initial files'], { cwd: root });
    const initial = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();

    sessionA = (await api(`/api/projects/${projectId}/sessions`, { method: 'POST', data: { title: 'Session A' } })).id;
    const first = await prompt(sessionA, 'Greet there');
    mainLeaf = await prompt(sessionA, 'Say hey in src/app.py');
    sideLeaf = await prompt(sessionA, 'Say hi instead', first);
    await prompt(sessionA, 'Say yo in src/app.py', first);
    // Session B works on a line of its own, started in git from the first commit (as a user would).
    execFileSync('git', ['checkout', '--quiet', '-b', 'side', initial], { cwd: root });
    const sessionB = (await api(`/api/projects/${projectId}/sessions`, { method: 'POST', data: { title: 'Session B' } })).id;
    await prompt(sessionB, 'Notes for the team');
    // Back to session A's newest branch (session B's prompt moved the workspace to its own).
    const tree = await api(`/api/sessions/${sessionA}`);
    await api(`/api/sessions/${sessionA}/current`, { method: 'PUT', data: { leafId: tree.currentLeafId } });
    if (!(await read(root, 'src/app.py')).includes("'yo'")) throw new Error('session A is not at its "yo" branch');
  });

  const chat = page.getByRole('region', { name: 'Chat' });
  const openMap = async () => {
    await chat.getByRole('button', { name: 'Branch map' }).click();
    await page.getByRole('tree', { name: 'Session tree' }).waitFor();
  };

  await step('branch map: "Merge into current" on another branch’s leaf makes a clean merge; the merge turn shows and the workspace moves', async () => {
    await page.goto(`${base}/p/${projectId}?session=${sessionA}`);
    await page.getByRole('tree', { name: 'Files' }).waitFor();
    await chat.getByText('Say yo in src/app.py').first().waitFor();
    await openMap();
    await until('two leaves to merge', async () => (await page.getByRole('button', { name: /^Merge into current/ }).count()) === 2);
    await shot('leftovers-01-branch-map');
    await page.getByRole('button', { name: 'Merge into current: Say hi instead' }).click();
    await until('the merge turn in the chat', async () => (await chat.innerText()).includes('Merged the branch'));
    await until('hello.txt merged', async () => (await read(root, 'hello.txt')) === 'Hi\nthere\n');
    if (!(await read(root, 'src/app.py')).includes("'yo'")) throw new Error('the clean merge lost the current branch');
    const parents = execFileSync('git', ['rev-list', '--parents', '-n', '1', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim().split(' ');
    if (parents.length !== 3) throw new Error(`HEAD is not a merge commit: ${parents.join(' ')}`);
    await shot('leftovers-02-clean-merge');
  });

  await step('a conflicting merge shows the file and its hunks with Keep ours / Keep theirs / Cancel; Cancel changes nothing', async () => {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    await openMap();
    await page.getByRole('button', { name: 'Merge into current: Say hey in src/app.py' }).click();
    const conflicts = page.getByLabel('Merge conflicts');
    await conflicts.waitFor();
    const file = conflicts.getByRole('listitem', { name: 'Conflict in src/app.py' });
    await file.waitFor();
    await until('both sides of the hunk', async () => {
      const text = await file.innerText();
      return text.includes("'yo'") && text.includes("'hey'");
    });
    for (const name of ['Keep ours', 'Keep theirs', 'Cancel']) await conflicts.getByRole('button', { name }).waitFor();
    await shot('leftovers-03-conflict');
    await conflicts.getByRole('button', { name: 'Cancel' }).click();
    await until('the dialog closed', async () => (await page.getByLabel('Merge conflicts').count()) === 0);
    if (execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim() !== head) throw new Error('Cancel moved HEAD');
  });

  await step('Keep theirs settles the conflict with the merged branch’s side; the map draws both merge edges', async () => {
    await page.getByRole('button', { name: 'Merge into current: Say hey in src/app.py' }).click();
    const conflicts = page.getByLabel('Merge conflicts');
    await conflicts.getByRole('button', { name: 'Keep theirs' }).click();
    await until('app.py takes theirs', async () => (await read(root, 'src/app.py')).includes("'hey'"));
    await until('the dialogs closed', async () => (await page.getByRole('tree', { name: 'Session tree' }).count()) === 0);
    await openMap();
    await until('two merge edges', async () => (await page.locator('.branch-edges path.edge.merge').count()) === 2);
    await shot('leftovers-04-merge-edges');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
  });

  await step('the session list merges another session into this one', async () => {
    await chat.getByRole('button', { name: 'All sessions' }).click();
    await page.getByRole('button', { name: 'Merge Session B into this session' }).click();
    await until('notes.md merged', async () => (await read(root, 'notes.md')).includes('Notes for the team'));
    await until('the merge turn names session B', async () => (await chat.innerText()).includes('Merged session “Session B”') || (await chat.innerText()).includes('Merged session "Session B"'));
    await until('the dialogs closed', async () => (await page.getByRole('list', { name: 'Sessions' }).count()) === 0);
    await shot('leftovers-05-session-merge');
  });

  let runId = '';
  await step('agent board: a flow run paused at its input shows with session, template, node and time in state, live', async () => {
    await api(`/api/projects/${projectId}/flows/draft-twice`, {
      method: 'PUT',
      data: {
        graph: {
          name: 'draft-twice',
          nodes: [
            { id: 'ask', type: 'userInput', prompt: 'What should I write?', output: 'request' },
            { id: 'draft', type: 'llm', prompt: 'Write: {{request}}', tools: false, output: 'draft' },
            { id: 'again', type: 'userInput', prompt: 'Anything else?', output: 'more' },
            { id: 'end', type: 'end' },
          ],
          edges: [
            { from: 'ask', to: 'draft' },
            { from: 'draft', to: 'again' },
            { from: 'again', to: 'end' },
          ],
        },
      },
    });
    const flowSession = (await api(`/api/projects/${projectId}/sessions`, { method: 'POST', data: { title: 'Drafting' } })).id;
    runId = (await api(`/api/sessions/${flowSession}/flow-runs`, { method: 'POST', data: { flow: 'draft-twice' } })).id;
    await until('the run paused', async () => (await api(`/api/flow-runs/${runId}`)).state === 'paused');

    await page.goto(`${base}/agents`);
    const runs = page.getByRole('region', { name: 'Flow runs' });
    const card = runs.getByRole('article', { name: 'Flow run draft-twice in Drafting' });
    await card.waitFor();
    await until('paused at ask', async () => {
      const text = await card.innerText();
      return text.includes('Needs input') && text.includes('ask') && text.includes('What should I write?') && text.includes('merge-demo');
    });
    await card.getByLabel('Time in state').waitFor();
    // The state filter counts the run with the agents: it needs input.
    const needsInput = page.getByRole('radiogroup', { name: 'State' }).getByRole('radio', { name: /^Needs input/ });
    await until('the run counted as needing input', async () => /^Needs input\s*1$/.test((await needsInput.innerText()).trim()));
    await shot('leftovers-06-board-paused');

    // Answered elsewhere (the API here), the card follows live: the run pauses again at "again".
    await api(`/api/flow-runs/${runId}/input`, { method: 'POST', data: { content: 'a haiku' } });
    await until('paused at again', async () => (await card.innerText()).includes('again'));
    await shot('leftovers-07-board-live');
  });

  await step('the card opens its session; a cancelled run leaves the board', async () => {
    const card = page.getByRole('region', { name: 'Flow runs' }).getByRole('article', { name: 'Flow run draft-twice in Drafting' });
    await card.getByRole('link', { name: 'Open session Drafting' }).click();
    await until('the workspace with the session', async () => page.url().includes(`/p/${projectId}`) && page.url().includes('session='));
    await page.getByRole('region', { name: 'Chat' }).waitFor();
    await page.goto(`${base}/agents`);
    await page.getByRole('region', { name: 'Flow runs' }).waitFor();
    await api(`/api/flow-runs/${runId}:cancel`, { method: 'POST' });
    await until('the run gone from the board', async () => (await page.getByRole('region', { name: 'Flow runs' }).count()) === 0);
    await until('and from the counts', async () => (await page.getByRole('radiogroup', { name: 'State' }).getByRole('radio', { name: /^Needs input/ }).innerText()).trim().match(/^Needs input\s*0$/) !== null);
  });

  await step('flow editor: changing a node’s type keeps its id and edges, drops what does not apply, revalidates; Undo restores it', async () => {
    await page.goto(`${base}/p/${projectId}/flows/draft-twice`);
    await page.getByRole('region', { name: 'Flow draft-twice' }).waitFor();
    await until('three edges', async () => (await page.locator('.react-flow__edge').count()) === 3);
    await page.getByRole('group', { name: 'Node draft' }).click();
    const properties = page.getByRole('complementary', { name: 'Properties' });
    await properties.getByLabel('Model').waitFor();
    await properties.getByLabel('Node type').selectOption('userInput');
    await until('the fields of a user input', async () => (await properties.getByLabel('Model').count()) === 0 && (await properties.getByLabel('Node type').inputValue()) === 'userInput');
    if ((await properties.getByLabel('Node id').inputValue()) !== 'draft') throw new Error('the node lost its id');
    if ((await properties.getByLabel('Prompt').inputValue()) !== 'Write: {{request}}') throw new Error('the shared prompt did not carry over');
    if ((await page.locator('.react-flow__edge').count()) !== 3) throw new Error('the edges changed');
    await until('revalidated', async () => !(await page.getByRole('status', { name: 'Validation' }).innerText()).includes('problem'));
    await shot('leftovers-08-type-changed');
    await page.getByRole('toolbar', { name: 'Flow editor' }).getByRole('button', { name: 'Undo graph edit' }).click();
    await until('back to an llm node', async () => (await properties.getByLabel('Node type').inputValue()) === 'llm' && (await properties.getByLabel('Model').count()) === 1);
    await shot('leftovers-09-undone');
  });

  await finish();
} catch (error) {
  await fail(error);
}
