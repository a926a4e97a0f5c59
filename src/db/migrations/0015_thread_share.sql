CREATE TABLE `thread_share` (
	`id` text PRIMARY KEY NOT NULL,
	`token` text NOT NULL,
	`agent_id` text NOT NULL,
	`thread_id` text NOT NULL,
	`account_id` text NOT NULL,
	`created_by_user_id` text NOT NULL,
	`title` text NOT NULL,
	`snapshot` text NOT NULL,
	`message_count` integer NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`agent_id`) REFERENCES `agent`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `thread_share_token_unique` ON `thread_share` (`token`);--> statement-breakpoint
CREATE INDEX `thread_share_thread_idx` ON `thread_share` (`agent_id`,`thread_id`,`created_at`);