import { AIChatAgent, type OnChatMessageOptions } from "@cloudflare/ai-chat";
import type { Connection } from "agents";
import {
  APICallError,
  convertToModelMessages,
  createUIMessageStream,
  createUIMessageStreamResponse,
  RetryError,
  stepCountIs,
  StreamProviderError,
  streamText,
  type UIMessage,
  type UIMessageChunk,
} from "ai";
import { getDb } from "../db/client.ts";
import type { Env } from "../env.ts";
import { workspaceGroup } from "../lib/agents/account-limits.ts";
import { findAgentWithModel, touchAgent, type AgentRow } from "../lib/agents/agents.ts";
import { parseThreadObjectName } from "../lib/agents/ids.ts";
import type { CatalogModel } from "../lib/billing/catalog.ts";
import { reserveBackgroundAhead } from "../lib/billing/background-compute.ts";
import { toCredits } from "../lib/billing/rules.ts";
import { AppError, InsufficientCredits, NotFound } from "../lib/errors.ts";
import { sandboxFor } from "../sandbox/backend.ts";
import { meteredWorkspace } from "../sandbox/metered-workspace.ts";
import { SandboxError, type Workspace } from "../sandbox/types.ts";
import { presetFor, presetTools } from "../lib/agents/presets.ts";
import { commandEnv, gitCredentials, redactValue, secretValues } from "../lib/agents/secrets.ts";
import { agentHub } from "./client.ts";
import { agentClock, type Clock } from "./clock.ts";
import { credentialTags, recheckCredentialOnEachMessage } from "./connection-auth.ts";
import { contextBudget, fitToContext } from "./context-window.ts";
import { appendNotice, isTaskThread, runTaskStep, taskFacts } from "./task-step.ts";
import { estimateTokens, TOOL_SCHEMA_TOKENS } from "../lib/agents/prompt-size.ts";
import { MIN_CAPPED_OUTPUT_TOKENS, TurnMeter, turnCapNotice, turnCapTooSmallNotice } from "./metering.ts";
import { withAttachmentsRead } from "./attachment-prompt.ts";
import {
  languageModel,
  modelFailedMidAnswerMessage,
  modelProviderOptions,
  ModelStalled,
  modelUnavailableMessage,
  STREAM_INTERRUPTED,
} from "./model.ts";
import type { TaskStepResult } from "./tasks.ts";
import { systemPrompt } from "./prompt.ts";
import { repairToolCall } from "./repair.ts";
import { buildTools } from "./tools.ts";
import { mcpToolsForTurn, type TurnMcpTools } from "./mcp-tools.ts";
import { TurnCheckpoints } from "./turn-checkpoints.ts";
import { emptyLoopState, type LoopState, type LoopTrip, loopNotice, stepErrors, watchStep } from "./loop-breaker.ts";
import { refundReservations } from "../lib/billing/loop-refund.ts";
import type { MessageAuthor, PendingApproval, TurnMetadata, UserMessageMetadata } from "./wire.ts";
import { approvalFrame, governTools, pendingApprovals, withDecision } from "./approvals.ts";
import { readPolicy } from "../lib/agents/tool-policy.ts";
import { applyMigrations, type SqlTag } from "./sql-migrations.ts";
import { CHAT_THREAD_MIGRATIONS } from "./chat-thread-migrations.ts";
import {
  type BranchPoint,
  type BranchVersion,
  branchPoints,
  branchVersions,
  clearBranches,
  forkAfter,
  switchVersion,
} from "./thread-branches.ts";

/** Where a thread keeps its loop watch (./loop-breaker.ts) between steps and between a task's one-step turns. */
const LOOP_WATCH_KEY = "loop-watch";

const INTERRUPTED_NOTE = "This answer was interrupted because the agent's runtime restarted. Send your message again to continue.";
const TASK_INTERRUPTED_NOTE =
  "This step was interrupted because the agent's runtime restarted. The task continues from its last checkpoint.";

/** A thread's history as the REST API answers it (./thread-branches.ts). */
export interface ThreadHistory {
  messages: UIMessage[];
  branches: BranchPoint[];
  versions?: BranchVersion[];
}

/** How opening or switching a branch went: the history to continue from, or why nothing changed. */
export type BranchOpening =
  | { refused: null; messages: UIMessage[] }
  | { refused: "not_found" | "running" | "not_user_message"; messages?: undefined };

