CREATE TABLE `sandbox_meter` (
	`agent_id` text PRIMARY KEY NOT NULL,
	`billed_cpu_ms` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `agent`(`id`) ON UPDATE no action ON DELETE cascade
);
