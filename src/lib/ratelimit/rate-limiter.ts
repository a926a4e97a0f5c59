import { DurableObject } from "cloudflare:workers";

export interface HitResult {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

interface Window {
  startedAt: number;
  count: number;
}

/**
 * One fixed-window counter per Durable Object (named `<rule>:<key>`). A Durable Object runs one request at a time
 * and its storage calls are serialized by input gates, so read-increment-write here is atomic.
 */
export class RateLimiter extends DurableObject {
  async hit(limit: number, windowSeconds: number): Promise<HitResult> {
    const now = Date.now();
    const windowMs = windowSeconds * 1000;
    let window = await this.ctx.storage.get<Window>("window");
    if (!window || now - window.startedAt >= windowMs) window = { startedAt: now, count: 0 };
    const retryAfterSeconds = Math.max(1, Math.ceil((window.startedAt + windowMs - now) / 1000));
    if (window.count >= limit) return { allowed: false, remaining: 0, retryAfterSeconds };
    window.count += 1;
    await this.ctx.storage.put("window", window);
    await this.ctx.storage.setAlarm(window.startedAt + windowMs);
    return { allowed: true, remaining: limit - window.count, retryAfterSeconds };
  }

  // Counters are worthless after their window; clearing them keeps storage from growing with every IP seen.
  async alarm(): Promise<void> {
    const window = await this.ctx.storage.get<Window>("window");
    if (!window) return;
    await this.ctx.storage.deleteAll();
  }
}
