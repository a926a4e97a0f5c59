CREATE TABLE `agent` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`model_id` text NOT NULL,
	`instructions` text DEFAULT '' NOT NULL,
	`preset` text DEFAULT 'general' NOT NULL,
	`max_steps` integer DEFAULT 25 NOT NULL,
	`is_default` integer DEFAULT false NOT NULL,
	`created_by_user_id` text,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`last_active_at` integer,
	FOREIGN KEY (`account_id`) REFERENCES `account`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `agent_account_idx` ON `agent` (`account_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `agent_one_default_per_account` ON `agent` (`account_id`) WHERE is_default = 1;