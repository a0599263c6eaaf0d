// Launches Debian's Chromium through playwright-core (never a downloaded browser) and watches a
// page for console errors and for any request that leaves for a non-loopback host.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launch() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Records console errors, page errors and foreign requests of every page of a context. */
export function watch(context, problems) {
  context.on('page', (page) => attach(page, problems));
  for (const page of context.pages()) attach(page, problems);
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) return;
    // *.localhost is loopback too (browsers resolve it there): preview origins live on it.
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) && !url.hostname.endsWith('.localhost')) problems.push(`request to a non-loopback host: ${request.url()}`);
  });
}

function attach(page, problems) {
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    // A failed request the app expects (401 before login, 404 of a missing workbench) is reported by the
    // browser as a resource error; the app's own handling is what the tests check.
    if (/Failed to load resource: the server responded with a status of (401|404|409)/.test(text)) return;
    problems.push(`console error: ${text}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
}

/**
 * A run's steps: `step(name, fn)` runs one, numbered and timed, printing `ok N - name`; `passed`
 * counts them and `current` names the one running, for the script's summary and failure line.
 */
export function steps() {
  const run = {
    current: 'start',
    passed: 0,
    async step(name, fn) {
      run.current = name;
      const started = Date.now();
      await fn();
      run.passed += 1;
      console.log(`ok ${run.passed} - ${name} (${Date.now() - started} ms)`);
    },
  };
  return run;
}

/** Polls `check` every `every` ms until it returns something truthy (returned), or fails naming `what` after `ms`. */
export async function until(what, check, ms, every = 100) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      last = await check();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

/**
 * What every browser script starts with: the environment its test class sets (`needs`, by
 * default WRIGHT_SETUP_URL and WRIGHT_FAKE_OPENAI; E2E_OUT for screenshots), Chromium with one
 * watched context and page, the step runner, a bounded wait, screenshots, and an API caller that
 * sends the header the server's CSRF rule expects and fails on any error status.
 */
export async function openScript({ testClass, out: defaultOut, needs = ['WRIGHT_SETUP_URL', 'WRIGHT_FAKE_OPENAI'], viewport = { width: 1440, height: 900 }, timeout = 20_000, shotPrefix = '' }) {
  const missing = needs.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    console.error(`${missing.join(' and ')} must be set (run through ${testClass}).`);
    process.exit(2);
  }

  const setupUrl = process.env.WRIGHT_SETUP_URL;
  const base = new URL(setupUrl).origin;
  const out = process.env.E2E_OUT ?? path.resolve(defaultOut);
  await mkdir(out, { recursive: true });
  const browser = await launch();
  const problems = [];
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(timeout);
  watch(context, problems);
  const page = await context.newPage();
  const progress = steps();
  return {
    setupUrl,
    fakeOpenAi: process.env.WRIGHT_FAKE_OPENAI,
    base,
    out,
    password: 'correct-horse-battery',
    timeout,
    browser,
    context,
    page,
    problems,
    progress,
    step: progress.step,
    until: (what, check, ms = timeout) => until(what, check, ms),
    shot: (name) => page.screenshot({ path: path.join(out, `${shotPrefix}${name}.png`) }),
    /** The script's end when every step passed: fails on any problem the page reported, else prints the summary the test class checks. */
    async finish() {
      if (problems.length > 0) throw new Error(`the page reported problems:\n${problems.join('\n')}`);
      console.log(`${progress.passed} passed, 0 failed`);
      await browser.close();
    },
    /** The script's end when a step failed: names the step, lists the page's problems, keeps a screenshot, exits 1. */
    async fail(error) {
      console.error(`not ok - ${progress.current}: ${error instanceof Error ? error.stack : error}`);
      if (problems.length) console.error(problems.join('\n'));
      await page.screenshot({ path: path.join(out, `${shotPrefix}failure.png`) }).catch(() => undefined);
      await browser.close();
      process.exit(1);
    },
    async api(pathname, init = {}) {
      const response = await page.request.fetch(base + pathname, { ...init, headers: { 'X-Requested-With': 'e2e', ...(init.headers ?? {}) } });
      if (!response.ok()) throw new Error(`${pathname}: ${response.status()} ${await response.text()}`);
      return response.status() === 204 ? undefined : response.json();
    },
  };
}