type TurnContext = { agent: AgentRow; model: CatalogModel; toolPolicyFloor: string };
type Settled<T> = { value: T; error?: undefined } | { error: unknown };

/** A promise that never rejects: a read started ahead of its use raises no unhandled rejection. */
function settled<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

function lastOf<T>(items: readonly T[], predicate: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i]!)) return items[i];
  return undefined;
}

export function messageText(message: UIMessage | undefined): string {
  return (message?.parts ?? [])
    .filter((p): p is { type: "text"; text: string } => p.type === "text")
    .map((p) => p.text)
    .join("");
}

/** A one-message answer that needs no model (out of credits, agent missing): streamed like any other answer. */
function noticeResponse(text: string, metadata: TurnMetadata): Response {
  const id = crypto.randomUUID();
  const stream = createUIMessageStream({
    execute: ({ writer }) => {
      writer.write({ type: "start", messageMetadata: metadata });
      writer.write({ type: "text-start", id });
      writer.write({ type: "text-delta", id, delta: text });
      writer.write({ type: "text-end", id });
      writer.write({ type: "finish", messageMetadata: metadata });
    },
  });
  return createUIMessageStreamResponse({ stream });
}

/**
 * One conversation of an agent (named `<agentId>-<threadId>`): an AIChatAgent, so history, WebSocket streaming,
 * resumable streams and recovery after eviction come from the SDK. A turn runs here, in the Durable Object, whether
 * or not anyone is still connected. An open chat stops at its next message once its session, key or user is revoked.
 */
export class ChatThread extends AIChatAgent<Env> {
  /** Set by a task step: the turn makes at most this many model steps, so each step is saved (checkpointed). */
  taskStepLimit: number | undefined = undefined;
  /** The agent's clock as the last turn read it from the hub (./clock.ts). */
  #turnClock: Clock | undefined;
  /** The running turn's meter and abort signal, for labelling a turn its user stopped with what it cost. */
  #turn: { meter: TurnMeter; signal?: AbortSignal; checkpoints?: TurnCheckpoints; mcp?: TurnMcpTools } | undefined;
  /** From the start of a turn to its onChatResponse: a chat request arriving meanwhile waits for it, unread ahead. */
  #turnActive = false;
  /** The agent and its model, read for the chat request still on its way to onChatMessage (#prefetchContext). */
  #prefetched: { requestId: string; context: Promise<Settled<TurnContext>> } | undefined;

