// Web Worker running ELK off the UI thread: receives a design, answers with the layout.
import type { Design } from "../ipc/backend";
import { runLayoutInProcess } from "./layout-engine";

self.onmessage = async (event: MessageEvent<{ id: number; design: Design }>) => {
  const { id, design } = event.data;
  try {
    self.postMessage({ id, result: await runLayoutInProcess(design) });
  } catch (error) {
    self.postMessage({ id, error: String(error) });
  }
};
