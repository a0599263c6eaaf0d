// Flows in the browser: build a small flow in the editor (input → llm → input → end), save it,
// run it from the chat, answer its input, see the model's output and the run paused again, then
// look at the run in the inspector. Started by tests/Wright.Server.Tests/Web/FlowsBrowserTests.cs
// against a real `wright serve` and the fake model (same environment as run.mjs):
//   WRIGHT_SETUP_URL, WRIGHT_FAKE_OPENAI, E2E_OUT
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { openScript } from './browser.mjs';

const { setupUrl, fakeOpenAi, base, out, password, browser, page, step, until, shot, api, finish, fail } = await openScript({ testClass: 'FlowsBrowserTests', out: 'e2e/out/flows', viewport: { width: 1600, height: 900 } });

/** Drags a connection from one handle to another, as a user draws an edge. */
async function drag(fromLabel, toLabel) {
  const from = await page.getByLabel(fromLabel, { exact: true }).boundingBox();
  const to = await page.getByLabel(toLabel, { exact: true }).boundingBox();
  if (!from || !to) throw new Error(`handle ${from ? toLabel : fromLabel} is not on screen`);
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2 + 10, { steps: 5 });
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 5 });
  await page.mouse.up();
}

try {
  let projectId = '';
  let projectRoot = '';

  await step('setup, the fake model as provider, a project', async () => {
    await page.goto(setupUrl);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Repeat password').fill(password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await api('/api/providers/openai', { method: 'PUT', data: { kind: 'openai', baseUrl: fakeOpenAi, apiKey: 'sk-e2e-test-key-0123456789' } });
    const project = await api('/api/projects', { method: 'POST', data: { name: 'flows-demo' } });
    projectId = project.id;
    projectRoot = project.path;
  });

  await step('the Flows view lists the built-in default flow; a new flow opens in the editor and names its problem on a node', async () => {
    await page.goto(`${base}/p/${projectId}`);
    await page.getByRole('tree', { name: 'Files' }).waitFor();
    await page.getByRole('button', { name: 'Flows', exact: true }).click();
    await page.getByRole('region', { name: 'Built in' }).getByRole('button', { name: 'Open flow default' }).waitFor();
    await page.getByRole('button', { name: 'New flow' }).click();
    const form = page.getByRole('form', { name: 'New flow' });
    await form.getByLabel('Flow name').fill('ask-twice');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('region', { name: 'Flow ask-twice' }).waitFor();
    await page.getByRole('group', { name: 'Node ask' }).waitFor();
    // ask and end are not connected: validation says so, on the canvas and in the list.
    await until('a validation problem', async () => /problem/.test(await page.getByRole('status', { name: 'Validation' }).innerText()));
    await page.getByRole('list', { name: 'Problems' }).waitFor();
    await until('a node outlined as invalid', async () => (await page.locator('[role=group][aria-invalid=true]').count()) > 0);
    await shot('flows-01-new-invalid');
  });

  await step('build input → llm → input → end: add nodes, fill their fields, draw the edges', async () => {
    const properties = page.getByRole('complementary', { name: 'Properties' });
    await page.getByRole('button', { name: 'Add LLM node' }).click();
    await page.getByRole('group', { name: 'Node llm' }).waitFor();
    await properties.getByLabel('Prompt').fill('Reply to: {{request}}');
    await properties.getByLabel('Output variable').fill('reply');
    await page.getByRole('button', { name: 'Add User input node' }).click();
    await page.getByRole('group', { name: 'Node input' }).waitFor();
    await properties.getByLabel('Prompt').fill('Anything else?');
    await properties.getByLabel('Output variable').fill('more');
    await page.getByRole('button', { name: 'Arrange nodes' }).click();
    await page.waitForTimeout(300); // the canvas fits the arranged nodes into view
    await drag('ask out', 'llm in');
    await drag('llm out', 'input in');
    await drag('input out', 'end in');
    await until('three edges', async () => (await page.locator('.react-flow__edge').count()) === 3);
    await page.getByRole('button', { name: 'Arrange nodes' }).click();
    await until('the flow valid', async () => (await page.getByRole('status', { name: 'Validation' }).innerText()).includes('valid') && !(await page.getByRole('status', { name: 'Validation' }).innerText()).includes('problem'));
    await shot('flows-02-built');
  });

  await step('save writes .wright/flows/ask-twice.yaml; the YAML view shows it', async () => {
    await page.getByRole('button', { name: 'Save flow' }).click();
    const file = path.join(projectRoot, '.wright/flows/ask-twice.yaml');
    const text = await until('the template on disk', async () => readFile(file, 'utf8').catch(() => ''));
    for (const expected of ['ask', 'llm', 'input', 'Reply to: {{request}}']) if (!text.includes(expected)) throw new Error(`the saved template lacks ${expected}:\n${text}`);
    await until('saved (the button disabled)', async () => page.getByRole('button', { name: 'Save flow' }).isDisabled());
    await page.getByRole('radio', { name: 'YAML' }).click();
    await until('the YAML view', async () => (await page.getByRole('textbox', { name: 'Flow YAML' }).inputValue()).includes('Reply to: {{request}}'));
    await shot('flows-03-yaml');
    await page.getByRole('radio', { name: 'Graph' }).click();
    await page.getByRole('group', { name: 'Node llm' }).waitFor();
  });

  await step('the chat runs the flow: it pauses at ask, the answer goes to the model, the run pauses again at input', async () => {
    const chat = page.getByRole('region', { name: 'Chat' });
    const picker = chat.getByRole('combobox', { name: 'Flow for new runs' });
    await until('the new flow in the picker', async () => (await picker.locator('option', { hasText: 'ask-twice' }).count()) > 0);
    await picker.selectOption('ask-twice');
    await chat.getByRole('textbox', { name: 'Prompt' }).fill('start');
    await chat.getByRole('button', { name: 'Send' }).click();
    const state = chat.getByRole('status', { name: 'Flow run state' });
    await until('paused at ask', async () => (await state.innerText()).includes('paused at ask'));
    await chat.getByRole('note').filter({ hasText: 'What should I do?' }).waitFor();
    await chat.getByRole('textbox', { name: 'Prompt' }).fill('write a haiku');
    await chat.getByRole('button', { name: 'Send' }).click();
    await chat.getByRole('article', { name: 'Output of llm' }).getByText('Here is your haiku.').waitFor();
    await until('paused at input', async () => (await state.innerText()).includes('paused at input'));
    await chat.getByRole('note').filter({ hasText: 'Anything else?' }).waitFor();
    await shot('flows-04-chat-paused');
  });

  await step('the run inspector shows the timeline and each node’s inputs and outputs', async () => {
    await page.getByRole('link', { name: 'Inspect run' }).click();
    const inspector = page.getByRole('region', { name: 'Run inspector' });
    await inspector.waitFor();
    await until('paused at input', async () => (await inspector.getByRole('status', { name: 'Run state' }).innerText()).includes('paused at input'));
    const timeline = inspector.getByRole('list', { name: 'Timeline' });
    await until('the llm output in the timeline', async () => (await timeline.innerText()).includes('Here is your haiku.'));
    const nodes = inspector.getByRole('table', { name: 'Nodes' });
    await until('three node passes', async () => (await nodes.getByRole('row').count()) === 4);
    await nodes.getByRole('row').filter({ hasText: 'llm' }).click();
    const detail = inspector.getByRole('region', { name: 'Node llm' });
    await until('the rendered prompt as input', async () => (await detail.innerText()).includes('Reply to: write a haiku'));
    await shot('flows-05-inspector');
  });

  await step('cancel ends the run', async () => {
    await page.getByRole('button', { name: 'Cancel run' }).first().click();
    await until('cancelled', async () => (await page.getByRole('status', { name: 'Run state', exact: true }).innerText()).includes('cancelled'));
    await page.getByRole('region', { name: 'Chat' }).getByRole('status', { name: 'Flow run state' }).filter({ hasText: 'cancelled' }).waitFor();
    await shot('flows-06-cancelled');
  });

  await finish();
} catch (error) {
  await fail(error);
}
