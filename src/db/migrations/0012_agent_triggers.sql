CREATE TABLE `agent_trigger` (
	`id` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`secret_sealed` text,
	`created_by_user_id` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`last_used_at` integer,
	FOREIGN KEY (`agent_id`) REFERENCES `agent`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `agent_trigger_agent_idx` ON `agent_trigger` (`agent_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `trigger_delivery` (
	`trigger_id` text NOT NULL,
	`delivery_key` text NOT NULL,
	`task_id` text,
	`reply_to` text,
	`reply_subject` text,
	`in_reply_to` text,
	`replied_at` integer,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	PRIMARY KEY(`trigger_id`, `delivery_key`),
	FOREIGN KEY (`trigger_id`) REFERENCES `agent_trigger`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `trigger_delivery_task_idx` ON `trigger_delivery` (`task_id`);