// Kesra Coord, coding page: the code picker beside the selection (type to filter,
// a digit or Enter applies, Shift keeps it open for several codes).
(() => {
  "use strict";
  const K = window.KesraCodingParts;
  const article = K?.article;
  if (!article) return;
  const { picker, search, several, tip, canCode, say, shorten, state } = K;

  let active = 0; // index of the highlighted option among the visible ones

  const options = () => [...picker.querySelectorAll("li[role=option]")].filter((li) => !li.hidden);
  const pickerOpen = () => picker && !picker.hidden;

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
    document.getElementById("picker-quote").textContent = shorten(state.selection.passage, 90);
  }

  /** Place the picker beside the selection: below it if there is room, else above; on a
   * small screen with room for neither, at the bottom, the selection scrolled above it. */
  function placePicker() {
    const gap = state.pointer === "touch" ? 28 : 8; // clear of the selection handles on a phone
    const width = picker.offsetWidth;
    const height = picker.offsetHeight;
    const box = selectionBox();
    picker.style.left = `${Math.max(8, Math.min(box.left, window.innerWidth - width - 8))}px`;
    if (box.bottom + gap + height < window.innerHeight) {
      picker.style.top = `${box.bottom + gap}px`;
    } else if (box.top - gap - height > 0) {
      picker.style.top = `${box.top - gap - height}px`;
    } else {
      const top = Math.max(8, window.innerHeight - height - 8);
      picker.style.top = `${top}px`;
      if (box.bottom + gap > top || box.top < 0) {
        window.scrollBy({ top: box.top - Math.max(8, top - gap - box.height) });
      }
    }
  }

  function selectionBox() {
    const sel = window.getSelection();
    const rect = sel.rangeCount ? sel.getRangeAt(0).getBoundingClientRect() : null;
    return rect && rect.height ? rect : article.getBoundingClientRect();
  }

  function openPicker() {
    if (!canCode || !state.selection) return;
    showQuote();
    picker.hidden = false;
    tip.hidden = true;
    search.value = "";
    filterOptions();
    picker.querySelectorAll("li.applied, li.pending").forEach((li) => {
      li.classList.remove("applied", "pending");
    });
    placePicker();
    // On a phone the keyboard would cover the codes: focus the list, type on request.
    if (state.pointer === "touch") picker.focus({ preventScroll: true });
    else search.focus({ preventScroll: true });
  }

  function closePicker(refocus = true) {
    if (!pickerOpen()) return;
    picker.hidden = true;
    if (refocus) K.focusParagraphAt(state.selection ? state.selection.start : 0);
  }

  function apply(li, keepOpen = false) {
    if (!li || !state.selection) return;
    const code = li.querySelector(".name").textContent.split(" › ").pop(); // the code, not its path
    const label = say("apply", { passage: shorten(state.selection.passage, 30), code });
    li.classList.remove("applied");
    li.classList.add("pending");
    const key = K.enqueue({
      url: article.dataset.createUrl,
      values: { ...state.selection, codes: li.dataset.id },
      kind: "apply",
      label,
      // ✓ only once the server has it
      saved: (message) => {
        li.classList.remove("pending");
        if (!message) li.classList.add("applied");
      },
      failed: () => li.classList.remove("pending"),
    });
    K.remember(key, label);
    if (keepOpen || several?.checked) search.focus({ preventScroll: true });
    else closePicker();
  }

  function applyInVivo() {
    if (!state.selection) return;
    const label = say("inVivo", { passage: shorten(state.selection.passage, 30) });
    const key = K.enqueue({
      url: article.dataset.createUrl,
      values: { ...state.selection, in_vivo: "on" },
      kind: "apply",
      label,
    });
    K.remember(key, label);
    closePicker();
  }

  if (picker) {
    picker.tabIndex = -1;
    search.addEventListener("input", filterOptions);
    search.addEventListener("keydown", (event) => {
      const visible = options();
      const digit = /^(?:Digit|Numpad)([1-9])$/.exec(event.code)?.[1];
      if (event.key === "ArrowDown") highlight(active + 1);
      else if (event.key === "ArrowUp") highlight(active - 1);
      else if (event.key === "Enter") apply(visible[active], event.shiftKey);
      else if (/^Arrow(Left|Right)$/.test(event.key) && event.shiftKey && search.value === "") {
        // As in the text: Shift+←/→ moves the selection's end, Alt+Shift+←/→ its start.
        K.stepWord(event.altKey ? "start" : "end", event.key === "ArrowRight" ? 1 : -1);
        showQuote();
        search.blur(); // focus() again puts the caret back into the box: typing filters
        search.focus({ preventScroll: true });
      } else if (digit && search.value === "" && !event.ctrlKey && !event.altKey) {
        apply(visible[Number(digit) - 1], event.shiftKey); // Shift+digit: add several
      } else return;
      event.preventDefault();
    });
    picker.addEventListener("click", (event) => {
      const li = event.target.closest("li[role=option]");
      if (li) apply(li, event.shiftKey);
      if (event.target.id === "picker-invivo") applyInVivo();
      if (event.target.id === "picker-close") closePicker();
    });
    document.addEventListener("pointerdown", (event) => {
      if (pickerOpen() && !picker.contains(event.target)) closePicker(false);
    });
  }

  Object.assign(K, { pickerOpen, openPicker, closePicker, showQuote });
})();
