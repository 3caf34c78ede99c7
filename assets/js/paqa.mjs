// PAQA's own behaviour, appended to GOV.UK Frontend's module by scripts/build-frontend.mjs.
// Everything here is progressive enhancement: each journey works without it.

initAll();

// Pages that show the progress of background work reload themselves (each also has a link).
(function refreshWhileWorking() {
  const marker = document.querySelector("[data-paqa-refresh-seconds]");
  if (!marker) return;
  const seconds = Number(marker.dataset.paqaRefreshSeconds) || 2;
  window.setTimeout(() => window.location.reload(), seconds * 1000);
})();

// Warn before the idle sign-out and let the person stay (WCAG 2.2.1 Timing adjustable).
(function sessionTimeout() {
  const body = document.body;
  const timeout = Number(body.dataset.idleTimeoutSeconds);
  const left = Number(body.dataset.idleSecondsLeft || timeout);
  const warning = Number(body.dataset.idleWarningSeconds);
  const dialog = document.getElementById("session-timeout-dialog");
  if (!timeout || !dialog || typeof dialog.showModal !== "function") return;

  const countdown = dialog.querySelector("[data-countdown]");
  const form = dialog.querySelector("form");
  // A little after the server's own limit, so the server has signed the session out by then.
  const graceMs = 2000;
  let deadline = Date.now() + left * 1000;
  let ticker = null;

  const words = (seconds) => {
    if (seconds >= 60) {
      const minutes = Math.ceil(seconds / 60);
      return `${minutes} minute${minutes === 1 ? "" : "s"}`;
    }
    return `${seconds} second${seconds === 1 ? "" : "s"}`;
  };

  const tick = () => {
    const remaining = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (Date.now() >= deadline + graceMs) {
      window.location.href = body.dataset.timedOutUrl;
      return;
    }
    if (remaining <= warning && !dialog.open) {
      dialog.showModal();
    }
    if (countdown) countdown.textContent = words(remaining);
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    // 204 means the session was extended; anything else (such as a redirect to sign in)
    // means it had already ended.
    if (response.status === 204) {
      deadline = Date.now() + timeout * 1000;
      dialog.close();
    } else {
      window.location.href = body.dataset.timedOutUrl;
    }
  });

  ticker = window.setInterval(tick, 1000);
  window.addEventListener("pagehide", () => window.clearInterval(ticker));
})();
