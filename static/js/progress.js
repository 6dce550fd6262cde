/* Progress of a long job (a lottery run, an invitation run), updated in place.
   Markup: <div data-progress-url="/…/status.json"> with a <progress> and an
   element [data-progress-text]. The JSON answer: {"done": n, "total": n,
   "status": "running"|"done"|"failed", "label": "…"}. Without JavaScript the
   page shows the state at load time and a link to refresh. */
(function () {
  "use strict";
  function poll(box) {
    var url = box.getAttribute("data-progress-url");
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-progress-text]");
    function tick() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (state) {
          if (bar) { bar.max = Math.max(state.total, 1); bar.value = state.done; }
          if (text && state.label) { text.textContent = state.label; }
          if (state.status === "done" || state.status === "failed") {
            if (box.hasAttribute("data-progress-reload")) { window.location.reload(); }
            return;
          }
          window.setTimeout(tick, 2000);
        })
        .catch(function () { window.setTimeout(tick, 5000); });
    }
    tick();
  }
  document.querySelectorAll("[data-progress-url]").forEach(poll);
})();
