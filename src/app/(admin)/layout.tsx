import type { ReactNode } from "react";
import { AdminNav } from "@/components/admin/admin-nav.tsx";
import { requireAdminPage } from "@/components/admin/require-admin-page.ts";
import { AppShell } from "@/components/shell/app-shell.tsx";

export const dynamic = "force-dynamic";

// Platform admins only: everyone else, signed in or not, gets the 404 page (each page checks again).
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const { user } = await requireAdminPage();
  return (
    <AppShell user={{ name: user.name, email: user.email, isAdmin: true }}>
      <AdminNav />
      {children}
    </AppShell>
  );
}
