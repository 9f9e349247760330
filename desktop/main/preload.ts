/**
 * Electron preload (sandboxed; bundled to CommonJS by electron-launch.ts): exposes exactly one typed
 * object, `window.pinpoint` (PreloadBridge), through contextBridge. The page never sees ipcRenderer.
 */
import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron';
import {
  type CallResponse,
  IPC_CALL,
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
