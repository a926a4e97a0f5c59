ALTER TABLE `account` ADD `max_agents` integer;--> statement-breakpoint
ALTER TABLE `account` ADD `max_live_workspaces` integer;