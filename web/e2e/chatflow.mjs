// The chat as the built-in default flow, in the browser: two plain prompts are answered in the
// chat, the session's default run waits at `ask` (checked through the API), and the chat shows
// no flow-run banner or cancel button for it — waiting at ask is just the chat waiting. Started
// by tests/Wright.Server.Tests/Web/ChatFlowBrowserTests.cs against a real `wright serve` and the
// fake model: WRIGHT_SETUP_URL, WRIGHT_FAKE_OPENAI, E2E_OUT
import { openScript } from './browser.mjs';

const { setupUrl, fakeOpenAi, base, out, password, browser, page, step, until, shot, api, finish, fail } = await openScript({ testClass: 'ChatFlowBrowserTests', out: 'e2e/out/chatflow', viewport: { width: 1400, height: 860 } });

/** The session's runs as the API lists them. */
async function runsOf(projectId) {
  const sessions = await api(`/api/projects/${projectId}/sessions`);
  const session = sessions.items[0];
  return session ? (await api(`/api/sessions/${session.id}/flow-runs`)).items : [];
}

try {
  let projectId = '';

  await step('setup, the fake model as provider, a project', async () => {
    await page.goto(setupUrl);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Repeat password').fill(password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await api('/api/providers/openai', { method: 'PUT', data: { kind: 'openai', baseUrl: fakeOpenAi, apiKey: 'sk-e2e-test-key-0123456789' } });
    projectId = (await api('/api/projects', { method: 'POST', data: { name: 'chatflow-demo' } })).id;
  });

  await step('two chat prompts are turns of one default run that waits at ask, and the chat shows no run banner', async () => {
    await page.goto(`${base}/p/${projectId}`);
    const chat = page.getByRole('region', { name: 'Chat' });
    await chat.getByRole('textbox', { name: 'Prompt' }).fill('say hello');
    await chat.getByRole('button', { name: 'Send' }).click();
    await chat.getByRole('article', { name: 'Answer' }).last().getByText('Hello from the chat.').waitFor();
    await until('the default run waiting at ask', async () => {
      const runs = await runsOf(projectId);
      return runs.length === 1 && runs[0].flow === 'default' && runs[0].state === 'paused' && runs[0].pausedNodeId === 'ask';
    });
    await chat.getByRole('textbox', { name: 'Prompt' }).fill('and again');
    await chat.getByRole('button', { name: 'Send' }).click();
    await chat.getByRole('article', { name: 'Answer' }).last().getByText('Hello once more.').waitFor();
    await until('the same run waiting at ask again', async () => {
      const runs = await runsOf(projectId);
      const run = runs.length === 1 && runs[0].state === 'paused' ? await api(`/api/flow-runs/${runs[0].id}`) : null;
      return run !== null && run.checkpoints.filter((c) => c.nodeId === 'answer' && c.phase === 'end').length === 2;
    });
    if ((await chat.getByRole('status', { name: 'Flow run state' }).count()) !== 0) throw new Error('the chat shows the default run as a flow run');
    if ((await chat.getByRole('button', { name: 'Cancel run' }).count()) !== 0) throw new Error('the chat offers to cancel the chat itself');
    if ((await chat.getByRole('region', { name: /^Flow run / }).count()) !== 0) throw new Error('the chat shows the default run as a flow transcript');
    if (await chat.getByRole('combobox', { name: 'Flow for new runs' }).isDisabled()) throw new Error('the flow picker is locked by the chat');
    await shot('chatflow-01-chat-waiting');
  });

  await finish();
} catch (error) {
  await fail(error);
}
