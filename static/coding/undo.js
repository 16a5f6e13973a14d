// Kesra Coord, coding page: undo and redo, the stacks of this page's actions.
(() => {
  "use strict";
  const K = window.KesraCodingParts;
  const article = K?.article;
  if (!article) return;
  const { canCode, say } = K;

  //
  // Both are writes like any other: undo sends the batch of the action to reverse, and
  // its own key becomes the batch of the undo, which redo reverses in turn.

  const undoStack = [];
  const redoStack = [];
  const undoButton = document.getElementById("undo-button");
  const redoButton = document.getElementById("redo-button");

  function remember(key, label) {
    undoStack.push({ batch: key, label });
    redoStack.length = 0;
    K.render();
  }

  function reverse(from, to, kind) {
    const entry = from.pop();
    if (!entry) {
      K.tell({ text: say(kind === "undo" ? "nothingToUndo" : "nothingToRedo"), kind: "" });
      return;
    }
    const key = K.enqueue({
      url: article.dataset.undoUrl,
      values: { batch: entry.batch },
      kind,
      label: `${say(kind)}: ${entry.label}`,
      saved: () => {
        const done = say(kind === "undo" ? "undone" : "redone", { what: entry.label });
        K.tell({ text: done, kind: "saved" });
        K.refreshDetails();
      },
    });
    to.push({ batch: key, label: entry.label });
    K.render();
  }

  const undo = () => reverse(undoStack, redoStack, "undo");
  const redo = () => reverse(redoStack, undoStack, "redo");
  undoButton?.addEventListener("click", undo);
  redoButton?.addEventListener("click", redo);
  if (canCode) document.querySelector(".undo-redo")?.removeAttribute("hidden");

  /** The buttons say what they would undo or redo (drawn with the status line). */
  function renderUndo() {
    if (!undoButton) return;
    undoButton.disabled = !undoStack.length;
    redoButton.disabled = !redoStack.length;
    undoButton.title = undoStack.length ? `${say("undo")}: ${undoStack.at(-1).label}` : "";
    redoButton.title = redoStack.length ? `${say("redo")}: ${redoStack.at(-1).label}` : "";
  }

  /** A write the server refused leaves the stacks: there is nothing to reverse. */
  function forgetBatch(key) {
    for (const stack of [undoStack, redoStack]) {
      const index = stack.findIndex((entry) => entry.batch === key);
      if (index >= 0) stack.splice(index, 1);
    }
  }

  Object.assign(K, { remember, undo, redo, renderUndo, forgetBatch });
})();
