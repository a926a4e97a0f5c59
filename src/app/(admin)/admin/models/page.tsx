import type { Metadata } from "next";
import { ModelCatalog } from "@/components/admin/model-catalog.tsx";
import { requireAdminPage } from "@/components/admin/require-admin-page.ts";
import { PageHeader } from "@/components/shell/page-header.tsx";
import { getDb } from "@/db/client.ts";
import { allModels } from "@/lib/admin/models.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";

export const metadata: Metadata = { title: "Models · Admin" };
export const dynamic = "force-dynamic";

export default async function AdminModelsPage() {
  await requireAdminPage();
  const models = await allModels(getDb(getEnv().DB));
  return (
    <>
      <PageHeader
        title="Models"
        description="The catalog agents choose from and its credit rates (milli-credits per 1,000 tokens). A disabled model cannot be chosen; agents still using it are told so."
      />
      <ModelCatalog models={models.map((m) => ({ ...m, createdAt: m.createdAt.toISOString() }))} />
    </>
  );
}
