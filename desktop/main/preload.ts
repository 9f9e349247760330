/**
 * Electron preload (sandboxed; bundled to CommonJS by electron-launch.ts): exposes exactly one typed
 * object, `window.pinpoint` (PreloadBridge), through contextBridge. The page never sees ipcRenderer.
 */
import { contextBridge, type IpcRendererEvent, ipcRenderer, webUtils } from 'electron';
import {
  type CallResponse,
  IPC_CALL,
  IPC_DROP,
  IPC_EVENT,
  type PreloadBridge,
  type ServerEvent,
} from '../shared/api.ts';

const bridge: PreloadBridge = {
  call(method: string, args: unknown): Promise<CallResponse> {
    return ipcRenderer.invoke(IPC_CALL, { method: String(method), args }) as Promise<CallResponse>;
  },
  onEvent(listener: (event: ServerEvent) => void): () => void {
    const handler = (_e: IpcRendererEvent, event: ServerEvent) => listener(event);
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
};

contextBridge.exposeInMainWorld('pinpoint', bridge);

// Drag-and-drop: the renderer's page never sees a path; this isolated world reads the real paths of
// OS files dropped on the window and hands them to the main process, which opens each in its view.
window.addEventListener('dragover', (e) => {
  if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
});
window.addEventListener('drop', (e) => {
  const files = [...(e.dataTransfer?.files ?? [])];
  const paths = files.map((f) => webUtils.getPathForFile(f)).filter((p) => p.length > 0);
  if (files.length > 0) e.preventDefault();
  if (paths.length > 0) ipcRenderer.send(IPC_DROP, paths);
});
