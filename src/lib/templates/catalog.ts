import { NotFound } from "../errors.ts";
import { TEMPLATE_FILES } from "./bundled.ts";

/** Every starter serves its dev server on this port, bound to 0.0.0.0 (not 3000: the Cloudflare sandbox keeps that one). */
export const TEMPLATE_PORT = 8080;

export const TEMPLATE_NAMES = ["nextjs", "react-vite", "vue-vite"] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export type TemplateInfo = {
  name: TemplateName;
  title: string;
  description: string;
  port: number;
  install: string;
  dev: string;
  files: string[];
};

const ABOUT: Record<TemplateName, { title: string; description: string }> = {
  nextjs: { title: "Next.js", description: "A minimal Next.js App Router app (React 19)." },
  "react-vite": { title: "React (Vite)", description: "React 19 with Vite's dev server and hot reload." },
  "vue-vite": { title: "Vue (Vite)", description: "Vue 3 single-file components with Vite's dev server and hot reload." },
};

export const INSTALL_COMMAND = "npm install --no-audit --no-fund";
export const DEV_COMMAND = "npm run dev";

export function templateInfo(name: string): TemplateInfo {
  if (!(TEMPLATE_NAMES as readonly string[]).includes(name)) throw new NotFound(`No template named ${name}`);
  const key = name as TemplateName;
  return {
    name: key,
    ...ABOUT[key],
    port: TEMPLATE_PORT,
    install: INSTALL_COMMAND,
    dev: DEV_COMMAND,
    files: Object.keys(templateFiles(key)),
  };
}

export function listTemplates(): TemplateInfo[] {
  return TEMPLATE_NAMES.map(templateInfo);
}

export function templateFiles(name: TemplateName): Record<string, string> {
  return TEMPLATE_FILES[name] ?? {};
}
