// Kesra Coord: turning a text selection into code-point offsets, and the code picker.
//
// The server counts offsets in Unicode code points; the DOM counts UTF-16 units.
// cpLength() and cpToUtf16() are the only two places that convert between them.
(() => {
  "use strict";

  /** Code points in a UTF-16 string (a surrogate pair counts once). */
  function cpLength(text) {
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      n++;
    }
    return n;
  }

  /** The UTF-16 index of code point `cp` in `text`. */
  function cpToUtf16(text, cp) {
    let i = 0;
    for (let n = 0; n < cp && i < text.length; n++) {
      const c = text.charCodeAt(i);
      i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
    }
    return i;
  }

  const article = document.getElementById("source-text");
  if (!article) {
    window.KesraCoding = { cpLength, cpToUtf16 };
    return;
  }
  const picker = document.getElementById("picker");
  const search = document.getElementById("picker-search");
  const status = () => document.getElementById("coding-status");
  const tip = document.getElementById("tip");
  const canCode = article.dataset.canCode === "1";
  // Names of codes and coders: replaced out of band whenever the server re-renders text.
  const names = (id) => JSON.parse(document.getElementById(id)?.textContent || "{}");
  const csrf = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
  let selection = null; // {start, end, passage}: the passage being coded
  let active = 0; // index of the highlighted option among the visible ones

  // --- Offsets -------------------------------------------------------------

  const runs = () => article.querySelectorAll("span[data-o]");
  const runOf = (node) =>
    (node.nodeType === Node.TEXT_NODE ? node.parentElement : node)?.closest("span[data-o]");
  const runStart = (run) => Number(run.dataset.o);
  const runEnd = (run) => runStart(run) + cpLength(run.textContent);

  /** Code-point offset of a DOM boundary point (node, offset) inside the article. */
  function pointToOffset(node, offset, isEnd) {
    const run = runOf(node);
    if (run && article.contains(run)) {
      if (node.nodeType === Node.TEXT_NODE) {
        return runStart(run) + cpLength(node.data.slice(0, offset));
      }
      return offset === 0 ? runStart(run) : runEnd(run);
    }
    // A boundary between runs (margin stripes, paragraph edges): snap to the
    // next run's start, or to the previous run's end for the end of a selection.
    const probe = document.createRange();
    probe.setStart(node, offset);
    const all = [...runs()];
    if (isEnd) {
      const before = all.filter((r) => probe.comparePoint(r, r.childNodes.length) <= 0).pop();
      return before ? runEnd(before) : 0;
    }
    const after = all.find((r) => probe.comparePoint(r, 0) >= 0);
    return after ? runStart(after) : all.length ? runEnd(all[all.length - 1]) : 0;
  }

  /** The source text between two offsets, rebuilt from the runs (lines joined by \n). */
  function textBetween(start, end) {
    let out = "";
    let position = null;
    let lastPara = null;
    for (const run of runs()) {
      const s = runStart(run);
      const text = run.textContent;
      const e = s + cpLength(text);
      if (e <= start) continue;
      if (s >= end) break;
      const para = run.closest(".para");
      if (position !== null && para !== lastPara && s > position) out += "\n".repeat(s - position);
      const from = cpToUtf16(text, Math.max(start, s) - s);
      const to = cpToUtf16(text, Math.min(end, e) - s);
      out += text.slice(from, to);
      position = Math.min(end, e);
      lastPara = para;
    }
    return out;
  }

  /** The current DOM selection as {start, end, passage}, trimmed of white space. */
  function readSelection() {
    const sel = window.getSelection();
    if (!sel.rangeCount || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0).cloneRange();
    if (!range.intersectsNode(article)) return null;
    // A drag that overshoots into the sidebar selects past the text: keep the text's part.
    const text = document.createRange();
    text.selectNodeContents(article);
    if (range.compareBoundaryPoints(Range.START_TO_START, text) < 0) {
      range.setStart(text.startContainer, text.startOffset);
    }
    if (range.compareBoundaryPoints(Range.END_TO_END, text) > 0) {
      range.setEnd(text.endContainer, text.endOffset);
    }
    let start = pointToOffset(range.startContainer, range.startOffset, false);
    let end = pointToOffset(range.endContainer, range.endOffset, true);
    if (end <= start) return null;
    let passage = textBetween(start, end);
    const lead = passage.length - passage.trimStart().length;
    const trail = passage.length - passage.trimEnd().length;
    start += cpLength(passage.slice(0, lead));
    end -= cpLength(passage.slice(passage.length - trail));
    passage = passage.trim();
    return passage ? { start, end, passage } : null;
  }

  /** Show offsets [start, end) as the DOM selection (for keyboard selection). */
  function showSelection(start, end) {
    const locate = (offset, isEnd) => {
      for (const run of runs()) {
        const s = runStart(run);
        const e = runEnd(run);
        if (offset >= s && (offset < e || (isEnd && offset === e))) {
          const node = run.firstChild || run;
          return [node, cpToUtf16(run.textContent, offset - s)];
        }
      }
      return null;
    };
    const a = locate(start, false);
    const b = locate(end, true);
    if (!a || !b) return;
    window.getSelection().setBaseAndExtent(a[0], a[1], b[0], b[1]);
  }

  // --- The picker ----------------------------------------------------------

  const options = () => [...picker.querySelectorAll("li[role=option]")].filter((li) => !li.hidden);

  function highlight(index) {
    const visible = options();
    visible.forEach((li, i) => li.setAttribute("aria-selected", i === index ? "true" : "false"));
    active = Math.max(0, Math.min(index, visible.length - 1));
    const current = visible[active];
    search.setAttribute("aria-activedescendant", current ? current.id : "");
    current?.scrollIntoView({ block: "nearest" });
  }

  function filterOptions() {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const li of picker.querySelectorAll("li[role=option]")) {
      const name = li.querySelector(".name").textContent.toLowerCase();
      li.hidden = !words.every((w) => name.includes(w));
      li.querySelector(".key").textContent = !li.hidden && shown < 9 ? String(++shown) : "";
    }
    highlight(0);
  }

  function showQuote() {
    const quote = Array.from(selection.passage); // code points: never half an emoji
    document.getElementById("picker-quote").textContent =
      quote.length > 90 ? `${quote.slice(0, 90).join("")}…` : selection.passage;
  }

  function openPicker() {
    if (!canCode || !selection) return;
    showQuote();
    picker.hidden = false;
    const rect = window.getSelection().rangeCount
      ? window.getSelection().getRangeAt(0).getBoundingClientRect()
      : article.getBoundingClientRect();
    const width = picker.offsetWidth;
    picker.style.left = `${Math.max(8, Math.min(rect.left, window.innerWidth - width - 8))}px`;
    const below = rect.bottom + 8;
    picker.style.top =
      below + picker.offsetHeight < window.innerHeight
        ? `${below}px`
        : `${Math.max(8, rect.top - picker.offsetHeight - 8)}px`;
    search.value = "";
    filterOptions();
    picker.querySelectorAll("li.applied").forEach((li) => li.classList.remove("applied"));
    search.focus({ preventScroll: true });
  }

  function closePicker(refocus = true) {
    if (picker.hidden) return;
    picker.hidden = true;
    if (refocus) focusParagraphAt(selection ? selection.start : 0);
  }

  // Every POST from the article is queued behind the one in flight: by default htmx
  // keeps only the last request waiting, so pressing 1, 2, 3 faster than the server
  // answers would lose code 2.
  article.setAttribute("hx-sync", "this:queue all");

  function post(url, values) {
    return htmx.ajax("POST", url, {
      values: { ...values, show: article.dataset.show },
      headers: { "X-CSRFToken": csrf },
      swap: "none",
      source: article,
    });
  }

  function apply(li) {
    if (!li || !selection) return;
    li.classList.add("applied");
    post(article.dataset.createUrl, { ...selection, codes: li.dataset.id });
  }

  function applyInVivo() {
    if (!selection) return;
    post(article.dataset.createUrl, { ...selection, in_vivo: "on" });
    closePicker();
  }

  if (picker) {
    search.addEventListener("input", filterOptions);
    search.addEventListener("keydown", (event) => {
      const visible = options();
      if (event.key === "ArrowDown") highlight(active + 1);
      else if (event.key === "ArrowUp") highlight(active - 1);
      else if (event.key === "Enter") apply(visible[active]);
      else if (event.key === "Escape") closePicker();
      else if (/^Arrow(Left|Right)$/.test(event.key) && event.shiftKey && search.value === "") {
        // As in the text: Shift+←/→ moves the selection's end, Alt+Shift+←/→ its start.
        stepWord(event.altKey ? "start" : "end", event.key === "ArrowRight" ? 1 : -1);
        showQuote();
        search.blur(); // focus() again puts the caret back into the box: typing filters
        search.focus({ preventScroll: true });
      }
      else if (/^[1-9]$/.test(event.key) && search.value === "") apply(visible[Number(event.key) - 1]);
      else return;
      event.preventDefault();
    });
    picker.addEventListener("click", (event) => {
      const li = event.target.closest("li[role=option]");
      if (li) apply(li);
      if (event.target.id === "picker-invivo") applyInVivo();
    });
    document.addEventListener("mousedown", (event) => {
      if (!picker.hidden && !picker.contains(event.target)) closePicker(false);
    });
  }

  // --- Selecting with the mouse or the keyboard ----------------------------

  // A drag that starts in the text often ends outside it (past the end of a line, below
  // the last paragraph), where the article never sees the mouseup.
  let pressedInText = false;
  article.addEventListener("mousedown", (event) => {
    pressedInText = event.button === 0;
  });
  document.addEventListener("mouseup", (event) => {
    const fromText = pressedInText;
    pressedInText = false;
    if (event.button !== 0 || !fromText || article.contains(event.target)) return;
    setTimeout(() => {
      const chosen = readSelection();
      if (chosen) {
        selection = chosen;
        openPicker();
      }
    });
  });

  article.addEventListener("mouseup", (event) => {
    if (event.button !== 0) return;
    setTimeout(() => {
      const chosen = readSelection();
      if (chosen) {
        selection = chosen;
        openPicker();
      } else {
        const run = event.target.closest(".k");
        if (run) showDetails(run);
      }
    });
  });

  const paragraphs = () => [...article.querySelectorAll(".para > p")];
  let cursor = -1; // index of the keyboard paragraph

  function focusParagraph(index) {
    const all = paragraphs();
    if (!all.length) return;
    cursor = Math.max(0, Math.min(index, all.length - 1));
    const p = all[cursor];
    p.tabIndex = -1;
    p.focus();
  }

  function focusParagraphAt(offset) {
    const all = paragraphs();
    const index = all.findIndex((p) => Number(p.parentElement.dataset.o) > offset);
    focusParagraph((index === -1 ? all.length : index) - 1);
  }

  function paragraphSelection(p) {
    const body = [...p.querySelectorAll("span[data-o]")].filter(
      (run) => !run.classList.contains("speaker") && !run.classList.contains("stamp"),
    );
    if (!body.length) return null;
    const start = runStart(body[0]);
    const end = runEnd(body[body.length - 1]);
    return { start, end, passage: textBetween(start, end) };
  }

  /** Move one edge of the selection by a word (a run of non-space characters). */
  function stepWord(edge, step) {
    if (!selection) return;
    const first = article.querySelector("span[data-o]");
    const last = [...runs()].pop();
    const limit = last ? runEnd(last) : 0;
    const text = textBetween(first ? runStart(first) : 0, limit);
    const chars = Array.from(text);
    const space = (i) => /\s/.test(chars[i] ?? " ");
    let { start, end } = selection;
    const base = first ? runStart(first) : 0;
    let i = (edge === "start" ? start : end) - base;
    if (step > 0) {
      if (edge === "start") while (i < chars.length && !space(i)) i++;
      while (i < chars.length && space(i)) i++;
      if (edge === "end") while (i < chars.length && !space(i)) i++;
    } else {
      if (edge === "start") while (i > 0 && space(i - 1)) i--;
      while (i > 0 && !space(i - 1)) i--;
      if (edge === "end") while (i > 0 && space(i - 1)) i--;
    }
    if (edge === "start") start = i + base;
    else end = i + base;
    if (start >= end) return;
    selection = { start, end, passage: textBetween(start, end) };
    showSelection(start, end);
  }

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
    const index = list.indexOf(next) + 1;
    status().textContent = `${index} / ${list.length}`;
  }

  article.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey) return;
    const target = event.target;
    const inParagraph = target.matches?.(".para > p");
    const key = event.key;
    if (key === "Enter" && target.classList?.contains("k")) showDetails(target);
    else if (key === "j") focusParagraph(cursor + 1);
    else if (key === "k") focusParagraph(cursor - 1);
    else if (key === "n") stepCoded(1);
    else if (key === "p") stepCoded(-1);
    else if (key === "Enter" && inParagraph && canCode) {
      selection = paragraphSelection(target);
      if (selection) {
        showSelection(selection.start, selection.end);
        openPicker();
      }
    } else if (key === "c" && canCode) {
      selection = readSelection() || selection;
      openPicker();
    } else if ((key === "ArrowRight" || key === "ArrowLeft") && event.shiftKey && selection) {
      stepWord(event.altKey ? "start" : "end", key === "ArrowRight" ? 1 : -1);
    } else return;
    event.preventDefault();
  });

  // Keys that work anywhere on the page (not while typing in a field).
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, select, textarea, [contenteditable]");
    if (typing || article.contains(event.target) || event.ctrlKey || event.metaKey) return;
    if (event.key === "j" || event.key === "n") {
      (event.key === "j" ? focusParagraph : () => stepCoded(1))(0);
      event.preventDefault();
    }
  });

  // --- Coded passages: details, tooltips, stepping through a code ----------

  /** The codings under a run: data-k holds {id: [code, coder, memo count, review mark]}. */
  function facts(run) {
    const data = run.closest(".para").dataset.k;
    const all = data ? JSON.parse(data) : {};
    return run.dataset.c.split(" ").map((id) => {
      const [code, coder, memos, review] = all[id] || [];
      return { id, code, coder, memos, review };
    });
  }

  function showDetails(run) {
    htmx.ajax("GET", `${article.dataset.panelUrl}?ids=${run.dataset.c.split(" ").join(",")}&show=${article.dataset.show}`, {
      target: "#coding-panel",
      swap: "innerHTML",
    });
  }

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
    tip.style.left = `${Math.min(rect.left, window.innerWidth - tip.offsetWidth - 8)}px`;
    tip.style.top = `${rect.bottom + 6}px`;
  }

  article.addEventListener("mouseover", (event) => {
    const run = event.target.closest(".k");
    if (run) showTip(run);
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

  // "Use the current selection" in the details panel sends the selection as new boundaries.
  document.addEventListener("htmx:configRequest", (event) => {
    const form = event.detail.elt.closest?.("form[data-use-selection]");
    if (!form) return;
    const chosen = readSelection() || selection;
    if (!chosen) {
      event.preventDefault();
      status().textContent = form.dataset.noSelection || "";
      return;
    }
    event.detail.parameters.set?.("start", chosen.start);
    event.detail.parameters.set?.("end", chosen.end);
    if (!event.detail.parameters.set) {
      event.detail.parameters.start = chosen.start;
      event.detail.parameters.end = chosen.end;
    }
  });

  // Links from retrieval, review and conclusions open the text at ?at=<offset>.
  const at = Number(new URLSearchParams(window.location.search).get("at"));
  if (at) {
    const target = [...runs()].find((run) => runStart(run) <= at && at < runEnd(run));
    if (target) {
      target.classList.add("flash");
      target.tabIndex = -1;
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: "center" });
    }
  }

  window.KesraCoding = { cpLength, cpToUtf16, readSelection, textBetween, showSelection };
})();
