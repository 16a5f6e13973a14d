// Kesra Coord: find in this source, on the coding page. A box of the page's own
// (opened by / or Ctrl+F) asks the server for every hit of the whole source (the
// project search's matching: case and accents ignored), highlights the hits in the
// text, steps through them (Enter, Shift+Enter) and codes the current one.
//
// A long source is on the page in windows (the next loads as the reader scrolls):
// a hit further on loads the windows up to it; one before the first window shown
// opens the page there (?at=), the search carried along. Hits are painted with the
// CSS Custom Highlight API, which leaves the runs of the text untouched; without
// it, the current hit is selected instead.
//
// Offsets are code points, as everywhere; window.KesraCoding converts them.
(() => {
  "use strict";

  const article = document.getElementById("source-text");
  const box = document.getElementById("find-box");
  const coding = window.KesraCoding;
  if (!article || !box || !coding?.codeSpan) return;
  const input = document.getElementById("find-input");
  const count = document.getElementById("find-count");
  const regexBox = document.getElementById("find-regex");
  const codeButton = document.getElementById("find-code");
  const openButton = document.getElementById("find-open");
  const painting = typeof Highlight === "function" && window.CSS?.highlights;
  const MAX_WINDOWS = 60; // windows loaded to reach one hit, before giving up

  let hits = []; // [[start, end], …] of the whole source, in order
  let current = -1;
  let asked = null; // {q, mode} of the hits on show
  let capped = false;
  let pending = 0; // the number of the newest search sent (older answers are dropped)
  let timer = null;
  let arrival = null; // [start, end] of ?at=&len=: the hit a search result links to

  // --- Offsets to ranges ---------------------------------------------------

  /** The runs on the page and their starts, for a binary search. */
  function runIndex() {
    const runs = [...article.querySelectorAll("span[data-o]")];
    return { runs, starts: runs.map((run) => Number(run.dataset.o)) };
  }

  /** Index of the last run starting at or before `offset` (-1 if none). */
  function runAt(index, offset) {
    let low = 0;
    let high = index.starts.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (index.starts[middle] <= offset) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    return found;
  }

  /** A DOM boundary point for `offset`; an offset between runs (a line break) snaps to
   * the next run's start, or for an end to the previous run's end. */
  function point(index, offset, isEnd) {
    const i = runAt(index, isEnd ? offset - 1 : offset);
    const run = index.runs[i];
    if (!run) return index.runs.length && !isEnd ? [index.runs[0].firstChild, 0] : null;
    const text = run.textContent;
    const inside = offset - index.starts[i];
    if (inside <= coding.cpLength(text)) return [run.firstChild, coding.cpToUtf16(text, inside)];
    if (isEnd) return [run.firstChild, text.length];
    const next = index.runs[i + 1];
    return next ? [next.firstChild, 0] : null;
  }

  /** Offsets the page holds: from its first paragraph to the end of its last run. */
  function loadedSpan(index) {
    const first = article.querySelector(".para");
    const last = index.runs.at(-1);
    if (!first || !last) return [0, 0];
    return [Number(first.dataset.o), index.starts.at(-1) + coding.cpLength(last.textContent)];
  }

  /** A Range over [start, end), or null when that text is not on the page. */
  function rangeOf(index, start, end, [from, to] = loadedSpan(index)) {
    if (start < from || end > to) return null;
    const a = point(index, start, false);
    const b = point(index, end, true);
    if (!a?.[0] || !b?.[0]) return null;
    const range = document.createRange();
    range.setStart(...a);
    range.setEnd(...b);
    return range.collapsed ? null : range;
  }

  // --- Painting ------------------------------------------------------------

  function paint() {
    if (!painting) return;
    const index = runIndex();
    const span = loadedSpan(index);
    const others = new Highlight();
    const now = new Highlight();
    hits.forEach(([start, end], i) => {
      if (end <= span[0] || start >= span[1]) return;
      const range = rangeOf(index, start, end, span);
      if (range) (i === current ? now : others).add(range);
    });
    if (!hits.length && arrival) {
      const range = rangeOf(index, ...arrival);
      if (range) now.add(range);
    }
    CSS.highlights.set("kesra-find", others);
    CSS.highlights.set("kesra-find-current", now);
  }

  function unpaint() {
    if (!painting) return;
    CSS.highlights.delete("kesra-find");
    CSS.highlights.delete("kesra-find-current");
  }

  /** Scroll the range to the middle of the window (a run can be a whole paragraph). */
  function reveal(range) {
    const rect = range.getBoundingClientRect();
    const margin = window.innerHeight / 3;
    if (rect.top < margin || rect.bottom > window.innerHeight - margin) {
      window.scrollBy({ top: rect.top - (window.innerHeight - rect.height) / 2 });
    }
  }

  // --- Reaching a hit ------------------------------------------------------

  const settled = (link) =>
    new Promise((resolve) => {
      const began = Date.now();
      const check = () => {
        if (!link.isConnected || Date.now() - began > 10_000) resolve();
        else setTimeout(check, 40);
      };
      check();
    });

  /** Load the window after the last one shown (as scrolling would); false at the end. */
  async function loadNext() {
    const link = [...article.querySelectorAll(".window-link a[hx-get]")].at(-1);
    if (!link) return false;
    // A request already sent for this link (it was scrolled into view) is not sent twice:
    // htmx queues this one and drops it once the link is gone.
    htmx.ajax("GET", link.getAttribute("hx-get"), {
      source: link,
      target: link.closest("p"),
      swap: "outerHTML",
    });
    await settled(link);
    return true;
  }

  /** Open the page at an offset before its first window, the search carried along. */
  function reopenAt(start, end) {
    const params = new URLSearchParams(window.location.search);
    params.set("at", start);
    params.set("len", end - start);
    params.set("find", asked.q);
    if (asked.mode === "regex") params.set("find_mode", "regex");
    else params.delete("find_mode");
    params.delete("window");
    window.location.assign(`?${params}`);
  }

  /** Bring [start, end) onto the page: true once it is there. The windows after the
   * page's are loaded; for one before them the page is opened there, if `reopen`. */
  async function reach(start, end, { reopen }) {
    for (let n = 0; n <= MAX_WINDOWS; n++) {
      const [from, to] = loadedSpan(runIndex());
      if (start >= from && end <= to) return true;
      if (start < from) {
        if (reopen) reopenAt(start, end);
        return false;
      }
      if (!(await loadNext())) return false;
    }
    return false;
  }

  /** Make hit `i` the current one, and bring it into view (see `reach`). */
  async function go(i, { reopen = true } = {}) {
    if (!hits.length) return;
    current = (i + hits.length) % hits.length;
    const mine = current;
    showCount();
    const [start, end] = hits[current];
    const there = await reach(start, end, { reopen });
    if (mine !== current) return; // stepped on while a window was loading
    paint();
    if (!there) return;
    const range = rangeOf(runIndex(), start, end);
    if (!range) return;
    reveal(range);
    if (!painting) coding.showSelection(start, end);
  }

  function showCount() {
    if (!asked) count.textContent = "";
    else if (!hits.length) count.textContent = box.dataset.none;
    else count.textContent = `${current + 1} / ${hits.length}${capped ? "+" : ""}`;
    count.classList.remove("find-error");
    if (codeButton) codeButton.disabled = !hits.length;
  }

  // --- Asking the server ---------------------------------------------------

  const wanted = () => ({ q: input.value.trim(), mode: regexBox.checked ? "regex" : "all" });
  const same = (a, b) => a && b && a.q === b.q && a.mode === b.mode;

  /** The hit to start from: the first at or after `offset`, else the first. */
  function firstFrom(offset) {
    const i = hits.findIndex(([start]) => start >= offset);
    return i === -1 ? 0 : i;
  }

  /** The offset at the top of the window: where a new search starts looking. */
  function viewTop() {
    const paragraphs = article.querySelectorAll(".para");
    for (const para of paragraphs) {
      if (para.getBoundingClientRect().bottom > 0) return Number(para.dataset.o);
    }
    return 0;
  }

  async function find({ from = null, reopen = false } = {}) {
    clearTimeout(timer);
    const query = wanted();
    if (!query.q) {
      [hits, asked, current] = [[], null, -1];
      showCount();
      paint();
      return;
    }
    const number = ++pending;
    count.textContent = box.dataset.searching;
    let answer;
    try {
      const url = `${box.dataset.url}?${new URLSearchParams(query)}`;
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      answer = await response.json();
    } catch {
      answer = null;
    }
    if (number !== pending) return; // a newer search was sent meanwhile
    if (!answer || answer.error) {
      [hits, asked, current] = [[], null, -1];
      paint();
      count.textContent = answer ? answer.error : box.dataset.failed;
      count.classList.add("find-error");
      if (codeButton) codeButton.disabled = true;
      return;
    }
    [hits, asked, capped, arrival] = [answer.hits, query, answer.capped, null];
    current = -1;
    if (!hits.length) {
      showCount();
      paint();
      return;
    }
    await go(firstFrom(from ?? viewTop()), { reopen });
  }

  /** Enter and Shift+Enter: search what is typed, or step on through its hits. */
  async function step(direction) {
    if (!same(asked, wanted())) {
      await find({ reopen: true });
      return;
    }
    await go(current + direction);
  }

  async function codeCurrent() {
    if (!same(asked, wanted())) await find({ reopen: true });
    if (current < 0) return;
    const [start, end] = hits[current];
    if (await reach(start, end, { reopen: true })) coding.codeSpan(start, end);
  }

  // --- The box -------------------------------------------------------------

  function open() {
    box.hidden = false;
    openButton?.setAttribute("aria-expanded", "true");
    input.focus();
    input.select();
    if (asked) paint();
  }

  function close() {
    box.hidden = true;
    openButton?.setAttribute("aria-expanded", "false");
    cancelAnimationFrame(frame); // a repaint asked for by a swap before the box closed
    unpaint();
    // Leave the current hit selected, its paragraph focused: c codes it, j/k move on.
    if (current >= 0 && hits.length) {
      const [start, end] = hits[current];
      if (rangeOf(runIndex(), start, end)) {
        const para = [...article.querySelectorAll(".para")]
          .filter((p) => Number(p.dataset.o) <= start)
          .at(-1)
          ?.querySelector("p");
        if (para) {
          para.tabIndex = -1;
          para.focus({ preventScroll: true });
        }
        coding.showSelection(start, end);
      }
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => find(), 250); // as one types: later windows load, the page stays
  });
  regexBox.addEventListener("change", () => find());
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.altKey) codeCurrent();
    else if (event.key === "Enter") step(event.shiftKey ? -1 : 1);
    else if (event.key === "Escape") close();
    else return;
    event.preventDefault();
    event.stopPropagation(); // the page's own Esc (closing the details) waits
  });
  box.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.id === "find-next") step(1);
    else if (button.id === "find-prev") step(-1);
    else if (button.id === "find-code") codeCurrent();
    else if (button.id === "find-close") close();
  });
  openButton?.addEventListener("click", open);

  const typing = (target) => target.closest?.("input, select, textarea, [contenteditable]");
  const pickerOpen = () => document.getElementById("picker")?.hidden === false;

  // "/" anywhere on the page (not while typing); Ctrl+F too, except in the box itself,
  // where a second Ctrl+F goes to the browser's own find. Esc closes the box from the
  // text too, once the page's own Esc (the picker, the details) has nothing to close.
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || pickerOpen()) return;
    if (event.key === "Escape" && !box.hidden && !typing(event.target)) {
      event.preventDefault();
      close();
      return;
    }
    const mod = event.ctrlKey || event.metaKey;
    const isF = mod && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "f";
    const isSlash = event.key === "/" && !mod && !event.altKey;
    if (!isF && !isSlash) return;
    if (event.target === input || typing(event.target)) return;
    event.preventDefault();
    open();
  });

  // Paragraphs swapped in (a new window, a coding's answer, the poller) hold new text
  // nodes: the ranges are drawn again.
  let frame = 0;
  const repaint = () => {
    if (box.hidden && !arrival) return;
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(paint); // once for all the paragraphs of one answer
  };
  document.addEventListener("htmx:afterSettle", repaint);
  document.addEventListener("htmx:oobAfterSwap", repaint);

  // From a search hit: ?at=&len= is highlighted; ?find= reopens the search here.
  const params = new URLSearchParams(window.location.search);
  const at = Number(params.get("at"));
  const length = Number(params.get("len"));
  if (params.has("at") && length > 0) {
    arrival = [at, at + length];
    const range = rangeOf(runIndex(), ...arrival);
    if (range) {
      paint();
      reveal(range);
      if (!painting) coding.showSelection(...arrival);
    }
  }
  if (params.get("find")) {
    input.value = params.get("find");
    regexBox.checked = params.get("find_mode") === "regex";
    box.hidden = false;
    openButton?.setAttribute("aria-expanded", "true");
    input.focus({ preventScroll: true });
    find({ from: params.has("at") ? at : 0 });
  }
})();
