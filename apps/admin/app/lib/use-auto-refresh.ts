// Live pages: revalidate the loaders every couple of seconds while the tab is visible, no full reload.
import { useNavigation, useRevalidator } from "@remix-run/react";
import { useEffect, useRef } from "react";

export function useAutoRefresh(enabled: boolean, intervalMs = 2000): void {
  const revalidator = useRevalidator();
  const navigation = useNavigation();
  const latest = useRef({ revalidator, busy: false });
  latest.current = { revalidator, busy: revalidator.state !== "idle" || navigation.state !== "idle" };

  useEffect(() => {
    if (!enabled) return;
    const tick = () => {
      // Hidden tabs cost nothing; an in-flight load or a submission is never interrupted.
      if (document.visibilityState !== "visible" || latest.current.busy) return;
      latest.current.revalidator.revalidate();
    };
    const timer = window.setInterval(tick, intervalMs);
    document.addEventListener("visibilitychange", tick);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", tick);
    };
  }, [enabled, intervalMs]);
}
