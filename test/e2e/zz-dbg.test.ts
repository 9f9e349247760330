import { startApp } from '/work/main/test/e2e/helpers/app.ts';
import { test } from 'node:test';
test('dbg', { timeout: 300000 }, async () => {
  const app = await startApp();
  const { page } = app;
  const events: string[] = [];
  app.mode.server && (await import('/work/main/desktop/main/backend/index.ts'));
  await page.goto(app.url());
  await page.getByTestId('notebook-name').filter({ hasText: 'Welcome to Pinpoint' }).waitFor();
  await page.locator('[data-cell-id="hello"] .monaco-editor').click();
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.press('Shift+Enter');
  await new Promise((r) => setTimeout(r, 25000));
  await app.screenshot('dbg2');
  const r = await fetch(`${app.mode.server.url}api/call`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-pinpoint-token': app.mode.server.token }, body: JSON.stringify({ method: 'jobs.list', args: {} }) });
  console.log('JOBS', JSON.stringify(await r.json()));
  console.log(app.pageErrors);
  await app.close();
});
