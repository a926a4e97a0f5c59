import { Bot, CreditCard, LineChart, Settings, Shield, Users } from "lucide-react";

export interface NavItem {
  href: string;
  label: string;
  icon: typeof Bot;
  adminOnly?: boolean;
}

export const NAV_ITEMS: NavItem[] = [
  { href: "/agents", label: "Agents", icon: Bot },
  { href: "/usage", label: "Usage", icon: LineChart },
  { href: "/billing", label: "Billing", icon: CreditCard },
  { href: "/team", label: "Team", icon: Users },
  { href: "/settings", label: "Settings", icon: Settings },
  { href: "/admin", label: "Admin", icon: Shield, adminOnly: true },
];
