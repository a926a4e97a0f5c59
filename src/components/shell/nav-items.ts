import { Bot, CreditCard, LineChart, Settings, Shield, Users } from "lucide-react";
import type { Permission } from "@/lib/teams/permissions.ts";

export interface NavItem {
  href: string;
  label: string;
  icon: typeof Bot;
  adminOnly?: boolean;
  /** Shown only when the caller holds this permission in the selected account. */
  permission?: Permission;
}

export const NAV_ITEMS: NavItem[] = [
  { href: "/agents", label: "Agents", icon: Bot, permission: "agents.use" },
  { href: "/usage", label: "Usage", icon: LineChart, permission: "billing.view" },
  { href: "/billing", label: "Billing", icon: CreditCard, permission: "billing.view" },
  { href: "/team", label: "Team", icon: Users },
  { href: "/settings", label: "Settings", icon: Settings },
  { href: "/admin", label: "Admin", icon: Shield, adminOnly: true },
];
