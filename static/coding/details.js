// Kesra Coord, coding page: coded passages — a coding's details, the tooltips, stepping
// through the codings (of one code), and the forms in the details, sent through the queue.
(() => {
  "use strict";
  const K = window.KesraCodingParts;
  const article = K?.article;
  if (!article) return;
  const { panel, tip, stepCount, names, say, shorten, state } = K;

  const codedRuns = () => [...article.querySelectorAll(".k")];

  function stepCoded(direction, filter) {
    const list = filter ? codedRuns().filter(filter) : codedRuns();
    if (!list.length) return;
    const current = list.indexOf(document.activeElement);
    const next = list[(current + direction + list.length) % list.length];
    article.querySelectorAll(".flash").forEach((run) => run.classList.remove("flash"));
    next.classList.add("flash");
    next.tabIndex = -1;
    next.focus();
    next.scrollIntoView({ block: "center" });
    stepCount.textContent = `${list.indexOf(next) + 1} / ${list.length}`;
  }

  /** The codings under a run: data-k holds {id: [code, coder, memo count, review mark]}. */
  function facts(run) {
    const data = run.closest(".para").dataset.k;
    const all = data ? JSON.parse(data) : {};
    return run.dataset.c.split(" ").map((id) => {
      const [code, coder, memos, review] = all[id] || [];
      return { id, code, coder, memos, review };
    });
  }

  const hint = panel.innerHTML; // what the panel says before a passage is chosen

  function showDetails(run) {
    tip.hidden = true;
    loadDetails(run.dataset.c.split(" ").join(","));
  }

  function loadDetails(ids) {
    panel.dataset.ids = ids;
    htmx
      .ajax("GET", `${article.dataset.panelUrl}?ids=${ids}&show=${article.dataset.show}`, {
        target: "#coding-panel",
        swap: "innerHTML",
      })
      .then(() => {
        panel.classList.add("open");
        keepInSight(ids);
      })
      .catch(() => {});
  }

  /** On a small screen the details are a sheet over the text: keep the passage above it. */
  function keepInSight(ids) {
    if (getComputedStyle(panel).position !== "fixed") return;
    const run = article.querySelector(`.k[data-c~="${ids.split(",")[0]}"]`);
    if (!run) return;
    const rect = run.getBoundingClientRect();
    const room = panel.getBoundingClientRect().top - 12;
    if (rect.bottom > room || rect.top < 0) {
      window.scrollBy({ top: rect.top - Math.max(8, room - rect.height) });
    }
  }

  /** After an undo or redo, the details on show may tell of a coding that changed. */
  function refreshDetails() {
    if (panel.classList.contains("open") && panel.dataset.ids) loadDetails(panel.dataset.ids);
  }

  function closeDetails() {
    panel.classList.remove("open");
    panel.innerHTML = hint;
    delete panel.dataset.ids;
  }

  panel.addEventListener("click", (event) => {
    if (event.target.closest("[data-close-details]")) closeDetails();
  });

  function showTip(run) {
    const codeNames = names("code-names");
    const coderNames = names("coder-names");
    tip.replaceChildren();
    for (const fact of facts(run)) {
      const line = document.createElement("div");
      const swatch = document.createElement("i");
      swatch.className = `swatch m${fact.code}`;
      const name = codeNames[fact.code] ?? "?";
      line.append(swatch, ` ${name} · ${coderNames[fact.coder] ?? "?"}`);
      if (fact.memos) line.append(` · ✎${fact.memos}`);
      if (fact.review) line.append(fact.review === "a" ? " · ✓" : " · ✗");
      tip.append(line);
    }
    const rect = run.getBoundingClientRect();
    tip.hidden = false;
    tip.style.left = `${Math.max(8, Math.min(rect.left, window.innerWidth - tip.offsetWidth - 8))}px`;
    tip.style.top = `${rect.bottom + 6}px`;
  }

  article.addEventListener("mouseover", (event) => {
    const run = event.target.closest(".k");
    if (run && state.pointer !== "touch" && !K.pickerOpen()) showTip(run); // a tap opens the details
  });
  article.addEventListener("mouseout", (event) => {
    if (event.target.closest(".k")) tip.hidden = true;
  });
  article.addEventListener("focusin", (event) => {
    if (event.target.classList.contains("k")) showTip(event.target);
    else tip.hidden = true;
  });
  article.addEventListener("focusout", () => {
    tip.hidden = true;
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button.step");
    if (!button) return;
    const code = Number(button.dataset.code);
    stepCoded(1, (run) => facts(run).some((fact) => fact.code === code));
  });

  // The forms in a coding's details (change, adjust, remove, memo) go through the queue.
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-write]");
    if (!form) return;
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form));
    if (form.hasAttribute("data-use-selection")) {
      const chosen = K.readSelection() || state.selection;
      if (!chosen) {
        K.tell({ text: say("noSelection"), kind: "error" });
        return;
      }
      Object.assign(values, { start: chosen.start, end: chosen.end });
    }
    const kind = form.dataset.write;
    const passage = form.closest(".coding-card")?.querySelector("blockquote")?.textContent || "";
    const label = say(kind, { passage: shorten(passage, 30) });
    const busy = form.querySelector("button[type=submit]");
    if (busy) busy.disabled = true; // the answer brings fresh details
    const key = K.enqueue({
      url: form.getAttribute("action"), // not form.action: a field is named "action"
      values,
      kind,
      label,
      failed: () => {
        if (busy) busy.disabled = false;
      },
    });
    if (kind !== "memo") K.remember(key, label);
  });

  Object.assign(K, { showDetails, closeDetails, refreshDetails, stepCoded });
})();
