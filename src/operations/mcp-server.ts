import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import { TaskInput } from "../agent/tasks.ts";
import type { Env } from "../env.ts";
import type { Caller } from "../lib/auth/caller.ts";
import { AppError, Invalid, NotFound } from "../lib/errors.ts";
import { requestTime } from "../lib/http/clock.ts";
import { agentHub, authorizeAgent } from "./agent-access.ts";
import { sendAgentMessage, sentMessageOutcome } from "./agent-messages.ts";
import { callerAgents } from "./openai-chat.ts";
import { openWorkspace } from "./workspace.ts";

/** The largest file read_file answers with: an MCP answer is text a model reads, not a download. */
const READ_FILE_MAX_BYTES = 1024 * 1024;

type ToolResult = { content: { type: "text"; text: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean };

function answer(value: Record<string, unknown>): ToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value };
}

/**
 * A refusal as a tool error the calling model can read, with the HTTP status the REST API would have answered
 * (402 when the account is out of credits, 404 for an agent the caller may not see). Anything else is a bug: it
 * reaches the client as a generic error and the log.
 */
function refusal(error: unknown): ToolResult {
  if (!(error instanceof AppError)) {
    console.error("MCP tool failed", error);
    return { content: [{ type: "text", text: "The tool failed on the server" }], isError: true };
  }
  const body = { error: { code: error.code, status: error.status, message: error.message, ...error.details } };
  return { content: [{ type: "text", text: JSON.stringify(body) }], structuredContent: body, isError: true };
}

function tool<A>(run: (args: A) => Promise<Record<string, unknown>>) {
  return async (args: A): Promise<ToolResult> => {
    try {
      return answer(await run(args));
    } catch (error) {
      return refusal(error);
    }
  };
}

const AgentId = z.string().min(1).max(100).describe("The agent's id, from list_agents");

/**
 * netM8 as an MCP server for one request's caller: the tools act as that user, with the permissions and billing of
 * their API key or OAuth grant, through the same agent operations as the REST and OpenAI-compatible APIs.
 */
