// The survey's sharing page: a "Copy link" button beside the public link (the link is in a
// read-only box people can also select and copy themselves, so the page works without this).
(function copySurveyLink() {
  for (const group of document.querySelectorAll("[data-paqa-copy]")) {
    const source = group.querySelector("[data-paqa-copy-source]");
    const button = group.querySelector("[data-paqa-copy-button]");
    const status = group.querySelector("[data-paqa-copy-status]");
    if (!source || !button) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      let copied = false;
      if (navigator.clipboard && window.isSecureContext) {
        try {
          await navigator.clipboard.writeText(source.value);
          copied = true;
        } catch {
          copied = false;
        }
      }
      if (!copied) {
        source.focus();
        source.select();
      }
      if (status) {
        status.textContent = copied
          ? "Link copied. Paste it into an email, a message or a document."
          : "The link is selected: copy it with Ctrl+C (or Cmd+C on a Mac).";
      }
    });
  }
})();
