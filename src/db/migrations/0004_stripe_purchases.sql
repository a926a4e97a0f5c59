CREATE TABLE `credit_purchase` (
	`stripe_session_id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`package_id` text NOT NULL,
	`credits_millicredits` integer NOT NULL,
	`amount_cents` integer NOT NULL,
	`currency` text NOT NULL,
	`stripe_payment_intent_id` text,
	`stripe_customer_id` text,
	`receipt_url` text,
	`refund_target_millicredits` integer DEFAULT 0 NOT NULL,
	`refunded_millicredits` integer DEFAULT 0 NOT NULL,
	`refund_token` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `account`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `credit_purchase_account_idx` ON `credit_purchase` (`account_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `credit_purchase_payment_intent_idx` ON `credit_purchase` (`stripe_payment_intent_id`);--> statement-breakpoint
CREATE TABLE `stripe_event` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`account_id` text,
	`outcome` text NOT NULL,
	`received_at` integer NOT NULL
);
