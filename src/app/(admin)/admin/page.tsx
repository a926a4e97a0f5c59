import { notFound } from "next/navigation";

// Platform admins only; until sign-in exists there are no admins, so everyone gets the 404 page.
export default function AdminPage() {
  notFound();
}