  /** The agent's clock: real time, or the simulated time a test set for the agent (asked of the hub only in tests). */
  async #clock(): Promise<Clock> {
    if (this.env.ENVIRONMENT !== "test") return agentClock(this.env, null);
    return agentClock(this.env, await (await agentHub(this.env, this.#ids.agentId)).simulatedTime());
  }

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Every message of a WebSocket re-checks the credential that opened it (./connection-auth.ts), as in AgentHub.
    recheckCredentialOnEachMessage(this, ctx, env, {
      onChatRequest: (requestId) => this.#prefetchContext(requestId),
      onToolApproval: (raw, owner) => this.#onSocketApproval(raw, owner),
    });
  }

  onStart(): void {
    applyMigrations({ sql: this.#sql, transaction: (fn) => this.ctx.storage.transactionSync(fn) }, CHAT_THREAD_MIGRATIONS);
  }

  #sql: SqlTag = (strings, ...values) => this.sql(strings, ...values);

  getConnectionTags(_connection: Connection, context: { request: Request }): string[] {
    return credentialTags(context.request);
  }

  get #ids(): { agentId: string; threadId: string } {
    const ids = parseThreadObjectName(this.name);
    if (!ids) throw new NotFound("No such thread");
    return ids;
  }

  async #context(): Promise<TurnContext> {
    const found = await findAgentWithModel(getDb(this.env.DB), this.#ids.agentId);
    if (!found) throw new NotFound("This agent no longer exists");
    return found;
  }

  /**
   * Starts reading the agent and its model for a chat request while its socket's credential is checked (the two
   * reads wait together instead of one after the other). Only the turn of that very request uses it, read moments
   * before the turn starts; any other turn reads afresh. A request that arrives while a turn runs waits behind it
   * (for minutes, perhaps, while the agent is edited), so it is not read ahead.
   */
  #prefetchContext(requestId: string): void {
    if (this.#turnActive) return;
    this.#prefetched = { requestId, context: settled(this.#context()) };
  }

  #turnContext(requestId: string | undefined): Promise<Settled<TurnContext>> {
    const prefetched = this.#prefetched;
    this.#prefetched = undefined;
    return prefetched && prefetched.requestId === requestId ? prefetched.context : settled(this.#context());
  }

  async onChatMessage(_onFinish: unknown, options?: OnChatMessageOptions): Promise<Response | undefined> {
    const { agentId, threadId } = this.#ids;
    this.#turnActive = true;

    // The D1 read and the hub round trip are independent: side by side they cost one wait before the first token.
    const context = this.#turnContext(options?.requestId);
    const turning = agentHub(this.env, agentId).then(async (hub) => ({ hub, ...(await hub.beginTurn(threadId)) }));
    // The MCP connectors connect meanwhile, with the credentials of the user whose message starts the turn.
    const author = (lastOf(this.messages, (m) => m.role === "user")?.metadata as UserMessageMetadata | undefined)?.author ?? null;
    const connecting = settled(
      Promise.all([context, turning]).then(([turnContext, { secrets: opened }]) =>
        "error" in turnContext
          ? undefined
          : mcpToolsForTurn(this.env, turnContext.value.agent, author, async (value) => redactValue(value, secretValues(opened))),
      ),
    );
    const [found, { hub, memory, secrets, simulatedAt }] = await Promise.all([context, turning]);
    if ("error" in found) {
      await hub.setThreadRunning(threadId, false);
      return noticeResponse(found.error instanceof Error ? found.error.message : String(found.error), { error: "unavailable" });
    }
    const mcpResult = await connecting;
    const mcp = "error" in mcpResult ? undefined : mcpResult.value;
    if ("error" in mcpResult) console.error("MCP connectors could not be read", mcpResult.error);
    const { agent, model, toolPolicyFloor } = found.value;
    const clock = agentClock(this.env, simulatedAt);
    this.#turnClock = clock;

    const prompt = systemPrompt({ agentName: agent.name, instructions: agent.instructions, memory, now: new Date(clock()) });
    const baseSystem = mcp?.notes.length ? `${prompt}\n\nConnectors (MCP servers):\n${mcp.notes.join("\n")}` : prompt;
    const meter = new TurnMeter(this.env.DB, { accountId: agent.accountId, agentId, threadId }, model, clock, agent.turnCapMillicredits);
    let workspace: Promise<Workspace> | undefined;
    const turnWorkspace = () =>
      (workspace ??= this.#provisionedWorkspace(agentId, agent.accountId).then((ws) =>
        meteredWorkspace(ws, (run) => meter.sandbox(run), {
          beforeBackground: () => reserveBackgroundAhead(this.env, agentId, agent.accountId, new Date(clock())),
        }),
      ));
    const checkpoints = new TurnCheckpoints(turnWorkspace, { threadId, messageId: lastOf(this.messages, (m) => m.role === "user")?.id });
    this.#turn = { meter, signal: options?.abortSignal, checkpoints, mcp };
    const allTools = buildTools({
      workspace: turnWorkspace,
      beforeFileChange: () => checkpoints.beforeChange(),
      remember: (note) => hub.addNote(note),
      workspaceChanged: () => this.ctx.waitUntil(hub.workspaceChanged()),
      secretEnv: async () => commandEnv(secrets),
      gitCredentials: async () => gitCredentials(secrets),
      redact: async (value) => redactValue(value, secretValues(secrets)),
    });
    const presetSet = {
      ...Object.fromEntries(presetTools(presetFor(agent.preset), Object.keys(allTools)).map((name) => [name, allTools[name]!])),
      ...mcp?.tools,
    };
    // The approval policy: Block hides a tool from the model, Ask makes its calls wait for a person (./approvals.ts).
    const tools = governTools(presetSet, readPolicy(agent.toolPolicy), readPolicy(toolPolicyFloor));
    const toolTokens = estimateTokens(Object.keys(tools)) + TOOL_SCHEMA_TOKENS;
    // Near the context window, older turns are summarized in the prompt; the stored history stays whole.
    const budget = contextBudget(this.env, model.contextWindowTokens);
    const fit = (all: Awaited<ReturnType<typeof convertToModelMessages>>) => {
      const fitted = fitToContext(all, budget.windowTokens - budget.maxOutputTokens - estimateTokens(baseSystem) - toolTokens);
      return { messages: fitted.messages, system: fitted.summary ? `${baseSystem}\n\n${fitted.summary}` : baseSystem };
    };
    // Attachments are read from the workspace for the model; the stored history keeps only their references.
    const readAttachment = async (path: string) => (await turnWorkspace()).readFileBytes(path).catch(() => null);
    const { messages, system } = fit(await convertToModelMessages(await withAttachmentsRead(this.messages, readAttachment, model.vision)));

    // With a per-turn cap, the model is asked for no more output than the cap can pay for after the first prompt.
    const firstPromptTokens = estimateTokens([system, messages]) + toolTokens;
    const maxOutputTokens = meter.outputTokensWithin(firstPromptTokens, budget.maxOutputTokens);
    if (agent.turnCapMillicredits !== null && maxOutputTokens < MIN_CAPPED_OUTPUT_TOKENS) {
      return noticeResponse(turnCapTooSmallNotice(agent.turnCapMillicredits), {
        turnCap: { credits: toCredits(agent.turnCapMillicredits) },
      });
    }

    // The first step is reserved before the stream starts: at zero balance the model receives nothing.
    try {
      await meter.reserveStep(firstPromptTokens, maxOutputTokens);
    } catch (error) {
      if (error instanceof InsufficientCredits) return noticeResponse(error.message, { error: "insufficient_credits" });
      throw error;
    }

    // The loop watch goes on across a task's one-step turns; a new message from the user starts it afresh.
    const userMessageId = lastOf(this.messages, (m) => m.role === "user")?.id ?? null;
    const stored = this.ctx.storage.kv.get<LoopState>(LOOP_WATCH_KEY);
    let loopState = stored?.userMessageId === userMessageId ? stored : emptyLoopState(userMessageId);
    let paused: { trip: LoopTrip; refundedMillicredits: number } | null = null;
    const watch = async (step: {
      content: readonly { type: string; toolName?: string; input?: unknown; output?: unknown; error?: unknown }[];
    }) => {
      const calls = step.content.filter((p) => p.type === "tool-call").map((p) => ({ toolName: p.toolName ?? "", input: p.input }));
      const results = step.content
        .filter((p) => p.type === "tool-result" || p.type === "tool-error")
        .map((p) => ({ toolName: p.toolName ?? "", output: p.output, error: p.type === "tool-error" ? (p.error ?? "error") : undefined }));
      const next = watchStep(
        loopState,
        { calls, errors: stepErrors(results), reservationIds: meter.takeStepReservations() },
        agent.loopLimit,
      );
      loopState = next.state;
      this.ctx.storage.kv.put(LOOP_WATCH_KEY, loopState);
      if (!next.trip) return;
      let refundedMillicredits = 0;
      try {
        refundedMillicredits = await refundReservations(
          this.env.DB,
          { accountId: agent.accountId, reason: `Loop refund: ${next.trip.repeats - 1} repeated steps` },
          next.trip.refundReservationIds,
          new Date(clock()),
        );
      } catch (error) {
        console.error("a loop refund could not be written", error);
      }
      meter.refunded(refundedMillicredits);
      paused = { trip: next.trip, refundedMillicredits };
    };

    let firstStep = true;
    // The stream reports each step before its settle has finished, so the per-step usage is summed from the stream.
    const reported = { inputTokens: 0, outputTokens: 0, modelMillicredits: 0 };
    const result = streamText({
      model: languageModel(this.env, model.id),
      system,
      messages,
      tools,
      providerOptions: modelProviderOptions(),
      maxOutputTokens,
      stopWhen: [
        stepCountIs(this.taskStepLimit ?? agent.maxSteps),
        () => meter.chargeFailure !== null,
        () => paused !== null,
        () => meter.capReached,
      ],
      abortSignal: options?.abortSignal,
      experimental_repairToolCall: repairToolCall,
      prepareStep: async ({ messages: stepMessages }) => {
        if (firstStep) {
          firstStep = false;
          return {};
        }
        const step = fit(stepMessages);
        await meter.reserveStep(estimateTokens([step.system, step.messages]) + toolTokens, maxOutputTokens);
        return step;
      },
      onStepFinish: async (step) => {
        await meter.settleStep(step.usage);
        await watch(step);
      },
      onError: async () => meter.releaseOpen(),
      onAbort: async () => meter.releaseOpen(),
      onFinish: async () => meter.releaseOpen(),
    });
    const uiStream = result.toUIMessageStream({
      sendReasoning: true,
      // After each step and at the end: ai-chat rewrites the final `finish` chunk's metadata on the wire, so clients
      // read the running usage from the `message-metadata` chunks that follow each step.
      messageMetadata: ({ part }) => {
        if (part.type === "finish-step") {
          reported.inputTokens += part.usage.inputTokens ?? 0;
          reported.outputTokens += part.usage.outputTokens ?? 0;
          reported.modelMillicredits += meter.priceStep(part.usage);
        } else if (part.type !== "finish") {
          return undefined;
        }
        const credits = toCredits(meter.capped(reported.modelMillicredits + meter.sandboxMillicredits) - meter.refundedMillicredits);
        return { usage: { inputTokens: reported.inputTokens, outputTokens: reported.outputTokens }, credits } satisfies TurnMetadata;
      },
      onError: (error) => this.#errorText(error),
    });
    // The turn's last step has been settled when its `finish` arrives: a charge that failed ends the turn as an error,
    // and the credits reported are what the ledger really holds, not the price of the steps that were not charged.
    const withChargeFailure = uiStream.pipeThrough(
      new TransformStream<UIMessageChunk, UIMessageChunk>({
        transform(chunk, controller) {
          if (chunk.type === "finish" && meter.chargeFailure) {
            const metadata: TurnMetadata = {
              usage: { inputTokens: reported.inputTokens, outputTokens: reported.outputTokens },
              credits: toCredits(meter.usage.chargedMillicredits),
            };
            controller.enqueue({ type: "message-metadata", messageMetadata: metadata });
            controller.enqueue({ type: "error", errorText: meter.chargeFailure });
          }
          const cap = meter.capMillicredits;
          if (chunk.type === "finish" && cap !== null && meter.capReached && !paused && !meter.chargeFailure) {
            // Said in the answer itself, like a pause, so it stays in the history; the credits are what the ledger holds.
            const id = crypto.randomUUID();
            controller.enqueue({ type: "text-start", id });
            controller.enqueue({ type: "text-delta", id, delta: `\n\n${turnCapNotice(cap)}` });
            controller.enqueue({ type: "text-end", id });
            const metadata: TurnMetadata = { turnCap: { credits: toCredits(cap) }, credits: toCredits(meter.usage.chargedMillicredits) };
            controller.enqueue({ type: "message-metadata", messageMetadata: metadata });
          }
          if (chunk.type === "finish" && paused) {
            // The pause is said in the answer itself, so it stays in the history and reaches every tab.
            const { trip, refundedMillicredits } = paused;
            const id = crypto.randomUUID();
            controller.enqueue({ type: "text-start", id });
            controller.enqueue({ type: "text-delta", id, delta: `\n\n${loopNotice(trip, toCredits(refundedMillicredits))}` });
            controller.enqueue({ type: "text-end", id });
            const loop = { kind: trip.kind, repeats: trip.repeats, what: trip.label, refundedCredits: toCredits(refundedMillicredits) };
            controller.enqueue({ type: "message-metadata", messageMetadata: { loop } satisfies TurnMetadata });
          }
          controller.enqueue(chunk);
        },
      }),
    );
    return createUIMessageStreamResponse({ stream: withChargeFailure });
  }

  /** The agent's workspace, with the preset's starter files written on first use; within its account's live cap. */
  async #provisionedWorkspace(agentId: string, accountId: string): Promise<Workspace> {
    const group = await workspaceGroup(getDb(this.env.DB), accountId);
    const workspace = await sandboxFor(this.env).workspace(agentId, { group });
    try {
      await (await agentHub(this.env, agentId)).provisionWorkspace();
    } catch (error) {
      console.error("starter files could not be written", error);
    }
    return workspace;
  }

