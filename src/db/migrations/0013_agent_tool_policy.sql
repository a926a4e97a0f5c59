ALTER TABLE `account` ADD `tool_policy_floor` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `agent` ADD `tool_policy` text DEFAULT '{}' NOT NULL;