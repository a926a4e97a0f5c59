CREATE TABLE `agent_schedule_due` (
	`schedule_id` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`next_run_at` integer NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `agent`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `agent_schedule_due_next_idx` ON `agent_schedule_due` (`next_run_at`);