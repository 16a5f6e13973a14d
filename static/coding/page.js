// Kesra Coord, coding page: the wiring — focus kept across swaps, links to an offset,
// the queue started, and window.KesraCoding published for find.js and suggest_inline.js.
(() => {
  "use strict";
  const K = window.KesraCodingParts;
  delete window.KesraCodingParts; // the parts are loaded: they keep K, nothing else needs it
  const { article, cpLength, cpToUtf16 } = K;
  if (!article) {
    window.KesraCoding = { cpLength, cpToUtf16 };
    return;
  }
  const { state, runs, runStart, runEnd, textBetween, showSelection } = K;

  // A swapped-in paragraph keeps the keyboard focus its old copy had.
  let focused = null;
  document.addEventListener("htmx:oobBeforeSwap", (event) => {
    const target = event.detail.target;
    if (!target.classList?.contains("para") || !target.contains(document.activeElement)) return;
    const run = document.activeElement.closest("span[data-o]");
    focused = { id: target.id, run: run?.dataset.o };
  });
  document.addEventListener("htmx:oobAfterSwap", () => {
    if (!focused) return;
    const para = document.getElementById(focused.id);
    const again = focused.run
      ? para?.querySelector(`span[data-o="${focused.run}"]`)
      : para?.querySelector("p");
    focused = null;
    if (!again) return;
    again.tabIndex = -1;
    again.focus({ preventScroll: true });
  });

  document.getElementById("show")?.addEventListener("change", (event) => {
    event.target.form.submit();
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

  K.start(); // the writes left waiting by this page before a reload, or by a page now closed

  /** Select [start, end) and open the picker on it (find in this source codes its hit). */
  function codeSpan(start, end) {
    state.selection = { start, end, passage: textBetween(start, end) };
    showSelection(start, end);
    K.openPicker();
  }

  /** A write of another module (suggest_inline.js) through this page's queue; undoable or not. */
  function write(options, undoable = false) {
    const key = K.enqueue(options);
    if (undoable) K.remember(key, options.label);
    return key;
  }

  const { readSelection } = K;
  const api = { cpLength, cpToUtf16, readSelection, textBetween, showSelection, codeSpan, write };
  window.KesraCoding = api;
})();
