ALTER TABLE `agent` ADD `turn_cap_millicredits` integer;--> statement-breakpoint
ALTER TABLE `agent` ADD `task_budget_millicredits` integer;