export function netm8McpServer(request: Request, env: Env, caller: Caller): McpServer {
  const server = new McpServer({ name: "netM8", version: "1.0.0" }, { capabilities: { tools: {} } });
  const access = (agentId: string) => authorizeAgent(env, caller, agentId);

  server.registerTool(
    "list_agents",
    { description: "The agents of the acting account: id, name and model", inputSchema: z.object({}) },
    tool(async () => {
      const { account, agents } = await callerAgents(request, env, caller);
      return { account_id: account.id, agents: agents.map((a) => ({ id: a.id, name: a.name, model: a.modelId })) };
    }),
  );

  server.registerTool(
    "list_threads",
    {
      description: "An agent's conversations (threads), newest first; query searches their titles and messages",
      inputSchema: z.object({ agent_id: AgentId, query: z.string().max(200).optional() }),
    },
    tool(async ({ agent_id, query }: { agent_id: string; query?: string }) => {
      const { agent } = await access(agent_id);
      return { threads: await (await agentHub(env, agent.id)).listThreads(query) };
    }),
  );

  server.registerTool(
    "send_message",
    {
      description:
        "Sends a message to an agent and waits for its answer. The agent runs its tools on the server. Without thread_id " +
        "a new thread starts; pass the answer's thread_id to continue the conversation. Answers the text, the thread id " +
        "and the credits the turn cost.",
      inputSchema: z.object({
        agent_id: AgentId,
        text: z.string().min(1).max(100_000).describe("The message"),
        thread_id: z.string().max(100).optional().describe("A thread to continue, from an earlier answer or list_threads"),
      }),
    },
    tool(async ({ agent_id, text, thread_id }: { agent_id: string; text: string; thread_id?: string }) => {
      const sent = await sendAgentMessage(env, caller, agent_id, text, requestTime(request, env), { threadId: thread_id });
      const summary = await sentMessageOutcome(env, sent);
      return {
        text: summary.text,
        thread_id: sent.threadId,
        credits: summary.credits,
        usage: summary.usage,
        tool_calls: summary.toolCalls.map((call) => call.name),
        ...(summary.pendingApprovals && { pending_approvals: summary.pendingApprovals }),
      };
    }),
  );

  server.registerTool(
    "read_file",
    {
      description: "Reads a text file of the agent's workspace (paths relative to the workspace), or lists a directory",
      inputSchema: z.object({ agent_id: AgentId, path: z.string().min(1).max(1024) }),
    },
    tool(async ({ agent_id, path }: { agent_id: string; path: string }) => {
      const { agent } = await access(agent_id);
      const { workspace } = await openWorkspace(request, env, agent);
      const found = await workspace.exists(path);
      if (!found.exists) throw new NotFound(`No such file or directory: ${path}`);
      if (found.type === "directory") return { path, entries: await workspace.listFiles(path) };
      const bytes = await workspace.readFileBytes(path);
      if (bytes.length > READ_FILE_MAX_BYTES) throw new Invalid(`${path} is larger than 1 MiB: download it with GET /api/agent/:id/files`);
      return { path, bytes: bytes.length, text: new TextDecoder().decode(bytes) };
    }),
  );

  server.registerTool(
    "start_task",
    {
      description:
        "Starts an autonomous task: the agent works on the goal server-side, step by step, within a step budget and a " +
        "credit budget. Follow it with get_task.",
      inputSchema: z.object({
        agent_id: AgentId,
        goal: z.string().min(1).max(20_000),
        step_budget: z.number().int().positive().optional(),
        credit_budget: z.number().positive().optional(),
      }),
    },
    tool(
      async ({
        agent_id,
        goal,
        step_budget,
        credit_budget,
      }: {
        agent_id: string;
        goal: string;
        step_budget?: number;
        credit_budget?: number;
      }) => {
        const { agent } = await access(agent_id);
        const parsed = TaskInput.safeParse({ goal, stepBudget: step_budget, creditBudget: credit_budget });
        if (!parsed.success) throw new Invalid(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "));
        return { task: await (await agentHub(env, agent.id)).startTask(parsed.data) };
      },
    ),
  );

  server.registerTool(
    "get_task",
    {
      description: "One task of an agent: status, steps and credits used, and its report when it ended",
      inputSchema: z.object({ agent_id: AgentId, task_id: z.string().min(1).max(100) }),
    },
    tool(async ({ agent_id, task_id }: { agent_id: string; task_id: string }) => {
      const { agent } = await access(agent_id);
      const task = await (await agentHub(env, agent.id)).getTask(task_id);
      if (!task) throw new NotFound("No such task");
      return { task };
    }),
  );

  return server;
}

/** What an MCP client may post: one JSON-RPC 2.0 message or a batch of them (the SDK checks each one further). */
const JsonRpcBody = z.union([z.looseObject({ jsonrpc: z.literal("2.0") }), z.array(z.looseObject({ jsonrpc: z.literal("2.0") })).min(1)]);
const MAX_BODY_BYTES = 4 * 1024 * 1024;

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", id: null, error: { code, message } }, { status, headers: { "cache-control": "no-store" } });
}

/**
 * Serves one POST to /mcp for an authenticated caller with the MCP SDK's web-standard handler, stateless: a fresh
 * server per request (2025-era clients get the SDK's stateless Streamable HTTP transport). A body that is not JSON,
 * or not JSON-RPC, answers 400 with a JSON-RPC error before any tool runs.
 */
export async function serveMcpRequest(request: Request, env: Env, caller: Caller): Promise<Response> {
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) return jsonRpcError(413, -32600, "The request body is larger than 4 MiB");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return jsonRpcError(400, -32700, "Parse error: the request body must be valid JSON");
  }
  const message = JsonRpcBody.safeParse(parsed);
  if (!message.success) return jsonRpcError(400, -32600, "Invalid Request: the body must be a JSON-RPC 2.0 message or a batch of them");
  const handler = createMcpHandler(() => netm8McpServer(request, env, caller), {
    onerror: (error) => console.error("MCP request failed", error),
  });
  return handler.fetch(request, { parsedBody: message.data });
}
