// Terminals and the preview in the browser, as a user drives them, against a real `wright serve`
// (tmux host when tmux is installed). Started by tests/Wright.Server.Tests/Web/TerminalsBrowserTests.cs:
//   WRIGHT_SETUP_URL  the setup URL the server printed
//   E2E_OUT           where screenshots go
// Each step prints one line; the first failure takes a screenshot and exits 1.
import net from 'node:net';
import { openScript } from './browser.mjs';

const { setupUrl, base, password, browser, page, problems, progress, step, until, shot, api } = await openScript({ testClass: 'TerminalsBrowserTests', out: 'e2e/out', needs: ['WRIGHT_SETUP_URL'], shotPrefix: 'terminals-' });

/** The visible text of the active tab's terminals (xterm renders rows as DOM with the DOM renderer). */
async function terminalText(index = 0) {
  return (await page.locator('.terminal-tab-body:not([hidden]) .xterm-rows').nth(index).innerText()).replace(/\u00a0/g, ' ');
}

async function typeInTerminal(text, index = 0) {
  await page.locator('.terminal-tab-body:not([hidden]) .terminal-host').nth(index).click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

try {
  let projectId = '';
  const port = await freePort();

  await step('setup creates the admin and a project with a page and a source file', async () => {
    await page.goto(setupUrl);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Repeat password').fill(password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    const project = await api('/api/projects', { method: 'POST', data: { name: 'term-demo' } });
    projectId = project.id;
    await api(`/api/projects/${projectId}/files/index.html`, { method: 'PUT', data: { content: '<!doctype html><title>Demo</title><h1>Preview works</h1>\n' } });
    await api(`/api/projects/${projectId}/files/app.py`, { method: 'PUT', data: { content: 'one = 1\ntwo = 2\nthree = 3\n' } });
  });

  await step('the Terminal button opens the panel with a shell; a typed command prints its output', async () => {
    await page.goto(`${base}/p/${projectId}`);
    await page.getByRole('button', { name: 'Terminal', exact: true }).click();
    await page.getByRole('tablist', { name: 'Terminal tabs' }).getByRole('tab').first().waitFor();
    await until('a prompt', async () => (await terminalText()).trim().length > 0);
    await typeInTerminal('echo "sum=$((40 + 2))"');
    await until('the command output', async () => (await terminalText()).includes('sum=42'));
    await shot('01-terminal');
  });

  await step('path:line in the output opens the file in the editor at that line', async () => {
    await typeInTerminal("printf 'see app.py:2 here\\n'");
    const row = await until('the printed reference', async () => {
      const rows = page.locator('.terminal-tab-body:not([hidden]) .xterm-rows > div');
      const count = await rows.count();
      for (let i = count - 1; i >= 0; i--) {
        const text = (await rows.nth(i).innerText()).replace(/\u00a0/g, ' ');
        if (text.startsWith('see app.py:2')) return rows.nth(i);
      }
      return null;
    });
    const box = await row.boundingBox();
    const cell = box.height; // a cell is about half as wide as it is high
    await page.mouse.move(box.x + cell * 0.5 * 6.5, box.y + box.height / 2);
    await page.mouse.move(box.x + cell * 0.5 * 7, box.y + box.height / 2);
    await page.mouse.click(box.x + cell * 0.5 * 7, box.y + box.height / 2);
    await page.getByRole('tab', { name: /app\.py/ }).waitFor();
    await until('the cursor on line 2', async () => (await page.locator('.code-editor .line-numbers.active-line-number').innerText()).trim() === '2');
  });

  await step('a reload restores the panel, the tab and the output', async () => {
    await page.waitForTimeout(800); // the workbench state is saved 600 ms after a change
    await page.reload();
    await page.getByRole('tablist', { name: 'Terminal tabs' }).getByRole('tab').first().waitFor();
    await until('the earlier output after reload', async () => (await terminalText()).includes('sum=42'));
    await shot('02-after-reload');
  });

  await step('a split adds a second shell beside the first; exit shows its status', async () => {
    await page.getByRole('button', { name: 'Split terminal' }).click();
    await until('two terminals in the tab', async () => (await page.locator('.terminal-tab-body:not([hidden]) .terminal-view').count()) === 2);
    await until('a prompt in the second', async () => (await terminalText(1)).trim().length > 0);
    await typeInTerminal('exit 3', 1);
    await page.getByRole('status').filter({ hasText: 'The shell exited with code 3.' }).waitFor();
    await shot('03-split-exited');
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await until('one terminal left', async () => (await page.locator('.terminal-tab-body:not([hidden]) .terminal-view').count()) === 1);
  });

  await step('a sandboxed terminal opens in its own tab, marked, and runs commands', async () => {
    await page.getByRole('button', { name: 'New sandboxed terminal' }).click();
    await page.getByRole('tablist', { name: 'Terminal tabs' }).getByRole('tab', { selected: true }).getByLabel('Sandboxed').waitFor();
    await until('a prompt in the sandbox', async () => (await terminalText()).trim().length > 0);
    await typeInTerminal('touch /tmp/private-tmp && echo "sandboxed-$((5+5))"');
    await until('the sandboxed output', async () => (await terminalText()).includes('sandboxed-10'));
    await shot('04-sandboxed');
    await page.getByRole('tablist', { name: 'Terminal tabs' }).getByRole('tab', { selected: true }).getByRole('button', { name: /^Close / }).click();
    await until('back to one tab', async () => (await page.getByRole('tablist', { name: 'Terminal tabs' }).getByRole('tab').count()) === 1);
  });

  await step('a dev server started in the terminal appears in the preview and the frame shows its page', async () => {
    await typeInTerminal(`python3 -m http.server ${port} --bind 127.0.0.1`);
    await until('the server to start', async () => (await terminalText()).includes(`port ${port}`));
    await page.getByRole('tablist', { name: 'Panel' }).getByRole('tab', { name: 'Preview' }).click();
    const select = page.getByRole('combobox', { name: 'Dev server' });
    await until('the detected port', async () => (await select.innerText()).includes(`localhost:${port}`));
    await page.frameLocator(`iframe[title="Preview of localhost:${port}"]`).getByRole('heading', { name: 'Preview works' }).waitFor();
    await shot('05-preview');
    await page.getByRole('radio', { name: /Phone/ }).click();
    const width = await page.locator(`iframe[title="Preview of localhost:${port}"]`).evaluate((e) => e.getBoundingClientRect().width);
    if (Math.round(width) !== 390) throw new Error(`phone frame is ${width}px wide`);
    await shot('06-preview-phone');
  });

  await step('when the dev server stops, the preview says so', async () => {
    await page.getByRole('tablist', { name: 'Panel' }).getByRole('tab', { name: 'Terminal' }).click();
    await page.locator('.terminal-tab-body:not([hidden]) .terminal-host').first().click();
    await page.keyboard.press('Control+C');
    await page.getByRole('tablist', { name: 'Panel' }).getByRole('tab', { name: 'Preview' }).click();
    await page.getByText(`Nothing is listening on port ${port}.`).waitFor();
    await shot('07-preview-down');
  });

  if (problems.length > 0) throw new Error(problems.join('\n'));
  console.log(`# ${progress.passed} passed, 0 failed`);
  await browser.close();
} catch (error) {
  console.log(`not ok - ${progress.current}: ${error?.stack ?? error}`);
  if (problems.length) console.log(problems.join('\n'));
  for (const frame of page.frames()) console.log(`frame: ${frame.url()} ${(await frame.content().catch(() => '')).slice(0, 300)}`);
  await shot('failure').catch(() => undefined);
  await browser.close();
  process.exit(1);
}
