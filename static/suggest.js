// Suggestions of one source: s goes to the next open suggestion, y accepts it, x rejects it.
(() => {
  "use strict";
  const list = () => document.querySelector("[data-suggestions]");
  if (!list()) return;
  const open = () => [...list().querySelectorAll("[data-suggestion]")].filter((item) => item.querySelector("button[data-key]"));
  const step = (from) => {
    const items = open();
    const next = (from && items.find((item) => from.compareDocumentPosition(item) & Node.DOCUMENT_POSITION_FOLLOWING)) || items[0];
    if (next) {
      next.focus();
      next.scrollIntoView({ block: "nearest" });
    }
  };
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.matches?.("input, textarea, select, [contenteditable]")) return;
    const key = event.key.toLowerCase();
    const current = event.target.closest?.("[data-suggestion]");
    if (key === "s") step(current);
    else if (key === "y" || key === "x") {
      const item = current?.querySelector("button[data-key]") ? current : open()[0];
      item?.querySelector(`button[data-key="${key}"]`)?.click();
    } else return;
    event.preventDefault();
  });
  // After a verdict the item comes back judged: the focus moves on to the next open one.
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const id = event.detail.target?.id;
    const fresh = id ? document.getElementById(id) : null;
    if (fresh?.matches("[data-suggestion]") && !fresh.querySelector("button[data-key]")) step(fresh);
  });
})();