  #errorText(error: unknown): string {
    if (RetryError.isInstance(error)) return this.#errorText(error.lastError);
    // A tool's sandbox error (e.g. sandboxd unreachable) is about the sandbox, whatever words it contains.
    if (error instanceof AppError || error instanceof ModelStalled || error instanceof SandboxError) return error.message;
    if (StreamProviderError.isInstance(error)) {
      return error.type === STREAM_INTERRUPTED ? error.message : modelFailedMidAnswerMessage(this.env, error.message);
    }
    if (APICallError.isInstance(error) || (error instanceof Error && /fetch|connect|network|ECONNREFUSED/i.test(error.message))) {
      return modelUnavailableMessage(this.env, error);
    }
    return error instanceof Error ? error.message : "The turn failed";
  }

  protected async onChatResponse(result: { message?: UIMessage; status: string }): Promise<void> {
    const { agentId, threadId } = this.#ids;
    const turn = this.#turn;
    this.#turn = undefined;
    this.#turnActive = false;
    if (turn?.mcp) this.ctx.waitUntil(turn.mcp.close());
    if (result.status === "aborted" && result.message && turn?.signal?.aborted) await this.#markStopped(result.message.id, turn.meter);
    await turn?.checkpoints?.afterTurn();
    const userText = messageText(lastOf(this.messages, (m) => m.role === "user"));
    const at = new Date((this.#turnClock ?? (await this.#clock()))());
    await Promise.all([
      agentHub(this.env, agentId).then((hub) => hub.endTurn(threadId, userText, messageText(result.message))),
      touchAgent(getDb(this.env.DB), agentId, at),
    ]);
  }

  /** A turn its user stopped says so, with what it was charged (the unfinished step's reservation is given back). */
  async #markStopped(messageId: string, meter: TurnMeter): Promise<void> {
    const index = this.messages.findIndex((m) => m.id === messageId);
    if (index < 0) return;
    const message = this.messages[index]!;
    const metadata: TurnMetadata = {
      ...(message.metadata as TurnMetadata | undefined),
      stopped: true,
      // Token counts exist only for finished steps; an unfinished one has none to show.
      ...(meter.usage.steps > 0 ? { usage: { inputTokens: meter.usage.inputTokens, outputTokens: meter.usage.outputTokens } } : {}),
      credits: toCredits(meter.usage.chargedMillicredits),
    };
    const messages = [...this.messages];
    messages[index] = { ...message, metadata };
    await this.persistMessages(messages);
  }

  /** After a crash mid-turn: keep what was streamed, say plainly that it was interrupted, and do not continue. */
  protected async onChatRecovery(ctx: { partialParts?: UIMessage["parts"]; partialText?: string }) {
    const note = isTaskThread(this.messages) ? TASK_INTERRUPTED_NOTE : INTERRUPTED_NOTE;
    const parts: UIMessage["parts"] = [...(ctx.partialParts ?? []), { type: "text", text: `\n\n_${note}_` }];
    await this.persistMessages([
      ...this.messages,
      { id: crypto.randomUUID(), role: "assistant", parts, metadata: { interrupted: true } satisfies TurnMetadata },
    ]);
    const { agentId, threadId } = this.#ids;
    await (await agentHub(this.env, agentId)).setThreadRunning(threadId, false);
    return { persist: false, continue: false };
  }

  // RPC for the REST API

  async getMessages(): Promise<UIMessage[]> {
    return this.messages;
  }

  /** The active path with its forks ("< 2/3 >"), and with `versions` every version of those forks. */
  async history(options: { versions?: boolean } = {}): Promise<ThreadHistory> {
    const messages = this.messages;
    return {
      messages,
      branches: branchPoints(this.#sql, messages),
      ...(options.versions && { versions: branchVersions(this.#sql, messages) }),
    };
  }

  /**
   * Opens a new version before an edit or a regeneration (./thread-branches.ts): what followed is kept as an earlier
   * version and the history is cut back to the fork. Answers the history the new message or answer continues, or why
   * not: the message is not in this thread (or cannot be edited), or a turn is running, and then nothing changed.
   */
  async openBranch(input: { kind: "edit" | "regenerate"; messageId: string }): Promise<BranchOpening> {
    if (this.#turnActive) return { refused: "running" };
    const messages = this.messages;
    const index = messages.findIndex((m) => m.id === input.messageId);
    if (index < 0) return { refused: "not_found" };
    const message = messages[index]!;
    let parentIndex: number;
    if (input.kind === "edit") {
      if (message.role !== "user") return { refused: "not_user_message" };
      parentIndex = index - 1;
    } else {
      parentIndex = message.role === "user" ? index : messages.slice(0, index).findLastIndex((m) => m.role === "user");
      if (parentIndex < 0) return { refused: "not_found" };
    }
    let prefix: UIMessage[] = [];
    this.ctx.storage.transactionSync(() => {
      prefix = forkAfter(this.#sql, messages, parentIndex, Date.now());
    });
    if (prefix.length < messages.length) await this.persistMessages(prefix, [], { _deleteStaleRows: true });
    return { refused: null, messages: prefix };
  }

  /** Makes another version of a fork on the active path the active one: the model sees that one from now on. */
  async switchBranch(input: { parentId: string | null; index: number }): Promise<BranchOpening> {
    if (this.#turnActive) return { refused: "running" };
    const messages = this.messages;
    let next: UIMessage[] | null = null;
    this.ctx.storage.transactionSync(() => {
      next = switchVersion(this.#sql, messages, input.parentId, input.index);
    });
    const chosen = next as UIMessage[] | null;
    if (!chosen) return { refused: "not_found" };
    const at = input.parentId === null ? 0 : messages.findIndex((m) => m.id === input.parentId) + 1;
    await this.persistMessages(chosen.slice(0, at), [], { _deleteStaleRows: true });
    await this.persistMessages(chosen);
    return { refused: null, messages: this.messages };
  }

  // Tool approvals (./approvals.ts)

  async pendingApprovals(): Promise<PendingApproval[]> {
    return pendingApprovals(this.messages);
  }

  /**
   * Decides a tool call waiting for approval, for REST and for a task's thread: applies and records the decision,
   * then, once no call of the answer still waits, goes on: a chat continues its turn (the approved tool runs, or the
   * model hears it was denied); a task resumes. False when that call is not waiting (decided already: once only).
   */
  async decideApproval(input: { toolCallId: string; approved: boolean; always?: boolean; by: MessageAuthor }): Promise<boolean> {
    const at = new Date((await this.#clock())());
    const applied = await this._enqueueInteractionApply(async () => {
      const next = withDecision(this.messages, { ...input, at }, true);
      if (next) await this.persistMessages(next);
      return next !== null;
    });
    if (!applied || pendingApprovals(this.messages).length > 0) return applied;
    if (isTaskThread(this.messages)) await (await agentHub(this.env, this.#ids.agentId)).resumeTaskOfThread(this.#ids.threadId);
    else await this.continueLastTurn();
    return true;
  }

  /**
   * A WebSocket client's approval (the SDK's `cf_agent_tool_approval`): recorded with who sent it, then left to the
   * SDK, which applies it and continues the turn. A call no longer waiting is dropped, so it runs once only; in a
   * task's thread the task resumes instead of a chat turn starting.
   */
  async #onSocketApproval(raw: string, owner: MessageAuthor): Promise<boolean> {
    const frame = approvalFrame(raw);
    if (!frame) return false;
    if (!pendingApprovals(this.messages).some((p) => p.toolCallId === frame.toolCallId)) return true;
    if (isTaskThread(this.messages)) {
      await this.decideApproval({ ...frame, by: owner });
      return true;
    }
    const at = new Date((await this.#clock())());
    await this._enqueueInteractionApply(async () => {
      const next = withDecision(this.messages, { ...frame, by: owner, at }, false);
      if (next) await this.persistMessages(next);
      return next !== null;
    });
    return false;
  }

  // RPC for the agent's tasks (./task-step.ts)

  async runTaskStep(input: { prompt: string; remainingMillicredits: number }): Promise<TaskStepResult> {
    return runTaskStep(this, this.env, this.#ids.agentId, input);
  }

  async appendTaskNotice(text: string): Promise<void> {
    await appendNotice(this, text);
  }

  async taskFacts(): Promise<{ filesChanged: string[]; lastText: string }> {
    return taskFacts(this);
  }

  async stop(): Promise<void> {
    this.abortAllRequests("Stopped by the user");
  }

  async erase(): Promise<void> {
    this.abortAllRequests("Thread deleted");
    clearBranches(this.#sql);
    await this.persistMessages([]);
  }
}
