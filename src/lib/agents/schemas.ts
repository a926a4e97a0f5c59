import { z } from "zod";
import { ATTACHMENTS_PER_MESSAGE } from "./attachments.ts";
import { MAX_LOOP_LIMIT, MIN_LOOP_LIMIT } from "./loop-limit.ts";
import { PresetIdSchema } from "./presets.ts";
import { TaskCreditBudget, TurnCreditCap } from "./credit-limits.ts";
import { ToolPolicySchema } from "./tool-policy.ts";
import { isSafeName } from "../text/names.ts";

/** Request bodies of the agent API, validated at the boundary. */
export const AgentName = z
  .string()
  .trim()
  .min(1, "name must not be empty")
  .max(100)
  .refine(isSafeName, "name cannot contain control characters or text-direction overrides");
export const CreateAgentBody = z.object({
  name: AgentName,
  model: z.string().min(1).max(100).optional(),
  instructions: z.string().max(20_000).optional(),
  maxSteps: z.number().int().min(1).max(200).optional(),
  /** Identical tool calls or errors in a row before the loop breaker pauses the agent. */
  loopLimit: z.number().int().min(MIN_LOOP_LIMIT).max(MAX_LOOP_LIMIT).optional(),
});
/** A new agent may start from a preset (general, coding, data-analyst): its instructions, tools and starter files. */
export const NewAgentBody = CreateAgentBody.extend({ preset: PresetIdSchema.optional() });
export const UpdateAgentBody = CreateAgentBody.extend({
  /** Allow, Ask or Block for the named tools (the others keep theirs); known tool names only. */
  toolPolicy: ToolPolicySchema.optional(),
  /** Which tools the agent gets (its instructions stay as they are). */
  preset: PresetIdSchema,
  /** The most one turn may be charged, in credits; null removes the cap. */
  turnCreditCap: TurnCreditCap,
  /** Its tasks' credit budget when they name none, and the most they may name; null: the platform's default. */
  taskCreditBudget: TaskCreditBudget,
})
  .strict()
  .partial()
  .refine((v) => Object.keys(v).length > 0, "nothing to change");
/** A team's tool approval floor: the whole floor, replacing the one before. */
export const ToolFloorBody = z.object({ floor: ToolPolicySchema });
/** A decision on a tool call waiting for approval; `always` also sets the agent's policy for that tool to Allow. */
export const ApprovalBody = z.object({
  toolCallId: z.string().min(1).max(200),
  approved: z.boolean(),
  always: z.boolean().optional(),
});
export const ThreadTitle = z
  .string()
  .trim()
  .min(1, "title must not be empty")
  .max(80)
  .refine(isSafeName, "title cannot contain control characters or text-direction overrides");
/** What a user may send as one message, over REST and WebSocket alike (src/agent/chat-request.ts). */
export const MessageText = z.string().trim().min(1, "text must not be empty").max(100_000, "text must be at most 100,000 characters");
export const MessageBody = z.object({
  text: MessageText,
  /** Workspace paths of the thread's uploaded attachments (uploads/<threadId>/<name>), sent with the message. */
  attachments: z
    .array(z.string().min(1).max(1024))
    .max(ATTACHMENTS_PER_MESSAGE, `A message may carry at most ${ATTACHMENTS_PER_MESSAGE} files`)
    .optional(),
});
export const ExecBody = z.object({
  command: z.string().min(1).max(20_000),
  cwd: z.string().max(1024).optional(),
  timeoutMs: z.number().int().min(100).max(600_000).optional(),
});
export const CodeBody = z.object({ language: z.enum(["python", "javascript"]), code: z.string().min(1).max(200_000) });
export const PathBody = z.object({ path: z.string().min(1).max(1024) });
export const MoveBody = z.object({ from: z.string().min(1).max(1024), to: z.string().min(1).max(1024) });
export const StartProcessBody = z.object({ command: z.string().min(1).max(20_000), cwd: z.string().max(1024).optional() });
export const CloneBody = z.object({
  url: z.string().min(1).max(2000),
  branch: z.string().max(200).optional(),
  dir: z.string().max(1024).optional(),
  depth: z.number().int().min(1).max(10_000).optional(),
});
/** A workspace checkpoint's id (sandboxd makes them: `ck-<time, base 36>-<8 hex>`). */
export const CheckpointId = z.string().regex(/^ck-[0-9a-z]{1,12}-[0-9a-f]{8}$/, "is not a checkpoint id");
/** What a checkpoint is compared with: another checkpoint, or the files as they are now. */
export const CheckpointTarget = z.union([z.literal("now"), CheckpointId]).default("now");
export const CheckpointBody = z.object({}).strict();
export const CommitBody = z.object({ message: z.string().min(1).max(5000), dir: z.string().max(1024).optional() });
export const NoteBody = z.object({ text: z.string().trim().min(1, "text must not be empty").max(2000) });
/** A message id in a thread's history (the SDK's and ours: letters, digits, '-' and '_'). */
export const MessageId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w-]+$/, "not a message id");
/** Switches the active version of a fork: the message the versions follow (null: the thread's start) and which one. */
export const SwitchBranchBody = z.object({ parentId: MessageId.nullable(), index: z.number().int().min(1).max(10_000) });
