// "Generate memo" on the model dossier and the request page: ask the memo API for a new version, then poll its status until the
// worker has rendered it, and offer the download. No page reload; no inline script (Content-Security-Policy).
(function () {
  "use strict";
  const POLL_MS = 1500;
  const GIVE_UP_MS = 10 * 60 * 1000;

  function say(form, text) {
    form.querySelector(".memo-progress").textContent = text;
  }

  async function poll(form, statusUrl, started) {
    const response = await fetch(statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) {
      say(form, "Could not read the memo's status (HTTP " + response.status + "). Reload the page to see it.");
      return;
    }
    const memo = await response.json();
    if (memo.status === "done" && memo.download_url) {
      const progress = form.querySelector(".memo-progress");
      progress.textContent = "Memo version " + memo.version + " is ready (" + memo.pages + " pages): ";
      const link = document.createElement("a");
      link.href = memo.download_url;
      link.textContent = "download the PDF";
      link.setAttribute("data-testid", "memo-download");
      progress.appendChild(link);
      document.querySelectorAll(".no-memo").forEach(function (p) { p.hidden = true; });
      form.querySelector("button").disabled = false;
      return;
    }
    if (memo.status === "failed") {
      say(form, "The memo could not be rendered: " + (memo.error || "no reason recorded") + ".");
      form.querySelector("button").disabled = false;
      return;
    }
    if (Date.now() - started > GIVE_UP_MS) {
      say(form, "Still waiting for a worker after ten minutes. Is the Celery worker running?");
      return;
    }
    say(form, memo.status === "rendering" ? "Rendering the PDF…" : "Waiting for a worker to render version " + memo.version + "…");
    window.setTimeout(function () { poll(form, statusUrl, started); }, POLL_MS);
  }

  async function generate(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const button = form.querySelector("button");
    button.disabled = true;
    say(form, "Asking for a new memo…");
    const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    const response = await fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
      body: JSON.stringify(
        form.dataset.kind === "request"
          ? { kind: "request", request: Number(form.dataset.request) }
          : { kind: "model", model: form.dataset.model }
      ),
    });
    const body = await response.json().catch(function () { return {}; });
    if (response.status !== 202) {
      const reasons = body.detail ? [body.detail] : Object.values(body).flat();
      say(form, "Refused (HTTP " + response.status + "): " + (reasons.join(" ") || "no reason given") + ".");
      button.disabled = false;
      return;
    }
    form.dataset.memoId = body.id;
    poll(form, body.status_url, Date.now());
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.generate-memo").forEach(function (form) {
      form.addEventListener("submit", generate);
    });
  });
})();
