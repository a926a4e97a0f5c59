import type { TestProject } from "vitest/node";
import { startTestWorker } from "./worker.ts";

declare module "vitest" {
  export interface ProvidedContext {
    workerUrl: string;
  }
}

/** One shared Worker for the test files of a project; tests that kill or restart the runtime start their own. */
export default async function setup(project: TestProject) {
  const worker = await startTestWorker();
  project.provide("workerUrl", worker.url);
  return () => worker.dispose();
}
