CREATE TABLE `mcp_connection` (
	`connector_id` text NOT NULL,
	`user_id` text NOT NULL,
	`credential_sealed` text,
	`pending_sealed` text,
	`pending_state` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`connector_id`, `user_id`),
	FOREIGN KEY (`connector_id`) REFERENCES `mcp_connector`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mcp_connection_pending_state_unique` ON `mcp_connection` (`pending_state`);--> statement-breakpoint
CREATE TABLE `mcp_connector` (
	`id` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`auth` text NOT NULL,
	`header_name` text,
	`created_by_user_id` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `agent`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mcp_connector_agent_name_idx` ON `mcp_connector` (`agent_id`,`name`);--> statement-breakpoint
ALTER TABLE `account` ADD `mcp_allowlist` text DEFAULT '[]' NOT NULL;