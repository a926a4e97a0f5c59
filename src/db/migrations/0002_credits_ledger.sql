CREATE TABLE `credit_balance` (
	`account_id` text PRIMARY KEY NOT NULL,
	`free_millicredits` integer DEFAULT 0 NOT NULL,
	`purchased_millicredits` integer DEFAULT 0 NOT NULL,
	`reserved_millicredits` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `account`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `credit_reservation` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`amount_millicredits` integer NOT NULL,
	`status` text NOT NULL,
	`close_token` text,
	`actual_millicredits` integer,
	`agent_id` text,
	`thread_id` text,
	`model_id` text,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`closed_at` integer,
	FOREIGN KEY (`account_id`) REFERENCES `account`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `credit_reservation_open_idx` ON `credit_reservation` (`status`,`expires_at`);--> statement-breakpoint
CREATE INDEX `credit_reservation_account_idx` ON `credit_reservation` (`account_id`);--> statement-breakpoint
CREATE TABLE `ledger_entry` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`bucket` text NOT NULL,
	`kind` text NOT NULL,
	`amount_millicredits` integer NOT NULL,
	`balance_after_millicredits` integer NOT NULL,
	`reason` text NOT NULL,
	`agent_id` text,
	`thread_id` text,
	`model_id` text,
	`input_tokens` integer,
	`output_tokens` integer,
	`sandbox_ms` integer,
	`reservation_id` text,
	`stripe_session_id` text,
	`stripe_event_id` text,
	`actor_user_id` text,
	`idempotency_key` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `account`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_entry_idempotency_key_unique` ON `ledger_entry` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `ledger_entry_account_idx` ON `ledger_entry` (`account_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `ledger_entry_kind_idx` ON `ledger_entry` (`account_id`,`kind`);--> statement-breakpoint
CREATE TABLE `model` (
	`id` text PRIMARY KEY NOT NULL,
	`label` text NOT NULL,
	`provider` text NOT NULL,
	`input_millicredits_per_1k` integer NOT NULL,
	`output_millicredits_per_1k` integer NOT NULL,
	`context_window_tokens` integer NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `monthly_allowance` (
	`account_id` text NOT NULL,
	`month` text NOT NULL,
	`grant_token` text NOT NULL,
	`granted_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `month`),
	FOREIGN KEY (`account_id`) REFERENCES `account`(`id`) ON UPDATE no action ON DELETE cascade
);

-- Seed the price catalog. Defaults: a typical turn (3,000 input + 500 output tokens) costs about 0.9 credits.
INSERT INTO `model` (`id`, `label`, `provider`, `input_millicredits_per_1k`, `output_millicredits_per_1k`, `context_window_tokens`, `enabled`)
VALUES ('gpt-oss:20b', 'gpt-oss 20B', 'openai-compatible', 200, 600, 131072, 1)
ON CONFLICT(`id`) DO NOTHING;
