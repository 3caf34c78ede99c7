// The coding page (surveys/coding_question.html), appended after paqa.mjs by
// scripts/build-frontend.mjs. Progressive enhancement: without it the page is a plain form
// (tick boxes, Apply to selected and Save post to the server). With it:
// - "Select all N answers on this page" appears;
// - Apply to selected / Remove from selected tick or untick the chosen code on the selected
//   answers here, so they can be checked before one Save sends them all;
// - keyboard shortcuts, only while the focus is on an answer (WCAG 2.1.4): s ticks the
//   answer's suggested code (again: its next suggestion), x selects it, j and k go to the next
//   and previous answer;
// - what changed and is not saved yet is announced and marked on each answer.
(function codingPage() {
  const form = document.querySelector("form[data-paqa-coding]");
  if (!form) return;
  const status = form.querySelector("[data-paqa-coding-status]");
  const selectAll = form.querySelector("#select-all");
  const cards = Array.from(form.querySelectorAll("[data-paqa-answer]"));
  const selectBox = (card) => card.querySelector("input[data-paqa-select]");
  const codeBoxes = (card) =>
    Array.from(card.querySelectorAll(`input[name="codes-${card.dataset.paqaAnswer}"]`));
  const codeBox = (card, codeId) => codeBoxes(card).find((box) => box.value === String(codeId));
  const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;
  const say = (text) => {
    if (status) status.textContent = text;
  };
  const labelOf = (box) => {
    const label = form.querySelector(`label[for="${box.id}"]`);
    return label && label.firstChild ? label.firstChild.textContent.trim() : box.value;
  };

  // Answers whose boxes differ from what the page was shown with are marked "Not saved".
  const changed = (card) => codeBoxes(card).some((box) => box.checked !== box.defaultChecked);
  const mark = (card) => {
    const wrapper = card.querySelector(".govuk-summary-card__title-wrapper");
    let tag = card.querySelector("[data-paqa-unsaved]");
    if (changed(card) && !tag && wrapper) {
      tag = document.createElement("strong");
      tag.className = "govuk-tag govuk-tag--yellow paqa-coding-unsaved";
      tag.dataset.paqaUnsaved = "";
      tag.textContent = "Not saved";
      wrapper.querySelector(".govuk-summary-card__title").after(tag);
    } else if (!changed(card) && tag) {
      tag.remove();
    }
  };
  const unsaved = () => {
    const count = cards.filter(changed).length;
    return count ? `${plural(count, "answer")} changed and not saved yet.` : "";
  };

  const refreshSelectAll = () => {
    const boxes = cards.map(selectBox).filter(Boolean);
    const ticked = boxes.filter((box) => box.checked).length;
    if (selectAll) {
      selectAll.checked = ticked > 0 && ticked === boxes.length;
      selectAll.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    return ticked;
  };

  if (selectAll) {
    form.querySelector("[data-paqa-select-all]").hidden = false;
    selectAll.addEventListener("change", () => {
      cards.forEach((card) => {
        const box = selectBox(card);
        if (box) box.checked = selectAll.checked;
      });
      say(`${plural(refreshSelectAll(), "answer")} selected.`);
    });
    refreshSelectAll();
  }

  form.addEventListener("change", (event) => {
    const card = event.target.closest("[data-paqa-answer]");
    if (!card) return;
    if (event.target.matches("input[data-paqa-select]")) {
      refreshSelectAll();
    } else {
      mark(card);
    }
  });

  // With a code chosen and answers selected, Apply and Remove work here; otherwise the form
  // is sent, and the page says what is missing.
  form.querySelectorAll("button[data-paqa-bulk]").forEach((button) => {
    button.addEventListener("click", (event) => {
      const choice = form.querySelector("#bulk-code");
      const selected = cards.filter((card) => selectBox(card) && selectBox(card).checked);
      if (!choice || !choice.value || selected.length === 0) return;
      event.preventDefault();
      const apply = button.dataset.paqaBulk === "apply";
      const label = choice.options[choice.selectedIndex].text;
      let count = 0;
      selected.forEach((card) => {
        const box = codeBox(card, choice.value);
        if (box && box.checked !== apply) {
          box.checked = apply;
          count += 1;
        }
        mark(card);
      });
      say(
        `‘${label}’ ${apply ? "ticked" : "unticked"} on ${plural(count, "answer")} of the ` +
          `${selected.length} selected. ${unsaved()} Press Save to keep the changes.`,
      );
    });
  });

  const focusCard = (card) => {
    const target = selectBox(card) || codeBoxes(card)[0];
    if (!target) return;
    target.focus();
    card.scrollIntoView({ block: "nearest" });
  };

  form.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) return;
    const target = event.target;
    if (!(target instanceof HTMLInputElement) || target.type !== "checkbox") return;
    const card = target.closest("[data-paqa-answer]");
    if (!card) return;
    const answer = card.dataset.paqaAnswer;
    const position = cards.indexOf(card);
    if (event.key === "s") {
      event.preventDefault();
      const ids = (card.dataset.paqaSuggestions || "").split(" ").filter(Boolean);
      const next = ids.map((id) => codeBox(card, id)).find((box) => box && !box.checked);
      if (!next) {
        say(`Answer ${answer} has no other suggestion to tick.`);
        return;
      }
      next.checked = true;
      mark(card);
      say(`‘${labelOf(next)}’ ticked for answer ${answer}. ${unsaved()}`);
    } else if (event.key === "x") {
      const box = selectBox(card);
      if (!box) return;
      event.preventDefault();
      box.checked = !box.checked;
      const count = refreshSelectAll();
      say(
        `Answer ${answer} ${box.checked ? "selected" : "no longer selected"}; ` +
          `${plural(count, "answer")} selected.`,
      );
    } else if (event.key === "j" || event.key === "k") {
      const other = cards[position + (event.key === "j" ? 1 : -1)];
      if (!other) return;
      event.preventDefault();
      focusCard(other);
    }
  });
})();
