import Link from "next/link";
import { Button } from "@/components/ui/button.tsx";

export default function NotFound() {
  return (
    <main className="grid min-h-dvh place-items-center p-6 text-center">
      <div>
        <p className="text-sm font-medium text-primary">404</p>
        <h1 className="mt-2 text-3xl font-bold tracking-tight">Page not found</h1>
        <p className="mt-3 text-muted-foreground">The page you are looking for does not exist or you cannot see it.</p>
        <Button className="mt-6" asChild>
          <Link href="/">Back to the start</Link>
        </Button>
      </div>
    </main>
  );
}
