/**
 * Synthesises a drag-and-drop of real files onto the page: the bytes are read in Node, sent into the
 * page as base64, rebuilt as File objects in a DataTransfer and dispatched as dragenter → dragover →
 * drop on the app (what Chromium does when a user drops files from the desktop).
 */
import type { Page } from 'playwright-core';

export async function dropFiles(page: Page, files: { name: string; bytes: Uint8Array }[]): Promise<void> {
  await page.evaluate(
    (list) => {
      const dt = new DataTransfer();
      for (const f of list) {
        const bin = atob(f.b64);
        const bytes = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        dt.items.add(new File([bytes], f.name));
      }
      const target = document.querySelector('.view-host') ?? document.body;
      for (const type of ['dragenter', 'dragover', 'drop'])
        target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
    },
    files.map((f) => ({ name: f.name, b64: Buffer.from(f.bytes).toString('base64') })),
  );
}
