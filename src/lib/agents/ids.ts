const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** A random lowercase alphanumeric id: safe in URLs, Durable Object names and preview host labels. */
export function randomId(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let id = "";
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return id;
}

export const newAgentId = () => randomId(20);
export const newThreadId = () => randomId(12);

export const AGENT_ID = /^[a-z0-9]{20}$/;
export const THREAD_ID = /^[a-z0-9]{12}$/;

/** The Durable Object name of a thread: its agent and its own id, so the route can check the agent's owner. */
export function threadObjectName(agentId: string, threadId: string): string {
  return `${agentId}-${threadId}`;
}

export function parseThreadObjectName(name: string): { agentId: string; threadId: string } | null {
  const [agentId, threadId, ...rest] = name.split("-");
  if (rest.length > 0 || !agentId || !threadId || !AGENT_ID.test(agentId) || !THREAD_ID.test(threadId)) return null;
  return { agentId, threadId };
}
