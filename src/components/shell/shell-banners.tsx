"use client";

import { useEffect, useRef, type ReactNode } from "react";
import { cn } from "@/lib/ui/cn.ts";

/**
 * The notices above every app page, flush with the top of the content. Their height is published as
 * `--shell-banners` so a full-height screen (the agent workspace) fits under them instead of pushing them off screen;
 * `sticky` keeps them in view on long pages (the impersonation banner must never scroll away).
 */
export function ShellBanners({ sticky, children }: { sticky: boolean; children: ReactNode }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const root = document.documentElement;
    const publish = () => root.style.setProperty("--shell-banners", `${element.offsetHeight}px`);
    publish();
    const observer = new ResizeObserver(publish);
    observer.observe(element);
    return () => {
      observer.disconnect();
      root.style.removeProperty("--shell-banners");
    };
  }, []);
  return (
    <div
      ref={box}
      data-testid="shell-banners"
      className={cn(
        "-mx-4 -mt-4 mb-4 flex flex-col gap-2 bg-background p-2 empty:hidden md:-mx-8 md:-mt-8 md:mb-8 md:p-3",
        sticky && "sticky top-14 z-20 border-b md:top-0",
      )}
    >
      {children}
    </div>
  );
}
